/**
 * Who is asking: an API key (the `api-key` header, as Forem, or `Authorization: Bearer`), else a
 * signed session cookie. Both verify on any node; revocation is read from the database.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { userForApiKey } from '../modules/apikeys/apikeys.service.ts';
import { METRICS_PATH } from '../metrics/metrics.ts';
import { SESSION_COOKIE, SESSION_DAYS, userForSession } from '../modules/auth/sessions.ts';

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

export function installIdentity(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  app.decorateRequest('sessionToken', null);
  app.addHook('onRequest', async (request) => {
    if (request.url === '/healthz' || request.url.startsWith('/static/')) return;
    // A scraper's bearer token is the metrics token, not an API key to look up (and refuse).
    if (request.routeOptions.url === METRICS_PATH) return;
    const key = apiKeyFrom(request);
    if (key !== undefined) {
      request.user = await userForApiKey(ctx, key);
      request.authVia = 'key';
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const unsigned = request.unsignCookie(cookie);
    if (!unsigned.valid || !unsigned.value) return;
    const user = await userForSession(ctx, unsigned.value);
    if (!user) return;
    request.user = user;
    request.authVia = 'session';
    request.sessionToken = unsigned.value;
  });
}

export function requireUser(request: FastifyRequest): UserRow {
  if (!request.user) throw new AppError('unauthorized', 'unauthorized');
  return request.user;
}

export function setSessionCookie(reply: FastifyReply, ctx: AppContext, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.baseUrl.startsWith('https:'),
    signed: true,
    maxAge: SESSION_DAYS * 86_400,
  });
}

export function clearSessionCookie(reply: FastifyReply, ctx: AppContext): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', secure: ctx.config.baseUrl.startsWith('https:') });
}
