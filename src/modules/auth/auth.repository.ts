/**
 * Queries for signing in: sessions (by the hash of their token), failed sign-ins per key, and
 * the account's credentials (password hash, session version).
 */
import type { Insertable, Selectable } from 'kysely';
import type { DbHandle } from '../../db/database.ts';
import type { LoginFailuresTable, SessionsTable, UserRow } from '../../db/schema.ts';

export async function insertSession(
  db: DbHandle,
  session: Insertable<SessionsTable>,
): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
}

/** The account of the session with this hash, unless the session has expired by `now`. */
export function findSessionUser(
  db: DbHandle,
  sessionHash: string,
  now: string,
): Promise<UserRow | undefined> {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .where('sessions.id', '=', sessionHash)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
}

/** Those of the session hashes that name a session not expired at `now`. */
export async function liveSessionHashes(
  db: DbHandle,
  sessionHashes: readonly string[],
  now: string,
): Promise<string[]> {
  if (sessionHashes.length === 0) return [];
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('id', 'in', sessionHashes)
    .where('expires_at', '>', now)
    .execute();
  return rows.map((r) => r.id);
}

export async function deleteSession(db: DbHandle, sessionHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionHash).execute();
}

/** Deletes every session of the account; returns how many there were. */
export async function deleteSessionsOf(db: DbHandle, userId: number): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function bumpSessionVersion(db: DbHandle, userId: number, now: string): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ session_version: eb('session_version', '+', 1), updated_at: now }))
    .where('id', '=', userId)
    .execute();
}

export async function setPasswordHash(
  db: DbHandle,
  userId: number,
  hash: string,
  now: string,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: hash, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

/** When each of these keys that is locked after `now` is locked until. */
export async function lockedUntil(db: DbHandle, keys: string[], now: string): Promise<string[]> {
  const rows = await db
    .selectFrom('login_failures')
    .select(['locked_until'])
    .where('key', 'in', keys)
    .where('locked_until', '>', now)
    .execute();
  return rows.flatMap((r) => (r.locked_until === null ? [] : [r.locked_until]));
}

export type LoginFailure = Selectable<LoginFailuresTable>;

export function findLoginFailure(db: DbHandle, key: string): Promise<LoginFailure | undefined> {
  return db.selectFrom('login_failures').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function saveLoginFailure(
  db: DbHandle,
  key: string,
  values: Omit<LoginFailure, 'key'>,
): Promise<void> {
  await db
    .insertInto('login_failures')
    .values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
}

export async function deleteLoginFailures(db: DbHandle, key: string): Promise<void> {
  await db.deleteFrom('login_failures').where('key', '=', key).execute();
}
