/**
 * The one response cache of a process, per context: the web app serves pages and feeds from it
 * and the WebSub hub sends subscribers the same bytes from it, so a changed feed is rendered once
 * for readers and subscribers alike. A `quire worker` without the web app gets a cache of its
 * own. It follows the outbox through the context's event head: each event drops the entries
 * built from the keys it names.
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
import { type BuildResult, ResponseCache } from './response-cache.ts';

const caches = new WeakMap<AppContext, ResponseCache>();

export function responseCacheOf(ctx: AppContext): ResponseCache {
  let cache = caches.get(ctx);
  if (!cache) {
    const created = new ResponseCache({
      lookups: metricsOf(ctx).cacheLookups,
      maxBytes: ctx.config.cacheMb * 1024 * 1024,
      countLagMs: ctx.config.countLag * 1000,
      now: () => ctx.clock.now().getTime(),
    });
    ctx.eventHead.onKeys((keys, eventId) => created.invalidate(keys, eventId));
    caches.set(ctx, (cache = created));
  }
  return cache;
}

/**
 * Answers `request` from the cache entry under `key`, building it once when it is missing or
 * stale: the one way pages, feeds and the public API are served from the cache by Fastify (the
 * fast path serves current entries before it). `build` may throw (a 404) and nothing is kept.
 */
export async function replyFromCache(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  policy: CachePolicy,
  build: () => Promise<BuildResult>,
): Promise<FastifyReply> {
  const version = await ctx.eventHead.current();
  const now = ctx.clock.now().getTime();
  const encoding = chooseEncoding(headerText(request.headers['accept-encoding']));
  const cached = await responseCacheOf(ctx).get(key, version, now, build, encoding);
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
