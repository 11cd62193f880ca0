/**
 * Who is asking: an API key (the `api-key` header, as Forem, or `Authorization: Bearer`), else a
 * session. Both verify on any node; the accounts behind them come from the modules that keep
 * keys and sessions (`app.ts` passes them in), so this hook knows no feature.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { METRICS_PATH } from '../metrics/metrics.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow | null;
    authVia: 'key' | 'session' | null;
    /** The raw session token, when the request came with a valid session cookie. */
    sessionToken: string | null;
  }
}

export function apiKeyFrom(request: FastifyRequest): string | undefined {
  const header = request.headers['api-key'];
  if (typeof header === 'string' && header !== '') return header.trim();
  const auth = request.headers.authorization;
  const match = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return match?.[1];
}

export interface IdentitySources {
  /** The account an API key belongs to; refuses a wrong or revoked key. */
  byApiKey(key: string): Promise<UserRow>;
  /** The account of the request's session, with the session's token, or null. */
  bySession(request: FastifyRequest): Promise<{ user: UserRow; token: string } | null>;
}

export function installIdentity(app: FastifyInstance, sources: IdentitySources): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  app.decorateRequest('sessionToken', null);
  app.addHook('onRequest', async (request) => {
    if (request.url === '/healthz' || request.url.startsWith('/static/')) return;
    // A scraper's bearer token is the metrics token, not an API key to look up (and refuse).
    if (request.routeOptions.url === METRICS_PATH) return;
    const key = apiKeyFrom(request);
    if (key !== undefined) {
      request.user = await sources.byApiKey(key);
      request.authVia = 'key';
      return;
    }
    const session = await sources.bySession(request);
    if (!session) return;
    request.user = session.user;
    request.authVia = 'session';
    request.sessionToken = session.token;
  });
}

export function requireUser(request: FastifyRequest): UserRow {
  if (!request.user) throw new AppError('unauthorized', 'unauthorized');
  return request.user;
}
