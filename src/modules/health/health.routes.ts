/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database is usable). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { pendingMigrations } from '../../db/migrate.ts';

export function healthRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const hide = { schema: { hide: true } };
    app.get('/healthz', hide, async () => ({ status: 'ok' }));
    app.get('/readyz', hide, async (request, reply) => {
      try {
        await ctx.database.ping();
        const pending = await pendingMigrations(ctx.database);
        if (pending.length > 0)
          return reply.status(503).send({ status: 'migrations pending', pending });
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.status(503).send({ status: 'database unreachable' });
      }
    });
  };
}
