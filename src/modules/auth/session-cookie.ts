/** The signed session cookie: set at sign-in, cleared at sign-out, read on every request. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import { SESSION_COOKIE, SESSION_DAYS, userForSession } from './sessions.ts';

/** The account of the request's session cookie, when it is signed and its session is live. */
export async function sessionOf(
  ctx: AppContext,
  request: FastifyRequest,
): Promise<{ user: UserRow; token: string } | null> {
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const unsigned = request.unsignCookie(cookie);
  if (!unsigned.valid || !unsigned.value) return null;
  const user = await userForSession(ctx, unsigned.value);
  return user ? { user, token: unsigned.value } : null;
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
