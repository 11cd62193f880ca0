/**
 * API keys: shown once at creation, stored only as a SHA-256 hash (the key is 192 random bits,
 * so a slow hash adds nothing), accepted until revoked.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { ownRow } from '../../db/own-row.ts';
import type { ApiKeyRow, UserRow } from '../../db/schema.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { tokenHash } from '../auth/auth.service.ts';
import {
  findKeyHolder,
  insertApiKey,
  listApiKeysOf,
  revokeApiKeyRow,
  touchApiKey,
} from './apikeys.repository.ts';

const KEY_PREFIX = 'quire_';
/** How stale `last_used_at` may get before a request refreshes it; saves a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const KEY_NOT_FOUND = 'API key not found';

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
  const row = await insertApiKey(ctx.database.db, {
    user_id: user.id,
    name: clean,
    key_hash: tokenHash(key),
    prefix: key.slice(0, KEY_PREFIX.length + 6),
    created_at: ctx.clock.now().toISOString(),
    last_used_at: null,
    revoked_at: null,
  });
  return { key, row };
}

export function listApiKeys(ctx: AppContext, user: UserRow): Promise<ApiKeyRow[]> {
  return listApiKeysOf(ctx.database.db, user.id);
}

/** Revokes one of the user's keys; someone else's, or one already revoked, is not found. */
export async function revokeApiKey(ctx: AppContext, user: UserRow, id: number): Promise<ApiKeyRow> {
  const { db } = ctx.database;
  await ownRow(db, 'api_keys', id, user.id, KEY_NOT_FOUND);
  const row = await revokeApiKeyRow(db, id, ctx.clock.now().toISOString());
  if (!row) throw notFound(KEY_NOT_FOUND);
  return row;
}

/** The user a key belongs to; a wrong or revoked key is refused. */
export async function userForApiKey(ctx: AppContext, key: string): Promise<UserRow> {
  const found = await findKeyHolder(ctx.database.db, tokenHash(key));
  if (!found) throw new AppError('unauthorized', 'unauthorized');
  const { key_id, key_last_used_at, ...user } = found;
  const now = ctx.clock.now();
  if (
    !key_last_used_at ||
    now.getTime() - new Date(key_last_used_at).getTime() > LAST_USED_RESOLUTION_MS
  ) {
    await touchApiKey(ctx.database.db, key_id, now.toISOString());
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
