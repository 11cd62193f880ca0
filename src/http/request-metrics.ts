/** Counts each answer Fastify sends, and its time, by route template: never by its URL. */
import type { FastifyInstance } from 'fastify';
import { type Metrics, UNMATCHED_ROUTE } from '../metrics/metrics.ts';

export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(
      request.method,
      request.routeOptions.url ?? UNMATCHED_ROUTE,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
}
