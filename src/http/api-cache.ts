/**
 * The public API from the response cache: anonymous GETs of lists, one article, tags and users
 * are serialized once, compressed once, answered with ETag and 304, and dropped by key like
 * pages. They go through Fastify (not the fast path), so the API's rate limit counts them. A
 * request from someone identified (an API key, a session) is built for its caller and never
 * touches the cache: an author may see their own draft where anyone else gets a 404.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { SITE_KEY } from '../events/cache-keys.ts';
import type { CachePolicy } from './conditional.ts';
import { replyFromCache } from './shared-response-cache.ts';

/**
 * The query parameters each cached route reads. Others are left out of the key, so made-up
 * ones share the entry and can neither fill the cache nor make it build again.
 */
const PAGING = ['page', 'per_page'];
const ROUTES: Array<{ pattern: RegExp; params: readonly string[] }> = [
  {
    pattern: /^\/api\/articles$/,
    params: [...PAGING, 'tag', 'tags', 'tags_exclude', 'username', 'state', 'top', 'collection_id'],
  },
  { pattern: /^\/api\/articles\/latest$/, params: PAGING },
  { pattern: /^\/api\/articles\/\d+$/, params: [] },
  {
    // The caller's own lists (`/api/articles/me/...`) need a key and are never cached.
    pattern: /^\/api\/articles\/(?!me\/)[^/]+\/[^/]+$/,
    params: [],
  },
  { pattern: /^\/api\/tags$/, params: PAGING },
  { pattern: /^\/api\/users\/by_username$/, params: ['url'] },
  { pattern: /^\/api\/users\/(?!me$)[^/]+$/, params: [] },
];

/**
 * The cache key of a public API URL (`api:/api/articles?page=2&tag=rust`), or null when it is
 * not cached: a route not listed, a repeated parameter (which the route refuses).
 */
export function apiCacheKey(url: string): string | null {
  if (!url.startsWith('/api/')) return null;
  const [path = '', query = ''] = url.split('?', 2);
  const route = ROUTES.find((r) => r.pattern.test(path));
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

export interface PublicJson<T = unknown> {
  body: T;
  /** The cache keys of what the answer shows (`events/cache-keys.ts`). */
  keys: string[];
  /** When the answer changes without an event (a scheduled article going live), in ms. */
  expiresAt?: number;
}

/**
 * Answers a public API request: from the cache for anonymous callers, built for the caller
 * otherwise (then serialized by the route's response schema, as any answer).
 */
export async function publicJson<T>(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  build: () => Promise<PublicJson<T>>,
): Promise<T> {
  // Whoever is identified gets their own answer; a stale session cookie identifies nobody.
  const keyed = request.user !== null || request.headers['api-key'] !== undefined;
  const key = keyed ? null : apiCacheKey(request.url);
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
      };
    },
  );
  // The reply is sent with the cached bytes; Fastify takes a returned reply as "already sent".
  return (await sent) as T;
}
