/**
 * Queries on articles, their tags and their series, and the announcement of scheduled ones. The
 * dashboard's counts and the tags list are in listings.repository.ts.
 */
import type { DbHandle } from '../../db/database.ts';
import type { ArticleRow, ArticleUpdate, NewArticle, UserRow } from '../../db/schema.ts';

export interface ArticleQuery {
  /** Only articles published at or before this instant. */
  visibleAt?: string;
  userId?: number;
  published?: boolean;
  /** Articles with at least one of these tags. */
  anyTags?: string[];
  /** Articles with none of these tags. */
  excludeTags?: string[];
  seriesId?: number;
  /** Only articles published at or after this instant. */
  publishedSince?: string;
  order: 'newest' | 'oldest' | 'newest_created' | 'drafts_first';
  limit: number;
  offset: number;
}

const withTag = (db: DbHandle, names: string[]) =>
  db
    .selectFrom('article_tags')
    .innerJoin('tags', 'tags.id', 'article_tags.tag_id')
    .select('article_tags.article_id')
    .where('tags.name', 'in', names);

export function listArticles(db: DbHandle, q: ArticleQuery): Promise<ArticleRow[]> {
  let query = db.selectFrom('articles').selectAll('articles');
  if (q.visibleAt !== undefined) {
    query = query
      .where('articles.published', '=', 1)
      .where('articles.published_at', '<=', q.visibleAt);
  }
  if (q.published !== undefined)
    query = query.where('articles.published', '=', q.published ? 1 : 0);
  if (q.userId !== undefined) query = query.where('articles.user_id', '=', q.userId);
  if (q.seriesId !== undefined) query = query.where('articles.series_id', '=', q.seriesId);
  if (q.publishedSince !== undefined)
    query = query.where('articles.published_at', '>=', q.publishedSince);
  if (q.anyTags?.length) query = query.where('articles.id', 'in', withTag(db, q.anyTags));
  if (q.excludeTags?.length)
    query = query.where('articles.id', 'not in', withTag(db, q.excludeTags));
  switch (q.order) {
    case 'newest':
      query = query.orderBy('articles.published_at', 'desc');
      break;
    case 'oldest':
      query = query.orderBy('articles.published_at', 'asc');
      break;
    case 'newest_created':
      query = query.orderBy('articles.created_at', 'desc');
      break;
    case 'drafts_first':
      query = query
        .orderBy('articles.published', 'asc')
        .orderBy((eb) => eb.fn.coalesce('articles.published_at', 'articles.created_at'), 'desc');
      break;
  }
  return query.orderBy('articles.id', 'desc').limit(q.limit).offset(q.offset).execute();
}

export function findArticleById(db: DbHandle, id: number): Promise<ArticleRow | undefined> {
  return db.selectFrom('articles').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findArticleByPath(
  db: DbHandle,
  username: string,
  slug: string,
): Promise<ArticleRow | undefined> {
  return db
    .selectFrom('articles')
    .innerJoin('users', 'users.id', 'articles.user_id')
    .selectAll('articles')
    .where('users.username', '=', username)
    .where('articles.slug', '=', slug)
    .executeTakeFirst();
}

/** Which of these slugs the author's articles already use. */
export async function takenSlugs(
  db: DbHandle,
  userId: number,
  slugs: string[],
): Promise<Set<string>> {
  if (slugs.length === 0) return new Set();
  const rows = await db
    .selectFrom('articles')
    .select('slug')
    .where('user_id', '=', userId)
    .where('slug', 'in', slugs)
    .execute();
  return new Set(rows.map((row) => row.slug));
}

/** Inserts one author's articles in one statement; returns their rows in the order given. */
export async function insertArticles(db: DbHandle, values: NewArticle[]): Promise<ArticleRow[]> {
  if (values.length === 0) return [];
  const rows = await db.insertInto('articles').values(values).returningAll().execute();
  // RETURNING promises no order; an author's slugs are unique, so they put the rows in order.
  const bySlug = new Map(rows.map((row) => [row.slug, row]));
  return values.map((value) => bySlug.get(value.slug) as ArticleRow);
}

export function updateArticleRow(
  db: DbHandle,
  id: number,
  values: ArticleUpdate,
): Promise<ArticleRow> {
  return db
    .updateTable('articles')
    .set(values)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteArticleRow(db: DbHandle, id: number): Promise<void> {
  await db.deleteFrom('articles').where('id', '=', id).execute();
}

/** Replaces the article's tags, creating tags that do not exist yet. */
export async function setArticleTags(
  db: DbHandle,
  articleId: number,
  names: string[],
  now: string,
): Promise<void> {
  await db.deleteFrom('article_tags').where('article_id', '=', articleId).execute();
  await addArticleTags(db, [{ articleId, names }], now);
}

/** Gives articles that have no tags yet their tags, in order, creating tags that do not exist. */
export async function addArticleTags(
  db: DbHandle,
  tagged: Array<{ articleId: number; names: string[] }>,
  now: string,
): Promise<void> {
  const names = [...new Set(tagged.flatMap((article) => article.names))];
  if (names.length === 0) return;
  await db
    .insertInto('tags')
    .values(names.map((name) => ({ name, created_at: now })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const tags = await db
    .selectFrom('tags')
    .select(['id', 'name'])
    .where('name', 'in', names)
    .execute();
  const ids = new Map(tags.map((tag) => [tag.name, tag.id]));
  await db
    .insertInto('article_tags')
    .values(
      tagged.flatMap(({ articleId, names }) =>
        names.map((name, position) => ({
          article_id: articleId,
          tag_id: ids.get(name) as number,
          position,
        })),
      ),
    )
    .execute();
}

/** The id of the author's series with this name, created when missing. */
export async function ensureSeries(
  db: DbHandle,
  userId: number,
  name: string,
  now: string,
): Promise<number> {
  await db
    .insertInto('series')
    .values({ user_id: userId, name, created_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'name']).doNothing())
    .execute();
  const row = await db
    .selectFrom('series')
    .select('id')
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findSeries(db: DbHandle, id: number) {
  return db.selectFrom('series').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The authors of a set of articles, by id. */
export async function authorsOf(
  db: DbHandle,
  articles: ArticleRow[],
): Promise<Map<number, UserRow>> {
  const ids = [...new Set(articles.map((a) => a.user_id))];
  if (ids.length === 0) return new Map();
  const users = await db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
  return new Map(users.map((u) => [u.id, u]));
}

/** Ids of published articles whose time has come and that have not been announced yet. */
export async function dueForAnnouncement(
  db: DbHandle,
  now: string,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('articles')
    .select('id')
    .where('published', '=', 1)
    .where('announced_at', 'is', null)
    .where('published_at', '<=', now)
    .orderBy('published_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Marks the article announced if it still is due and not announced; undefined when it is not,
 * or when another transaction got there first.
 */
export function claimAnnouncement(
  db: DbHandle,
  id: number,
  now: string,
): Promise<ArticleRow | undefined> {
  return db
    .updateTable('articles')
    .set({ announced_at: now })
    .where('id', '=', id)
    .where('published', '=', 1)
    .where('announced_at', 'is', null)
    .where('published_at', '<=', now)
    .returningAll()
    .executeTakeFirst();
}

/** The earliest publication time of a published article not announced yet. */
export async function nextAnnouncementAt(db: DbHandle): Promise<string | null> {
  const row = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.min('published_at').as('at'))
    .where('published', '=', 1)
    .where('announced_at', 'is', null)
    .executeTakeFirst();
  return row?.at ? String(row.at) : null;
}
