/**
 * Browser sessions. The cookie holds a random token, signed with the instance secret so any node
 * can reject a forged one without a lookup; the database holds only the token's hash, so
 * signing out (here or everywhere) takes effect on every node at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { DbHandle } from '../../db/database.ts';
import type { UserRow } from '../../db/schema.ts';
import {
  bumpSessionVersion,
  deleteSession,
  deleteSessionsOf,
  findSessionUser,
  insertSession,
  liveSessionHashes,
} from './auth.repository.ts';

export const SESSION_COOKIE = 'quire_session';
export const SESSION_DAYS = 30;

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Starts a session for the user and returns the token to put (signed) in the cookie. */
export async function startSession(ctx: AppContext, user: UserRow): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  await insertSession(ctx.database.db, {
    id: tokenHash(token),
    user_id: user.id,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString(),
  });
  return token;
}

export async function userForSession(ctx: AppContext, token: string): Promise<UserRow | undefined> {
  return findSessionUser(ctx.database.db, tokenHash(token), ctx.clock.now().toISOString());
}

/** Which of these session tokens still name a session (not signed out, not expired). */
export async function liveSessions(
  ctx: AppContext,
  tokens: readonly string[],
): Promise<Set<string>> {
  const byHash = new Map(tokens.map((token) => [tokenHash(token), token]));
  const live = await liveSessionHashes(
    ctx.database.db,
    [...byHash.keys()],
    ctx.clock.now().toISOString(),
  );
  return new Set(live.flatMap((hash) => byHash.get(hash) ?? []));
}

export async function endSession(db: DbHandle, token: string): Promise<void> {
  await deleteSession(db, tokenHash(token));
}

/** Signs the user out of every browser and bumps the session version. */
export async function endAllSessions(ctx: AppContext, userId: number): Promise<number> {
  return ctx.database.transaction((tx) => endSessionsIn(tx.db, userId, ctx.clock.now()));
}

/** endAllSessions inside the caller's transaction, so it commits with the change that asks for it. */
export async function endSessionsIn(db: DbHandle, userId: number, now: Date): Promise<number> {
  const ended = await deleteSessionsOf(db, userId);
  await bumpSessionVersion(db, userId, now.toISOString());
  return ended;
}
