/**
 * The one response cache of a process, per context: the web app serves pages and feeds from it
 * and the WebSub hub sends subscribers the same bytes from it, so a changed feed is rendered once
 * for readers and subscribers alike. A `quire worker` without the web app gets a cache of its
 * own. It follows the outbox through the context's event head: each event drops the entries
 * built from the keys it names.
 */
import type { AppContext } from '../context.ts';
import { metricsOf } from '../metrics/metrics.ts';
import { ResponseCache } from './response-cache.ts';

const caches = new WeakMap<AppContext, ResponseCache>();

export function responseCacheOf(ctx: AppContext): ResponseCache {
  let cache = caches.get(ctx);
  if (!cache) {
    const created = new ResponseCache({
      lookups: metricsOf(ctx).cacheLookups,
      maxBytes: ctx.config.cacheMb * 1024 * 1024,
    });
    ctx.eventHead.onKeys((keys, eventId) => created.invalidate(keys, eventId));
    caches.set(ctx, (cache = created));
  }
  return cache;
}
