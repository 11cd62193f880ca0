/**
 * Refuses cross-site writes made with a browser's cookies. Requests that carry an API key are
 * not ambient credentials and pass; cookie-carrying writes must come from this site.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossSite(request: FastifyRequest, baseUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  const own = [new URL(baseUrl).origin, `${request.protocol}://${request.host}`];
  return !own.includes(origin);
}

export function installSameOriginCheck(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('preHandler', async (request) => {
    if (SAFE.has(request.method) || request.authVia === 'key') return;
    if (isCrossSite(request, ctx.config.baseUrl)) {
      throw new AppError('forbidden', 'Cross-site request refused');
    }
  });
}
