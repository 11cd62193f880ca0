/**
 * Browser sessions. The cookie holds a random token, signed with the instance secret so any node
 * can reject a forged one without a lookup; the database holds only the token's hash, so
 * signing out (here or everywhere) takes effect on every node at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { DbHandle } from '../../db/database.ts';
import type { UserRow } from '../../db/schema.ts';

export const SESSION_COOKIE = 'quire_session';
export const SESSION_DAYS = 30;

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Starts a session for the user and returns the token to put (signed) in the cookie. */
export async function startSession(ctx: AppContext, user: UserRow): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  await ctx.database.db
    .insertInto('sessions')
    .values({
      id: tokenHash(token),
      user_id: user.id,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString(),
    })
    .execute();
  return token;
}

export async function userForSession(ctx: AppContext, token: string): Promise<UserRow | undefined> {
  return ctx.database.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .where('sessions.id', '=', tokenHash(token))
    .where('sessions.expires_at', '>', ctx.clock.now().toISOString())
    .executeTakeFirst();
}

export async function endSession(db: DbHandle, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', tokenHash(token)).execute();
}

/** Signs the user out of every browser and bumps the session version. */
export async function endAllSessions(ctx: AppContext, userId: number): Promise<number> {
  return ctx.database.transaction((tx) => endSessionsIn(tx.db, userId, ctx.clock.now()));
}

/** endAllSessions inside the caller's transaction, so it commits with the change that asks for it. */
export async function endSessionsIn(db: DbHandle, userId: number, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  await db
    .updateTable('users')
    .set((eb) => ({
      session_version: eb('session_version', '+', 1),
      updated_at: now.toISOString(),
    }))
    .where('id', '=', userId)
    .execute();
  return Number(result.numDeletedRows);
}
