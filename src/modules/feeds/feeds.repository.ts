/** The feeds' own query: when their entries last changed. */
import type { DbHandle } from '../../db/database.ts';

/** When the newest event that can take an entry out of a feed, or change one, was written. */
export async function newestEntryChange(db: DbHandle): Promise<Date | null> {
  const row = await db
    .selectFrom('events')
    .select('created_at')
    .where('type', 'in', [
      'article.published',
      'article.unpublished',
      'article.deleted',
      'article.updated',
      'user.updated',
      'site.updated',
    ])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? new Date(row.created_at) : null;
}
