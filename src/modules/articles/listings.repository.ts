/**
 * Queries for the author's dashboard (counts and pages by state), the tags list, and when the
 * next scheduled article goes live.
 */
import type { DbHandle } from '../../db/database.ts';
import type { ArticleRow } from '../../db/schema.ts';

export interface StateCounts {
  drafts: number;
  scheduled: number;
  published: number;
}

/** How many of the author's articles are drafts, scheduled after `now`, or published by then. */
export async function countArticlesByState(
  db: DbHandle,
  userId: number,
  now: string,
): Promise<StateCounts> {
  const row = await db
    .selectFrom('articles')
    .where('user_id', '=', userId)
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('published', '=', 0).as('drafts'),
      eb.fn
        .countAll<number>()
        .filterWhere((f) => f.and([f('published', '=', 1), f('published_at', '>', now)]))
        .as('scheduled'),
      eb.fn
        .countAll<number>()
        .filterWhere((f) => f.and([f('published', '=', 1), f('published_at', '<=', now)]))
        .as('published'),
    ])
    .executeTakeFirstOrThrow();
  return {
    drafts: Number(row.drafts),
    scheduled: Number(row.scheduled),
    published: Number(row.published),
  };
}

/** The author's articles published for after `now`, soonest first. */
export function listScheduledOf(
  db: DbHandle,
  userId: number,
  now: string,
  limit: number,
  offset: number,
): Promise<ArticleRow[]> {
  return db
    .selectFrom('articles')
    .selectAll()
    .where('user_id', '=', userId)
    .where('published', '=', 1)
    .where('published_at', '>', now)
    .orderBy('published_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export interface TagCount {
  id: number;
  name: string;
  articles: number;
}

/** Tags that visible articles carry, the most used first. */
export function listTagsByPopularity(
  db: DbHandle,
  visibleAt: string,
  limit: number,
  offset: number,
): Promise<TagCount[]> {
  return (
    db
      .selectFrom('tags')
      .innerJoin('article_tags', 'article_tags.tag_id', 'tags.id')
      // Only visible articles count, so a tag used by drafts alone is not shown to anyone.
      .innerJoin('articles', (join) =>
        join
          .onRef('articles.id', '=', 'article_tags.article_id')
          .on('articles.published', '=', 1)
          .on('articles.published_at', '<=', visibleAt),
      )
      .select(['tags.id', 'tags.name'])
      .select((eb) => eb.fn.count<number>('articles.id').as('articles'))
      .groupBy(['tags.id', 'tags.name'])
      .orderBy('articles', 'desc')
      .orderBy('tags.name')
      .limit(limit)
      .offset(offset)
      .execute()
  );
}

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
