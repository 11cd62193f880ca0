/**
 * Queries on single articles and their series, and the announcement of scheduled ones. Lists,
 * the dashboard's counts and the tags list are in listings.repository.ts; tags of articles in
 * article-tags.repository.ts.
 */
import type { Database, DbHandle } from '../../db/database.ts';
import type { ArticleRow, ArticleUpdate, NewArticle, UserRow } from '../../db/schema.ts';

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

/**
 * Holds the article's row until the transaction ends (PostgreSQL), so that another change of the
 * same article waits for this one rather than reading what this one is about to replace.
 */
export async function lockArticle(
  database: Pick<Database, 'forUpdate'>,
  db: DbHandle,
  id: number,
): Promise<void> {
  await database.forUpdate(db.selectFrom('articles').select('id').where('id', '=', id)).execute();
}

/**
 * Deletes an article with what refers to it: its comments (by the foreign key), and the
 * reactions and reports on it and on its comments, which name what they are on by type and id.
 */
export async function deleteArticleRow(db: DbHandle, id: number): Promise<void> {
  const comments = db.selectFrom('comments').select('id').where('article_id', '=', id);
  for (const table of ['reactions', 'reports'] as const) {
    const [type, itemId] =
      table === 'reactions'
        ? (['reactable_type', 'reactable_id'] as const)
        : (['reportable_type', 'reportable_id'] as const);
    await db
      .deleteFrom(table)
      .where((eb) =>
        eb.or([
          eb.and([eb(type, '=', 'Article'), eb(itemId, '=', id)]),
          eb.and([eb(type, '=', 'Comment'), eb(itemId, 'in', comments)]),
        ]),
      )
      .execute();
  }
  await db.deleteFrom('articles').where('id', '=', id).execute();
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

/**
 * The account writing, read in its write's transaction and held against a change of its
 * suspension until the transaction ends (a suspension updates the row first).
 */
export function writerForWrite(
  database: Pick<Database, 'forShare'>,
  db: DbHandle,
  userId: number,
): Promise<Pick<UserRow, 'suspended_at'> | undefined> {
  return database
    .forShare(db.selectFrom('users').select('suspended_at').where('id', '=', userId))
    .executeTakeFirst();
}

/** The authors of a set of articles, by id. */
export async function authorsOf(
  db: DbHandle,
  articles: ReadonlyArray<Pick<ArticleRow, 'user_id'>>,
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

/** Moves the author's articles from `published = from` to `to`; returns the ids moved. */
export async function moveAuthorArticlesState(
  db: DbHandle,
  userId: number,
  from: 1 | 2,
  to: 1 | 2,
): Promise<number[]> {
  const rows = await db
    .updateTable('articles')
    .set({ published: to })
    .where('user_id', '=', userId)
    .where('published', '=', from)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
