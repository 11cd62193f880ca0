/**
 * The row of an account's own, by id: what an author may read, change or delete of theirs
 * (webhook endpoints, API keys, feed sources). Someone else's row is as unknown as a missing one,
 * so a 404 tells nothing about which ids exist.
 */
import type { Kysely, Selectable } from 'kysely';
import { notFound } from '../errors.ts';
import type { DbHandle } from './database.ts';
import type { Schema } from './schema.ts';

/** The tables whose rows have a numeric id and belong to one account. */
export type OwnedTable = {
  [T in keyof Schema]: Schema[T] extends { user_id: number }
    ? Selectable<Schema[T]> extends { id: number }
      ? T
      : never
    : never;
}[keyof Schema];

/** The user's row of `table` with this id, or a 404 saying `what` was not found. */
export async function ownRow<T extends OwnedTable>(
  db: DbHandle,
  table: T,
  id: number,
  userId: number,
  what = 'not found',
): Promise<Selectable<Schema[T]>> {
  // Kysely cannot resolve columns of a table it only knows as a type parameter; every owned
  // table has these two, and the row comes back typed as the table's own.
  const owned = db as unknown as Kysely<Record<string, { id: number; user_id: number }>>;
  const row = await owned
    .selectFrom(table as string)
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) throw notFound(what);
  return row as Selectable<Schema[T]>;
}
