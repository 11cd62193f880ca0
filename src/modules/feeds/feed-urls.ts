/**
 * What a feed URL names (`/feed`, `/rss`, `/feed/ada.atom`, `/feed/tag/node.json?page=2`): its
 * scope, format and page, the cache key of that feed, and the route template that serves it.
 */
import { type IntegerRange, queryInteger } from '../../http/url-numbers.ts';
import { UNMATCHED_ROUTE } from '../../metrics/metrics.ts';
import type { FeedScope } from './feed-model.ts';

export type FeedFormat = 'rss' | 'atom' | 'json';

export interface FeedRequest {
  scope: FeedScope;
  format: FeedFormat;
  page: number;
}

export const FEED_PAGE_RANGE: IntegerRange = { minimum: 1, maximum: 10_000 };

const FILE = /^([a-z0-9_]{1,30})(?:\.(atom|json))?$/;

/** Reads a feed URL, or null when it names no feed. */
export function parseFeedUrl(url: string): FeedRequest | null {
  const [path = '', query = ''] = url.split('?', 2);
  const asked = queryInteger(query, 'page', FEED_PAGE_RANGE);
  if (asked === null) return null;
  const page = asked ?? 1;
  const site = /^\/(?:feed|rss)(?:\.(atom|json))?\/?$/.exec(path);
  if (site)
    return { scope: { kind: 'site' }, format: (site[1] as FeedFormat | undefined) ?? 'rss', page };
  const tag = /^\/feed\/tag\/([^/]+?)\/?$/.exec(path);
  const author = tag ? null : /^\/feed\/([^/]+?)\/?$/.exec(path);
  const match = FILE.exec(decodeURIComponent((tag ?? author)?.[1] ?? '').toLowerCase());
  if (!match?.[1]) return null;
  const format = (match[2] as FeedFormat | undefined) ?? 'rss';
  if (tag)
    return match[1].includes('_') ? null : { scope: { kind: 'tag', tag: match[1] }, format, page };
  return { scope: { kind: 'author', username: match[1] }, format, page };
}

export function feedKey(f: FeedRequest): string {
  const scope =
    f.scope.kind === 'site'
      ? 'site'
      : f.scope.kind === 'author'
        ? `@${f.scope.username}`
        : `#${f.scope.tag}`;
  return `feed:${scope}:${f.format}:${f.page}`;
}

/**
 * Keys of feed URLs asked for lately: readers ask for the same few feeds over and over, and a
 * look-up costs less than parsing. Bounded in count and URL length, since anyone makes up URLs.
 */
const keysOfUrls = new Map<string, string | null>();
const KEYS_REMEMBERED = 1024;
const URL_REMEMBERED_MAX = 256;

/** The cache key of a feed URL, or null when the URL is not a feed's. */
export function feedKeyOf(url: string): string | null {
  if (!url.startsWith('/feed') && !url.startsWith('/rss')) return null;
  let key = keysOfUrls.get(url);
  if (key !== undefined) return key;
  const f = parseFeedUrl(url);
  key = f ? feedKey(f) : null;
  if (url.length <= URL_REMEMBERED_MAX) {
    if (keysOfUrls.size >= KEYS_REMEMBERED) keysOfUrls.clear();
    keysOfUrls.set(url, key);
  }
  return key;
}

/**
 * The route template (of those feedsRoutes registers) that serves a feed URL, read from the key
 * feedKeyOf gave it, so the URL is not parsed twice.
 */
export function feedRouteOf(url: string, key: string | null = feedKeyOf(url)): string {
  if (key === null) return UNMATCHED_ROUTE;
  const [, scope = '', format = ''] = key.split(':', 3);
  if (scope.startsWith('@')) return '/feed/:file';
  if (scope.startsWith('#')) return '/feed/tag/:file';
  if (format !== 'rss') return `/feed.${format}`;
  return url.startsWith('/rss') ? '/rss' : '/feed';
}
