/** Queries on `feed_items`: which items an author has imported, and the article each became. */
import { sql } from 'kysely';
import type { DbHandle } from '../../db/database.ts';

/** The keys among `keys` that the user has imported before. */
export async function importedKeys(
  db: DbHandle,
  userId: number,
  keys: string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('feed_items')
    .select('item_key')
    .where('user_id', '=', userId)
    .where('item_key', 'in', keys)
    .execute();
  return new Set(rows.map((row) => row.item_key));
}

/**
 * Claims item keys for an import, before their articles exist: a concurrent import of the same
 * items then skips them instead of failing. Returns the row id of each key claimed here; keys
 * already taken are left out.
 */
export async function claimItems(
  db: DbHandle,
  userId: number,
  keys: string[],
  sourceId: number | null,
  now: string,
): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .insertInto('feed_items')
    .values(
      keys.map((key) => ({
        user_id: userId,
        item_key: key,
        article_id: null,
        feed_source_id: sourceId,
        imported_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['user_id', 'item_key']).doNothing())
    .returning(['id', 'item_key'])
    .execute();
  return new Map(rows.map((row) => [row.item_key, row.id]));
}

export interface ItemLink {
  itemId: number;
  articleId: number;
}

/** Records the article each claimed item became, in one statement. */
export async function linkItems(db: DbHandle, links: ItemLink[]): Promise<void> {
  if (links.length === 0) return;
  const id = (articleId: number) => sql<number>`cast(${articleId} as bigint)`;
  const [first, ...rest] = links as [ItemLink, ...ItemLink[]];
  await db
    .updateTable('feed_items')
    .set((eb) => {
      // PostgreSQL types a bare parameter in a CASE result as text; the cast keeps it an id.
      let articleOf = eb.case('id').when(first.itemId).then(id(first.articleId));
      for (const link of rest) articleOf = articleOf.when(link.itemId).then(id(link.articleId));
      return { article_id: articleOf.end() };
    })
    .where(
      'id',
      'in',
      links.map((link) => link.itemId),
    )
    .execute();
}
