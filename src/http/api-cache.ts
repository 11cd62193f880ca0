/**
 * The public API from the response cache: anonymous GETs of lists, one article, tags and users
 * are serialized once, compressed once, answered with ETag and 304, and dropped by key like
 * pages. A request from someone identified (an API key, a session) is built for its caller and
 * never touches the cache: an author may see their own draft where anyone else gets a 404.
 * Entries already cached are answered by the fast path (`apiFastRoute`), which counts them
 * against the API's rate limit in the same counter as Fastify's routes. Search answers go the
 * same way, under keys and into a cache their route names (`modules/search/search.routes.ts`).
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { SITE_KEY } from '../events/cache-keys.ts';
import { UNMATCHED_ROUTE } from '../metrics/metrics.ts';
import type { CachePolicy } from './conditional.ts';
import type { FastRoute } from './fast-path.ts';
import { type RateCounter, rateLimitHeaders } from './rate-counter.ts';
import type { ResponseCache } from './response-cache.ts';
import { type CachedAs, replyFromCache } from './shared-response-cache.ts';

/**
 * The query parameters each cached route reads. Others are left out of the key, so made-up
 * ones share the entry and can neither fill the cache nor make it build again.
 */
const PAGING = ['page', 'per_page'];
const ROUTES: Array<{ pattern: RegExp; params: readonly string[]; route: string }> = [
  {
    pattern: /^\/api\/articles$/,
    params: [...PAGING, 'tag', 'tags', 'tags_exclude', 'username', 'state', 'top', 'collection_id'],
    route: '/api/articles',
  },
  { pattern: /^\/api\/articles\/latest$/, params: PAGING, route: '/api/articles/latest' },
  { pattern: /^\/api\/articles\/\d+$/, params: [], route: '/api/articles/:id' },
  {
    // The caller's own lists (`/api/articles/me/...`) need a key and are never cached.
    pattern: /^\/api\/articles\/(?!me\/)[^/]+\/[^/]+$/,
    params: [],
    route: '/api/articles/:username/:slug',
  },
  { pattern: /^\/api\/tags$/, params: PAGING, route: '/api/tags' },
  { pattern: /^\/api\/comments$/, params: ['a_id'], route: '/api/comments' },
  { pattern: /^\/api\/comments\/[0-9a-p]+$/, params: [], route: '/api/comments/:id' },
  { pattern: /^\/api\/users\/by_username$/, params: ['url'], route: '/api/users/by_username' },
  { pattern: /^\/api\/users\/(?!me$)[^/]+$/, params: [], route: '/api/users/:id' },
];

const routeOf = (path: string) => ROUTES.find((r) => r.pattern.test(path));

/**
 * The cache key of a public API URL (`api:/api/articles?page=2&tag=rust`), or null when it is
 * not cached: a route not listed, a repeated parameter (which the route refuses).
 */
export function apiCacheKey(url: string): string | null {
  if (!url.startsWith('/api/')) return null;
  const [path = '', query = ''] = url.split('?', 2);
  const route = routeOf(path);
  if (!route) return null;
  const given = new URLSearchParams(query);
  const kept: string[] = [];
  for (const name of route.params) {
    const values = given.getAll(name);
    if (values.length > 1) return null;
    if (values.length === 1) kept.push(`${name}=${encodeURIComponent(values[0] as string)}`);
  }
  return kept.length > 0 ? `api:${path}?${kept.join('&')}` : `api:${path}`;
}

/**
 * API clients ask again each time (with the ETag, for a 304); a shared cache in front may keep
 * an anonymous answer, never one for a caller with credentials.
 */
export function apiCachePolicy(config: { sharedMaxAge: number }): CachePolicy {
  return {
    maxAge: 0,
    sharedMaxAge: config.sharedMaxAge,
    vary: 'Accept-Encoding, Api-Key, Authorization, Cookie',
  };
}

export interface ApiLimit {
  counter: RateCounter;
  /** Requests a client may make in a window (QUIRE_API_RATE_LIMIT). */
  max: number;
  windowMs: number;
  /** The proxies whose X-Forwarded-For is believed (QUIRE_TRUSTED_PROXIES), as Fastify's. */
  trustedProxies: readonly string[];
}

/** Which API URLs a fast route serves, and from which cache. */
export interface ApiAnswers {
  /** The cache key of a URL, or null when it is not served from the cache. */
  key: (url: string) => string | null;
  /** The route template of a URL it keys. */
  route: (url: string) => string;
  /** The cache its entries are in, when not the response cache. */
  cache?: ResponseCache;
}

/** The routes of `ROUTES`, in the response cache. */
const LISTED: ApiAnswers = {
  key: apiCacheKey,
  route: (url) => routeOf(url.split('?', 1)[0] ?? '')?.route ?? UNMATCHED_ROUTE,
};

/**
 * The fast path's route for public API answers already cached: anonymous requests only (no API
 * key, no Authorization, no session cookie: those go to Fastify, which builds for the caller),
 * each counted against the API's rate limit under the same client key as Fastify's routes count
 * it (`ip:ADDRESS`), with the same headers. A client over its limit goes on to Fastify, which
 * answers the 429. `answers` are the routes of `ROUTES` unless given (search has its own).
 */
export function apiFastRoute(
  config: { sharedMaxAge: number },
  sessionCookie: string,
  limit: ApiLimit,
  answers: ApiAnswers = LISTED,
): FastRoute {
  const trust =
    limit.trustedProxies.length > 0 ? proxyAddr.compile([...limit.trustedProxies]) : null;
  const clientAddress = (req: IncomingMessage) =>
    trust ? proxyAddr(req, trust) : (req.socket.remoteAddress ?? '');
  return {
    key(url, req) {
      if (!url.startsWith('/api/')) return null;
      const { headers } = req;
      if (headers['api-key'] !== undefined || headers.authorization !== undefined) return null;
      if (headers.cookie?.includes(`${sessionCookie}=`)) return null;
      return answers.key(url);
    },
    route: answers.route,
    policy: apiCachePolicy(config),
    ...(answers.cache && { cache: answers.cache }),
    admit(req) {
      const count = limit.counter.hit(`ip:${clientAddress(req)}`, limit.windowMs);
      return count.current > limit.max ? null : rateLimitHeaders(count, limit.max);
    },
  };
}

export interface PublicJson<T = unknown> {
  body: T;
  /** The cache keys of what the answer shows (`events/cache-keys.ts`). */
  keys: string[];
  /** Keys of counts the answer shows, which may lag (`BuildResult.softKeys`). */
  softKeys?: string[];
  /** When the answer changes without an event (a scheduled article going live), in ms. */
  expiresAt?: number;
}

/**
 * Answers a public API request: from the cache for anonymous callers, built for the caller
 * otherwise (then serialized by the route's response schema, as any answer). The entry is the
 * URL's `apiCacheKey` in the response cache unless `cachedAs` says otherwise.
 */
export async function publicJson<T>(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  build: () => Promise<PublicJson<T>>,
  cachedAs?: CachedAs,
): Promise<T> {
  // Whoever is identified gets their own answer; a stale session cookie identifies nobody.
  const keyed = request.user !== null || request.headers['api-key'] !== undefined;
  const key = keyed ? null : cachedAs ? cachedAs.key : apiCacheKey(request.url);
  if (key === null) return (await build()).body;
  const sent: unknown = replyFromCache(
    ctx,
    request,
    reply,
    key,
    apiCachePolicy(ctx.config),
    async () => {
      const built = await build();
      return {
        representation: {
          body: JSON.stringify(built.body),
          type: 'application/json; charset=utf-8',
          lastModified: ctx.clock.now(),
        },
        expiresAt: built.expiresAt ?? Number.POSITIVE_INFINITY,
        keys: [SITE_KEY, ...built.keys],
        ...(built.softKeys && { softKeys: built.softKeys }),
      };
    },
    cachedAs?.cache,
  );
  // The reply is sent with the cached bytes; Fastify takes a returned reply as "already sent".
  return (await sent) as T;
}
