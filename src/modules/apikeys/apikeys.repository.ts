/** Queries on API keys. A key is found by the SHA-256 of its text; revoked keys stay listed. */
import type { Insertable } from 'kysely';
import type { DbHandle } from '../../db/database.ts';
import type { ApiKeyRow, ApiKeysTable, UserRow } from '../../db/schema.ts';

export function insertApiKey(db: DbHandle, key: Insertable<ApiKeysTable>): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(key).returningAll().executeTakeFirstOrThrow();
}

export function listApiKeysOf(db: DbHandle, userId: number): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

/** Revokes the key unless it already is; undefined when it was. */
export function revokeApiKeyRow(
  db: DbHandle,
  id: number,
  now: string,
): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export type KeyHolder = UserRow & { key_id: number; key_last_used_at: string | null };

/** The account holding the unrevoked key with this hash, and the key's id and last use. */
export function findKeyHolder(db: DbHandle, keyHash: string): Promise<KeyHolder | undefined> {
  return db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .selectAll('users')
    .select(['api_keys.id as key_id', 'api_keys.last_used_at as key_last_used_at'])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiKey(db: DbHandle, id: number, now: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}
