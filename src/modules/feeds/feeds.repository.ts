/** The feeds' own queries: when cached feeds expire, and when their entries last changed. */
import type { DbHandle } from '../../db/database.ts';

/** When the next scheduled article goes live, if one is waiting. */
export async function nextScheduledPublication(db: DbHandle, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.min('published_at').as('at'))
    .where('published', '=', 1)
    .where('published_at', '>', now.toISOString())
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}

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
