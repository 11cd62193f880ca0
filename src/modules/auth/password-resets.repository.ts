/** Queries of password reset tokens, each looked up by the hash of its token. */
import type { Insertable, Selectable } from 'kysely';
import type { DbHandle } from '../../db/database.ts';
import type { PasswordResetsTable } from '../../db/schema.ts';

export type PasswordResetRow = Selectable<PasswordResetsTable>;

export async function insertPasswordReset(
  db: DbHandle,
  row: Insertable<PasswordResetsTable>,
): Promise<void> {
  await db.insertInto('password_resets').values(row).execute();
}

export function findPasswordReset(
  db: DbHandle,
  tokenHash: string,
): Promise<PasswordResetRow | undefined> {
  return db
    .selectFrom('password_resets')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/**
 * Marks the token used, unless it already is or has expired by `now`; false then (another
 * request used it first).
 */
export async function useResetToken(db: DbHandle, id: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends every other unused token of the account: one reset closes them all. */
export async function retireResetTokensOf(
  db: DbHandle,
  userId: number,
  now: string,
): Promise<void> {
  await db
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}
