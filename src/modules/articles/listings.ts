/** The article lists of the API: public, by author, by tag, by series, and the author's own. */
import type { AppContext } from '../../context.ts';
import type { ArticleListRow, ArticleRow, UserRow } from '../../db/schema.ts';
import { findUserByUsername } from '../users/users.service.ts';
import {
  HOME_KEY,
  listedCountKeys,
  listedKeys,
  seriesKey,
  tagKey,
} from '../../events/cache-keys.ts';
import { nextNewYear } from './articles.presenter.ts';
import { tagIdsByName } from './article-tags.repository.ts';
import {
  type Body,
  countArticlesByState,
  listArticles,
  rowsByIds,
  type ListQuery,
  type ListRow,
  nextScheduledPublication,
} from './listings.repository.ts';
import { authorsOf } from './articles.repository.ts';
import { isTagName, normalizeTags } from './articles.rules.ts';
import type { ListParams } from './articles.schemas.ts';

export const PER_PAGE_MAX = 1000;

/** An article in a list, with its author. Lists read no body unless they show one. */
export interface Listed<A extends ArticleListRow = ArticleListRow> {
  article: A;
  author: UserRow;
}

function paging(params: ListParams, fallback = 30, extra = 0) {
  const perPage = Math.min(params.per_page ?? fallback, PER_PAGE_MAX);
  return { limit: perPage + extra, offset: ((params.page ?? 1) - 1) * perPage };
}

async function withAuthors<A extends ArticleListRow>(
  ctx: AppContext,
  rows: A[],
): Promise<Array<Listed<A>>> {
  const authors = await authorsOf(ctx.database.db, rows);
  return rows.flatMap((article) => {
    const author = authors.get(article.user_id);
    return author ? [{ article, author }] : [];
  });
}

/** Articles by id, in the order of the ids, with their authors; those gone are left out. */
export async function listedByIds(ctx: AppContext, ids: number[]): Promise<Listed[]> {
  return withAuthors(ctx, await rowsByIds(ctx.database.db, ids, []));
}

/** One page of public articles, and whether an older page follows (for the site's pagers). */
export async function listPublicPage(
  ctx: AppContext,
  params: ListParams & { per_page: number },
): Promise<{ items: Listed[]; more: boolean }> {
  const found = await listPublicWith(ctx, params, 1, []);
  return { items: found.slice(0, params.per_page), more: found.length > params.per_page };
}

/** The same page for a feed, whose entries carry the article's HTML. */
export async function listFeedPage(
  ctx: AppContext,
  params: ListParams & { per_page: number },
): Promise<{ items: Array<Listed<ListRow<'body_html'>>>; more: boolean }> {
  const found = await listPublicWith(ctx, params, 1, ['body_html'] as const);
  return { items: found.slice(0, params.per_page), more: found.length > params.per_page };
}

/**
 * `GET /api/articles`: visible articles, filtered as Forem's parameters say. `extra` rows past
 * the page: one tells a pager whether an older page exists.
 */
export function listPublic(ctx: AppContext, params: ListParams, extra = 0): Promise<Listed[]> {
  return listPublicWith(ctx, params, extra, []);
}

async function listPublicWith<B extends Body>(
  ctx: AppContext,
  params: ListParams,
  extra: number,
  bodies: readonly B[],
): Promise<Array<Listed<ListRow<B>>>> {
  const now = ctx.clock.now();
  const query: ListQuery = {
    visibleAt: now.toISOString(),
    order: 'newest',
    ...paging(params, 30, extra),
  };
  const db = ctx.database.db;
  if (params.username !== undefined) {
    const user = await findUserByUsername(db, params.username.toLowerCase());
    if (!user) return [];
    query.userId = user.id;
    if (params.state === 'all' && params.per_page === undefined)
      Object.assign(query, paging(params, PER_PAGE_MAX, extra));
  }
  const anyTags = normalizeTags([
    ...(params.tag ? [params.tag] : []),
    ...(params.tags ? params.tags.split(',') : []),
  ]);
  if (anyTags.length > 0) {
    query.anyTagIds = await tagIdsByName(db, anyTags);
    // None of the tags exists: nothing carries them.
    if (query.anyTagIds.length === 0) return [];
  }
  if (params.tags_exclude) {
    const excluded = await tagIdsByName(db, normalizeTags(params.tags_exclude));
    if (excluded.length > 0) query.excludeTagIds = excluded;
  }
  if (params.top !== undefined)
    query.publishedSince = new Date(now.getTime() - params.top * 86_400_000).toISOString();
  if (params.collection_id !== undefined) {
    query.seriesId = params.collection_id;
    query.order = 'oldest';
  }
  return withAuthors(ctx, await listArticles(db, query, bodies));
}

/**
 * What a public list answer depends on, for the cache: which list it is (the site's; the tags
 * it takes or leaves out; a series), each article and author it shows; and when it changes
 * without an event: a scheduled article going live, the year turning (dates name it), and with
 * `top`, the oldest article shown leaving the window.
 */
export async function publicListCaching(
  ctx: AppContext,
  params: ListParams,
  items: Listed[],
): Promise<{ keys: string[]; softKeys: string[]; expiresAt: number }> {
  const now = ctx.clock.now();
  const keys = [HOME_KEY, ...listedKeys(items)];
  const tags = [
    ...normalizeTags([...(params.tag ? [params.tag] : []), ...(params.tags?.split(',') ?? [])]),
    ...normalizeTags(params.tags_exclude ?? ''),
  ];
  // A tag no article can carry changes no list: it names no key (and keeps odd bytes out of
  // the Surrogate-Key header).
  for (const tag of new Set(tags)) if (isTagName(tag)) keys.push(tagKey(tag));
  if (params.collection_id !== undefined) keys.push(seriesKey(params.collection_id));
  const scheduled = await nextScheduledPublication(ctx.database.db, now);
  let expiresAt = Math.min(scheduled?.getTime() ?? Infinity, nextNewYear(now));
  const oldest = items.at(-1)?.article.published_at;
  if (params.top !== undefined && oldest)
    expiresAt = Math.min(expiresAt, Date.parse(oldest) + params.top * 86_400_000);
  return { keys, softKeys: listedCountKeys(items), expiresAt };
}

export type MineFilter = 'published' | 'unpublished' | 'all';

/**
 * `GET /api/articles/me...`: the user's own articles, drafts and scheduled ones included, each
 * with its Markdown, which these lists show.
 */
export async function listMine(
  ctx: AppContext,
  user: UserRow,
  filter: MineFilter,
  params: ListParams,
): Promise<Array<Listed<ListRow<'body_markdown'>>>> {
  const query: ListQuery = { userId: user.id, ...paging(params), order: 'drafts_first' };
  if (filter === 'published') Object.assign(query, { published: true, order: 'newest' });
  if (filter === 'unpublished') Object.assign(query, { published: false, order: 'newest_created' });
  const rows = await listArticles(ctx.database.db, query, ['body_markdown'] as const);
  return rows.map((article) => ({ article, author: user }));
}

/** The articles of one series, oldest first, as far as the viewer may see them. */
export async function listSeries(ctx: AppContext, seriesId: number): Promise<Listed[]> {
  const query: ListQuery = {
    seriesId,
    visibleAt: ctx.clock.now().toISOString(),
    order: 'oldest',
    limit: 100,
    offset: 0,
  };
  return withAuthors(ctx, await listArticles(ctx.database.db, query));
}

/** Where an article stands for its author: not public, public later, or public now. */
export type OwnState = 'drafts' | 'scheduled' | 'published';

export function ownState(
  article: Pick<ArticleRow, 'published' | 'published_at'>,
  now: Date,
): OwnState {
  if (article.published === 0) return 'drafts';
  return article.published_at !== null && article.published_at <= now.toISOString()
    ? 'published'
    : 'scheduled';
}

/** How many of the author's articles are in each state. */
export async function countMineByState(
  ctx: AppContext,
  user: UserRow,
): Promise<Record<OwnState, number>> {
  return countArticlesByState(ctx.database.db, user.id, ctx.clock.now().toISOString());
}

/**
 * One page of the author's articles in one state, and whether another page follows: drafts
 * newest first, scheduled ones soonest first, published ones newest first.
 */
export async function listMineByState(
  ctx: AppContext,
  user: UserRow,
  state: OwnState,
  params: { page: number; per_page: number },
): Promise<{ items: Listed[]; more: boolean }> {
  const now = ctx.clock.now().toISOString();
  const page = paging(params, params.per_page, 1);
  const query: ListQuery =
    state === 'drafts'
      ? { userId: user.id, published: false, order: 'newest_created', ...page }
      : state === 'scheduled'
        ? { userId: user.id, scheduledAfter: now, order: 'oldest', ...page }
        : { userId: user.id, visibleAt: now, order: 'newest', ...page };
  const rows = await listArticles(ctx.database.db, query);
  return {
    items: rows.slice(0, params.per_page).map((article) => ({ article, author: user })),
    more: rows.length > params.per_page,
  };
}
