/**
 * Search: a query's text is checked, parsed (query.ts) and looked up in the database's full-text
 * index; the articles found come back in the order found, with their authors and an excerpt.
 */
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import { validationFailed } from '../../errors.ts';
import { type Listed, listedByIds, type OwnState, ownState } from '../articles/articles.service.ts';
import { WITHHELD } from '../articles/withholding.service.ts';
import { parseSearchQuery, searchable } from './query.ts';
import type { SearchType } from './search.schemas.ts';
import {
  type PeopleSearch,
  type PersonFound,
  type Rows,
  prefixRange,
  searchArticles,
  searchOwnArticles,
  searchPeople,
  searchTags,
  type TagFoundRow,
} from './search.repository.ts';
import {
  peoplePrefixes,
  queryProblems,
  SEARCH_CANDIDATES,
  SEARCH_PER_PAGE,
  SEARCH_PER_PAGE_MAX,
  tagPrefix,
} from './search.rules.ts';

export interface Found extends Listed {
  /** The body around the matches, with MARK_OPEN and MARK_CLOSE around each (unescaped). */
  excerpt: string;
}

/** What one search found, by the kind of thing it looked for. */
export type SearchResults =
  | { type: 'articles'; items: Found[] }
  | { type: 'people'; items: PersonFound[] }
  | { type: 'tags'; items: TagFoundRow[] };

export interface SearchParams {
  q: string;
  page?: number | undefined;
  per_page?: number | undefined;
}

/** The rows of the page asked for; a 422 for a blank or overlong query. */
function checkedPage(params: SearchParams): Rows {
  const problems = queryProblems(params.q);
  if (problems.length > 0) throw validationFailed(problems);
  const limit = Math.min(params.per_page ?? SEARCH_PER_PAGE, SEARCH_PER_PAGE_MAX);
  return { limit, offset: ((params.page ?? 1) - 1) * limit };
}

/** One page of published, live articles matching `q`; a 422 for a blank or overlong query. */
export async function searchPublished(ctx: AppContext, params: SearchParams): Promise<Found[]> {
  const page = checkedPage(params);
  const query = parseSearchQuery(params.q);
  if (!searchable(query)) return [];
  const hits = await searchArticles(ctx.database, query, {
    visibleAt: ctx.clock.now().toISOString(),
    candidates: SEARCH_CANDIDATES,
    ...page,
  });
  return found(ctx, hits);
}

/** The articles of the hits, in their order, with their authors and excerpts. */
async function found(
  ctx: AppContext,
  hits: ReadonlyArray<{ id: number; excerpt: string }>,
): Promise<Found[]> {
  const excerpts = new Map(hits.map((hit) => [hit.id, hit.excerpt]));
  const listed = await listedByIds(
    ctx,
    hits.map((hit) => hit.id),
  );
  return listed.map((item) => ({ ...item, excerpt: excerpts.get(item.article.id) ?? '' }));
}

/**
 * One page of the accounts (suspended ones never) whose username or name starts with `q`, case
 * aside, by username; a 422 for a blank or overlong query.
 */
export async function searchPeoplePage(
  ctx: AppContext,
  params: SearchParams,
): Promise<PersonFound[]> {
  const page = checkedPage(params);
  return searchPeople(ctx.database, peopleSearch(params.q, page));
}

/** What the people search of `q` looks for, in ranges. */
export function peopleSearch(q: string, page: Rows): PeopleSearch {
  const { username, name } = peoplePrefixes(q);
  return {
    username: username === null ? null : prefixRange(username),
    name: prefixRange(name),
    ...page,
  };
}

/** One page of the tags whose name starts with `q`, most used first; a 422 as for articles. */
export async function searchTagsPage(
  ctx: AppContext,
  params: SearchParams,
): Promise<TagFoundRow[]> {
  const page = checkedPage(params);
  const prefix = tagPrefix(params.q);
  return prefix === null ? [] : searchTags(ctx.database, prefixRange(prefix), page);
}

/** One page of whatever `type` names; a 422 for a blank or overlong query. */
export async function searchFor(
  ctx: AppContext,
  type: SearchType,
  params: SearchParams,
): Promise<SearchResults> {
  if (type === 'people') return { type, items: await searchPeoplePage(ctx, params) };
  if (type === 'tags') return { type, items: await searchTagsPage(ctx, params) };
  return { type, items: await searchPublished(ctx, params) };
}

/** One of the author's own articles found, with where it stands. */
export interface OwnFound extends Found {
  /** As the dashboard sorts it; `withheld` while the author is suspended. */
  state: OwnState | 'withheld';
}

/**
 * One page of the signed-in author's own articles matching `q`, drafts, scheduled and withheld
 * ones included, and whether another page follows; a 422 for a blank or overlong query.
 */
export async function searchOwn(
  ctx: AppContext,
  user: UserRow,
  params: SearchParams,
): Promise<{ items: OwnFound[]; more: boolean }> {
  const page = checkedPage(params);
  const query = parseSearchQuery(params.q);
  if (!searchable(query)) return { items: [], more: false };
  // One row past the page says whether another follows.
  const hits = await searchOwnArticles(ctx.database, query, {
    userId: user.id,
    limit: page.limit + 1,
    offset: page.offset,
  });
  const now = ctx.clock.now();
  const items = (await found(ctx, hits.slice(0, page.limit))).map((item) => ({
    ...item,
    state:
      item.article.published === WITHHELD ? ('withheld' as const) : ownState(item.article, now),
  }));
  return { items, more: hits.length > page.limit };
}
