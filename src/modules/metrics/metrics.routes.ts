/**
 * `GET /metrics`: Prometheus text for those `metricsAccess` lets in; everyone else gets the
 * site's ordinary 404, as for any path that does not exist. Never cached, never in the API's
 * description, and outside the API's rate limit (scrapers come every few seconds).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { metricsAccess } from '../../metrics/access.ts';
import { METRICS_PATH, metricsOf } from '../../metrics/metrics.ts';

export function metricsRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const metrics = metricsOf(ctx);
    const allowed = metricsAccess(ctx.config);
    const options = { schema: { hide: true }, config: { rateLimit: false as const } };
    app.get(METRICS_PATH, options, async (request, reply) => {
      if (!allowed(request.ip, request.headers.authorization)) return reply.callNotFound();
      const text = await metrics.text();
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
    });
  };
}
