/**
 * The queries of lists. A page is read in two steps: its ids, from an index range in the list's
 * own order (the index alone answers, so skipping earlier pages reads index entries, not rows),
 * then those rows by primary key, without the bodies unless the list shows one. The indexes are
 * made in migration 0006; docs/query-plans.md names the one each list uses. Also here: when the
 * next scheduled article goes live.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { DbHandle } from '../../db/database.ts';
import type { ArticleListRow, ArticleRow, Schema } from '../../db/schema.ts';

export interface ListQuery {
  /** Only articles published at or before this instant. */
  visibleAt?: string;
  /** Only articles published for after this instant: scheduled ones. */
  scheduledAfter?: string;
  published?: boolean;
  /** Only articles published at or after this instant. */
  publishedSince?: string;
  userId?: number;
  seriesId?: number;
  /** Articles with at least one of these tags. */
  anyTagIds?: number[];
  /** Articles with none of these tags. */
  excludeTagIds?: number[];
  order: 'newest' | 'oldest' | 'newest_created' | 'drafts_first';
  limit: number;
  offset: number;
}

/** Every column but the bodies. */
const LIST_COLUMNS = [
  'id',
  'user_id',
  'slug',
  'title',
  'description',
  'description_auto',
  'cover_image',
  'canonical_url',
  'series_id',
  'published',
  'published_at',
  'reading_time_minutes',
  'cached_tag_list',
  'created_at',
  'edited_at',
  'updated_at',
  'announced_at',
  'comments_count',
  'public_reactions_count',
  'last_comment_at',
] as const satisfies ReadonlyArray<keyof ArticleListRow>;

export type Body = 'body_html' | 'body_markdown';
export type ListRow<B extends Body = never> = ArticleListRow & Pick<ArticleRow, B>;

/** One page of a list: its rows in order, with the bodies asked for. */
export async function listArticles<B extends Body = never>(
  db: DbHandle,
  q: ListQuery,
  bodies: readonly B[] = [],
): Promise<Array<ListRow<B>>> {
  return rowsByIds(db, await pageIds(db, q), bodies);
}

/** Rows by id, in the order of the ids; an id deleted meanwhile is left out. */
export async function rowsByIds<B extends Body>(
  db: DbHandle,
  ids: number[],
  bodies: readonly B[],
): Promise<Array<ListRow<B>>> {
  if (ids.length === 0) return [];
  const columns: ReadonlyArray<keyof ArticleRow> = [...LIST_COLUMNS, ...bodies];
  const rows = (await db
    .selectFrom('articles')
    .select(columns)
    .where('id', 'in', ids)
    .execute()) as unknown as Array<ListRow<B>>;
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The ids of one page. A public list with tags and no author or series is read from the tags'
 * index ranges; every other list from an index on `articles` that starts with its author or
 * series (when it has one) and goes on in its order.
 */
function pageIds(db: DbHandle, q: ListQuery): Promise<number[]> {
  const tagged =
    q.anyTagIds !== undefined &&
    q.anyTagIds.length > 0 &&
    q.userId === undefined &&
    q.seriesId === undefined &&
    q.visibleAt !== undefined &&
    (q.order === 'newest' || q.order === 'oldest');
  if (!tagged) return articleIds(db, q);
  const tagIds = q.anyTagIds as number[];
  if (tagIds.length === 1) return taggedIds(db, q, tagIds[0] as number, q.limit, q.offset);
  return mergedTaggedIds(db, q, tagIds);
}

async function articleIds(db: DbHandle, q: ListQuery): Promise<number[]> {
  let query = db.selectFrom('articles').select('articles.id');
  if (q.userId !== undefined) query = query.where('articles.user_id', '=', q.userId);
  if (q.seriesId !== undefined) query = query.where('articles.series_id', '=', q.seriesId);
  if (q.visibleAt !== undefined)
    query = query
      .where('articles.published', '=', 1)
      .where('articles.published_at', '<=', q.visibleAt);
  if (q.scheduledAfter !== undefined)
    query = query
      .where('articles.published', '=', 1)
      .where('articles.published_at', '>', q.scheduledAfter);
  if (q.published !== undefined)
    query = query.where('articles.published', '=', q.published ? 1 : 0);
  if (q.publishedSince !== undefined)
    query = query.where('articles.published_at', '>=', q.publishedSince);
  // Each checked on the tags' primary key (article_id, tag_id), row by row as the scan goes.
  const anyTags = q.anyTagIds ?? [];
  if (anyTags.length > 0)
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('article_tags as t')
          .select('t.tag_id')
          .whereRef('t.article_id', '=', 'articles.id')
          .where('t.tag_id', 'in', anyTags),
      ),
    );
  const excluded = q.excludeTagIds ?? [];
  if (excluded.length > 0)
    query = query.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('article_tags as x')
            .select('x.tag_id')
            .whereRef('x.article_id', '=', 'articles.id')
            .where('x.tag_id', 'in', excluded),
        ),
      ),
    );
  switch (q.order) {
    case 'newest':
      query = query.orderBy('articles.published_at', 'desc').orderBy('articles.id', 'desc');
      break;
    case 'oldest':
      query = query.orderBy('articles.published_at', 'asc').orderBy('articles.id', 'asc');
      break;
    case 'newest_created':
      query = query.orderBy('articles.created_at', 'desc').orderBy('articles.id', 'desc');
      break;
    case 'drafts_first':
      // The expression of the index articles_mine, written the same way so both planners match it.
      query = query
        .orderBy('articles.published', 'asc')
        .orderBy(sql`coalesce(published_at, created_at)`, 'desc')
        .orderBy('articles.id', 'desc');
      break;
  }
  const rows = await query.limit(q.limit).offset(q.offset).execute();
  return rows.map((row) => row.id);
}

interface TaggedRow {
  article_id: number;
  published_at: string | null;
}

/** Visible articles carrying one tag, in the list's order, from after `after` when given. */
function taggedRows(
  db: DbHandle,
  q: ListQuery,
  tagId: number,
  limit: number,
  offset: number,
  after?: TaggedRow,
): Promise<TaggedRow[]> {
  const dir = q.order === 'oldest' ? 'asc' : 'desc';
  let query = db
    .selectFrom('article_tags')
    .select(['article_tags.article_id', 'article_tags.published_at'])
    .where('article_tags.tag_id', '=', tagId)
    .where('article_tags.published', '=', 1);
  const cursor = (eb: ExpressionBuilder<Schema, 'article_tags'>, last: TaggedRow) =>
    eb(
      eb.refTuple('article_tags.published_at', 'article_tags.article_id'),
      dir === 'desc' ? '<' : '>',
      eb.tuple(last.published_at, last.article_id),
    );
  // Newest first, the row read last was visible, so reading on from it needs no other upper
  // bound; with one, SQLite would start the range at the visible end and skip up to the cursor.
  if (after && dir === 'desc') query = query.where((eb) => cursor(eb, after));
  else {
    query = query.where('article_tags.published_at', '<=', q.visibleAt as string);
    if (after) query = query.where((eb) => cursor(eb, after));
  }
  if (q.publishedSince !== undefined)
    query = query.where('article_tags.published_at', '>=', q.publishedSince);
  const excluded = q.excludeTagIds ?? [];
  if (excluded.length > 0)
    query = query.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('article_tags as x')
            .select('x.tag_id')
            .whereRef('x.article_id', '=', 'article_tags.article_id')
            .where('x.tag_id', 'in', excluded),
        ),
      ),
    );
  return query
    .orderBy('article_tags.published_at', dir)
    .orderBy('article_tags.article_id', dir)
    .limit(limit)
    .offset(offset)
    .execute();
}

async function taggedIds(
  db: DbHandle,
  q: ListQuery,
  tagId: number,
  limit: number,
  offset: number,
): Promise<number[]> {
  const rows = await taggedRows(db, q, tagId, limit, offset);
  return rows.map((row) => row.article_id);
}

/**
 * Rows read at a time from each tag when several are merged. Small, so that each read takes a
 * part of a tag's range: asked for more rows than a small tag has, PostgreSQL's planner would
 * rather read them all and sort them than follow the index.
 */
const MERGE_CHUNK = 100;

/**
 * Articles carrying any of several tags: each tag's range is read in order, a chunk at a time,
 * and the ranges merged here, an article under two of the tags kept once. Reads about
 * (offset + limit) entries from each tag's range, never the rows of the articles skipped.
 */
async function mergedTaggedIds(db: DbHandle, q: ListQuery, tagIds: number[]): Promise<number[]> {
  const chunk = Math.min(q.offset + q.limit, MERGE_CHUNK);
  const newest = q.order !== 'oldest';
  const first = (a: TaggedRow, b: TaggedRow) => {
    // ISO-8601 timestamps of one form compare as text.
    const x = a.published_at ?? '';
    const y = b.published_at ?? '';
    const order = x !== y ? (x > y ? 1 : -1) : a.article_id - b.article_id;
    return newest ? order > 0 : order < 0;
  };
  const cursors = tagIds.map((tagId) => ({
    tagId,
    rows: [] as TaggedRow[],
    at: 0,
    done: false,
  }));
  const head = async (c: (typeof cursors)[number]) => {
    if (c.at < c.rows.length) return c.rows[c.at];
    if (c.done) return undefined;
    const after = c.rows.at(-1);
    c.rows = await taggedRows(db, q, c.tagId, chunk, 0, after);
    c.at = 0;
    c.done = c.rows.length < chunk;
    return c.rows[0];
  };
  const out: number[] = [];
  let skipped = 0;
  let last: number | undefined;
  while (out.length < q.limit) {
    let best: (typeof cursors)[number] | undefined;
    let bestRow: TaggedRow | undefined;
    for (const c of cursors) {
      const row = await head(c);
      if (row && (!bestRow || first(row, bestRow))) {
        best = c;
        bestRow = row;
      }
    }
    if (!best || !bestRow) break;
    best.at++;
    // An article's rows under each of its tags carry the same key, so they come out together.
    if (bestRow.article_id === last) continue;
    last = bestRow.article_id;
    if (skipped < q.offset) skipped++;
    else out.push(bestRow.article_id);
  }
  return out;
}

export interface StateCounts {
  drafts: number;
  scheduled: number;
  published: number;
}

/**
 * How many of the author's articles (or, with `userId` null, of the site's) are drafts,
 * scheduled after `now`, or published by then.
 */
export async function countArticlesByState(
  db: DbHandle,
  userId: number | null,
  now: string,
): Promise<StateCounts> {
  const row = await db
    .selectFrom('articles')
    .$if(userId !== null, (q) => q.where('user_id', '=', userId as number))
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

export interface TagCount {
  id: number;
  name: string;
  articles: number;
}

/**
 * Tags that visible articles carry, the most used first, from the counts kept on `tags`. Those
 * count scheduled articles too, so the ones not live at `visibleAt` are taken off here, counted
 * for the tags read only (an index range each), never for the whole site. Taking them off can
 * only move a tag down: a tag not read has at most the stored count of the last one read, so
 * once (offset + limit) of the tags read are still above that count, the page is settled;
 * otherwise twice as many are read.
 */
export async function listTagsByPopularity(
  db: DbHandle,
  visibleAt: string,
  limit: number,
  offset: number,
): Promise<TagCount[]> {
  const wanted = offset + limit;
  for (let take = wanted; ; take *= 2) {
    const rows: TagCount[] = await db
      .selectFrom('tags')
      .select(['id', 'name', 'published_count as articles'])
      .where('published_count', '>', 0)
      .orderBy('published_count', 'desc')
      .orderBy('name')
      .limit(take)
      .execute();
    const waiting = await waitingByTag(
      db,
      rows.map((tag) => tag.id),
      visibleAt,
    );
    if (waiting.size === 0) return rows.slice(offset, offset + limit);
    const live = rows
      .map((tag) => ({ ...tag, articles: tag.articles - (waiting.get(tag.id) ?? 0) }))
      .filter((tag) => tag.articles > 0)
      .sort((a, b) => b.articles - a.articles || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const floor = rows.at(-1)?.articles ?? 0;
    const settled = live.filter((tag) => tag.articles > floor).length;
    if (rows.length < take || settled >= wanted) return live.slice(offset, offset + limit);
  }
}

/** Tags counted by one statement of `waitingByTag`. */
const UNION_MAX = 200;

/** How many articles each of these tags carries that are published but not live at `visibleAt`. */
async function waitingByTag(
  db: DbHandle,
  tagIds: number[],
  visibleAt: string,
): Promise<Map<number, number>> {
  if (tagIds.length === 0) return new Map();
  // One index range per tag (a UNION ALL: an IN list over most of a small table's tags is
  // planned as a scan), counted here rather than grouped in SQL, which would sort: the rows are few.
  const range = (tagId: number) =>
    db
      .selectFrom('article_tags')
      .select('tag_id')
      .where('tag_id', '=', tagId)
      .where('published', '=', 1)
      .where('published_at', '>', visibleAt);
  const rows: Array<{ tag_id: number }> = [];
  // SQLite allows 500 terms in a compound SELECT: a deep page asks in parts.
  for (let start = 0; start < tagIds.length; start += UNION_MAX) {
    const [first, ...rest] = tagIds.slice(start, start + UNION_MAX).map(range);
    if (first) rows.push(...(await rest.reduce((q, next) => q.unionAll(next), first).execute()));
  }
  const waiting = new Map<number, number>();
  for (const { tag_id } of rows) waiting.set(tag_id, (waiting.get(tag_id) ?? 0) + 1);
  return waiting;
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
