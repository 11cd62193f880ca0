/**
 * Search answers in the cache of search answers (`searchCacheOf`): the key an answer is kept
 * under, read from its URL the same way by the fast path and the route, and the cache keys it
 * depends on. A key holds what the search actually looks for, so queries that cannot differ in
 * their answer share an entry: an article search by its parsed tree (case, accents and spacing
 * already gone), people by the prefixes looked up (ASCII case folded,
 * as both databases' `lower()` fold it), tags by their prefix. The page shows the query, so its
 * key keeps the query's text, normalised (NFC, trimmed, runs of spaces as one); the page then
 * searches and shows that text.
 */
import type { AppContext } from '../../context.ts';
import {
  listedCountKeys,
  listedKeys,
  PEOPLE_KEY,
  SEARCH_KEY,
  TAG_LIST_KEY,
  userKey,
} from '../../events/cache-keys.ts';
import { PAGE_RANGE, queryInteger } from '../../http/url-numbers.ts';
import { nextNewYear } from '../articles/articles.presenter.ts';
import { nextScheduledAt } from '../articles/articles.service.ts';
import { parseSearchQuery } from './query.ts';
import {
  peoplePrefixes,
  queryProblems,
  SEARCH_PER_PAGE,
  SEARCH_PER_PAGE_MAX,
  tagPrefix,
} from './search.rules.ts';
import type { SearchType } from './search.schemas.ts';
import type { SearchResults } from './search.service.ts';

/** One search as a URL asks for it. */
export interface SearchAsked {
  type: SearchType;
  q: string;
  page: number;
  per_page: number;
}

const TYPES: readonly string[] = ['articles', 'people', 'tags'];

/** A query as the page keeps and shows it: NFC, trimmed, each run of spaces one space. */
export function normalizedQuery(q: string): string {
  return q.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** The parameters of a URL's query string, each given at most once; null if one is repeated. */
function single(url: string, names: readonly string[]): Map<string, string> | null {
  const given = new URLSearchParams(url.split('?', 2)[1] ?? '');
  const out = new Map<string, string>();
  for (const name of names) {
    const values = given.getAll(name);
    if (values.length > 1) return null;
    if (values[0] !== undefined) out.set(name, values[0]);
  }
  return out;
}

const pathOf = (url: string) => url.split('?', 1)[0] ?? '';

/**
 * The search `GET /api/search?...` asks for, when its answer may come from the cache: null for
 * another path, a repeated or broken parameter, or a query refused (blank, too long), all of
 * which the route answers (with a 4xx) and none of which is kept.
 */
export function searchApiAsked(url: string): SearchAsked | null {
  if (pathOf(url) !== '/api/search') return null;
  const params = single(url, ['q', 'type', 'page', 'per_page']);
  const q = params?.get('q');
  if (!params || q === undefined || queryProblems(q).length > 0) return null;
  const type = params.get('type') ?? 'articles';
  if (!TYPES.includes(type)) return null;
  const query = url.split('?', 2)[1] ?? '';
  const page = queryInteger(query, 'page', PAGE_RANGE);
  const perPage = queryInteger(query, 'per_page', { minimum: 1, maximum: SEARCH_PER_PAGE_MAX });
  if (page === null || perPage === null) return null;
  return { type: type as SearchType, q, page: page ?? 1, per_page: perPage ?? SEARCH_PER_PAGE };
}

/**
 * The search `/search?...` asks for, with its query normalised, when the page may come from the
 * cache: null for another path, a repeated parameter, a broken page number, or a query too long
 * (answered 422 by the route). Any `type` but people and tags shows articles, as the page does.
 */
export function searchPageAsked(url: string, perPage: number): SearchAsked | null {
  const path = pathOf(url);
  if (path !== '/search' && path !== '/search/') return null;
  const params = single(url, ['q', 'type', 'page']);
  if (!params) return null;
  const q = normalizedQuery(params.get('q') ?? '');
  if (q !== '' && queryProblems(q).length > 0) return null;
  const type = params.get('type');
  const page = queryInteger(url.split('?', 2)[1] ?? '', 'page', PAGE_RANGE);
  if (page === null) return null;
  return {
    type: type === 'people' || type === 'tags' ? type : 'articles',
    q,
    page: page ?? 1,
    per_page: perPage,
  };
}

/** ASCII letters in lower case, the rest as it is: what every `lower()` of both databases does. */
const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** What the search looks for, as text: two queries with the same form have the same answer. */
function searchedForm(type: SearchType, q: string): string {
  if (type === 'people') {
    const { username, name } = peoplePrefixes(q);
    return JSON.stringify([username, asciiLower(name)]);
  }
  if (type === 'tags') return tagPrefix(q) ?? '';
  return JSON.stringify(parseSearchQuery(q));
}

/** The cache key of an API answer. */
export function searchApiKey(asked: SearchAsked): string {
  const form = encodeURIComponent(searchedForm(asked.type, asked.q));
  return `api:/api/search?type=${asked.type}&page=${asked.page}&per_page=${asked.per_page}&q=${form}`;
}

/** The cache key of a page, which shows the query as given (normalised). */
export function searchPageKey(asked: SearchAsked): string {
  return `page:/search?type=${asked.type}&page=${asked.page}&q=${encodeURIComponent(asked.q)}`;
}

/**
 * What a search answer depends on: articles on `search` (which articles can be found, by what),
 * on each article and author shown, softly on their counts, and on a scheduled article going
 * live or the year turning (dates name it); people on `people` and each account shown; tags on
 * `tag-list`.
 */
export async function searchAnswerCaching(
  ctx: AppContext,
  results: SearchResults,
): Promise<{ keys: string[]; softKeys?: string[]; expiresAt: number }> {
  if (results.type === 'people')
    return {
      keys: [PEOPLE_KEY, ...results.items.map((person) => userKey(person.id))],
      expiresAt: Number.POSITIVE_INFINITY,
    };
  if (results.type === 'tags') return { keys: [TAG_LIST_KEY], expiresAt: Number.POSITIVE_INFINITY };
  const now = ctx.clock.now();
  const scheduled = await nextScheduledAt(ctx);
  return {
    keys: [SEARCH_KEY, ...listedKeys(results.items)],
    softKeys: listedCountKeys(results.items),
    expiresAt: Math.min(scheduled?.getTime() ?? Number.POSITIVE_INFINITY, nextNewYear(now)),
  };
}
