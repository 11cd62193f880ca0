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

/** The cache key of a feed URL, or null when the URL is not a feed's. */
export function feedKeyOf(url: string): string | null {
  if (!url.startsWith('/feed') && !url.startsWith('/rss')) return null;
  const f = parseFeedUrl(url);
  return f ? feedKey(f) : null;
}

/** The route template (of those feedsRoutes registers) that serves a feed URL. */
export function feedRouteOf(url: string): string {
  const f = parseFeedUrl(url);
  if (!f) return UNMATCHED_ROUTE;
  if (f.scope.kind === 'author') return '/feed/:file';
  if (f.scope.kind === 'tag') return '/feed/tag/:file';
  if (f.format !== 'rss') return `/feed.${f.format}`;
  return url.startsWith('/rss') ? '/rss' : '/feed';
}
