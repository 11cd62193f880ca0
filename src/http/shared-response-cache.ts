/**
 * The response caches of a process, per context. The main one: the web app serves pages and
 * feeds from it and the WebSub hub sends subscribers the same bytes from it, so a changed feed is
 * rendered once for readers and subscribers alike. A `quire worker` without the web app gets a
 * cache of its own. Beside it, the cache of search answers, with its own smaller budget
 * (`QUIRE_SEARCH_CACHE_MB`): anyone can make up queries, and a crawl of them must not push the
 * site's pages out. Both follow the outbox through the context's event head: each event drops
 * the entries built from the keys it names.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { metricsOf } from '../metrics/metrics.ts';
import {
  answerFromCache,
  type CachedAnswer,
  type CachePolicy,
  chooseEncoding,
  headerText,
} from './conditional.ts';
import { type BuildResult, type CacheLookups, ResponseCache } from './response-cache.ts';

const caches = new WeakMap<AppContext, ResponseCache>();
const searchCaches = new WeakMap<AppContext, ResponseCache>();

function cacheOf(
  ctx: AppContext,
  made: WeakMap<AppContext, ResponseCache>,
  megabytes: number,
  lookups: CacheLookups,
): ResponseCache {
  let cache = made.get(ctx);
  if (!cache) {
    const created = new ResponseCache({
      lookups,
      maxBytes: megabytes * 1024 * 1024,
      countLagMs: ctx.config.countLag * 1000,
      now: () => ctx.clock.now().getTime(),
    });
    ctx.eventHead.onKeys((keys, eventId) => created.invalidate(keys, eventId));
    made.set(ctx, (cache = created));
  }
  return cache;
}

/** The cache of pages, feeds and public API answers. */
export function responseCacheOf(ctx: AppContext): ResponseCache {
  return cacheOf(ctx, caches, ctx.config.cacheMb, metricsOf(ctx).cacheLookups);
}

/** The cache of search answers, pages and API alike, within `QUIRE_SEARCH_CACHE_MB`. */
export function searchCacheOf(ctx: AppContext): ResponseCache {
  return cacheOf(ctx, searchCaches, ctx.config.searchCacheMb, metricsOf(ctx).searchCacheLookups);
}

/** Where an answer is cached, when not where its route's URL would put it by default. */
export interface CachedAs {
  /** Its cache key; null: not cached, built for the request. */
  key: string | null;
  cache: ResponseCache;
}

/**
 * Answers `request` from the cache entry under `key`, building it once when it is missing or
 * stale: the one way pages, feeds and the public API are served from the cache by Fastify (the
 * fast path serves current entries before it). `build` may throw (a 404) and nothing is kept.
 * `cache` is the response cache unless given (search answers have their own).
 */
export async function replyFromCache(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  policy: CachePolicy,
  build: () => Promise<BuildResult>,
  cache: ResponseCache = responseCacheOf(ctx),
): Promise<FastifyReply> {
  const version = await ctx.eventHead.current();
  const now = ctx.clock.now().getTime();
  const encoding = chooseEncoding(headerText(request.headers['accept-encoding']));
  const cached = await cache.get(key, version, now, build, encoding);
  if (!cached) throw new Error(`the cached answer for ${key} was built as nothing`);
  return sendAnswer(reply, answerFromCache(cached.entry, request, policy, cached.hit, now));
}

/** Sends an answer worked out from a cache entry through Fastify. */
export function sendAnswer(reply: FastifyReply, answer: CachedAnswer): FastifyReply {
  reply.status(answer.status);
  const { headers } = answer;
  for (let i = 0; i < headers.length; i += 2) reply.header(headers[i] ?? '', headers[i + 1]);
  return reply.send(answer.body ?? undefined);
}
