/**
 * API keys: shown once at creation, stored only as a SHA-256 hash (the key is 192 random bits,
 * so a slow hash adds nothing), accepted until revoked.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { ApiKeyRow, UserRow } from '../../db/schema.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { tokenHash } from '../auth/sessions.ts';

const KEY_PREFIX = 'quire_';
/** How stale `last_used_at` may get before a request refreshes it; saves a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreatedKey {
  key: string;
  row: ApiKeyRow;
}

export async function createApiKey(
  ctx: AppContext,
  user: UserRow,
  name: string,
): Promise<CreatedKey> {
  const clean = name.trim() || 'API key';
  if (clean.length > 100)
    throw validationFailed([
      { field: 'name', message: 'Name is too long (maximum is 100 characters)' },
    ]);
  const key = KEY_PREFIX + randomBytes(24).toString('base64url');
  const row = await ctx.database.db
    .insertInto('api_keys')
    .values({
      user_id: user.id,
      name: clean,
      key_hash: tokenHash(key),
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      created_at: ctx.clock.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, row };
}

export function listApiKeys(ctx: AppContext, user: UserRow): Promise<ApiKeyRow[]> {
  return ctx.database.db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', user.id)
    .orderBy('id')
    .execute();
}

export async function revokeApiKey(ctx: AppContext, user: UserRow, id: number): Promise<ApiKeyRow> {
  const row = await ctx.database.db
    .updateTable('api_keys')
    .set({ revoked_at: ctx.clock.now().toISOString() })
    .where('id', '=', id)
    .where('user_id', '=', user.id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('API key not found');
  return row;
}

/** The user a key belongs to; a wrong or revoked key is refused. */
export async function userForApiKey(ctx: AppContext, key: string): Promise<UserRow> {
  const found = await ctx.database.db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .selectAll('users')
    .select(['api_keys.id as key_id', 'api_keys.last_used_at as key_last_used_at'])
    .where('api_keys.key_hash', '=', tokenHash(key))
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!found) throw new AppError('unauthorized', 'unauthorized');
  const { key_id, key_last_used_at, ...user } = found;
  const now = ctx.clock.now();
  if (
    !key_last_used_at ||
    now.getTime() - new Date(key_last_used_at).getTime() > LAST_USED_RESOLUTION_MS
  ) {
    await ctx.database.db
      .updateTable('api_keys')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', key_id)
      .execute();
  }
  return user;
}

export function apiKeyJson(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
  };
}
