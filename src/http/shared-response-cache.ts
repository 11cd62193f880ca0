/**
 * The one response cache of a process, per context: the web app serves feeds from it and the
 * WebSub hub sends subscribers the same bytes from it, so a changed feed is rendered once for
 * readers and subscribers alike. A `quire worker` without the web app gets a cache of its own.
 */
import type { AppContext } from '../context.ts';
import { metricsOf } from '../metrics/metrics.ts';
import { ResponseCache } from './response-cache.ts';

const caches = new WeakMap<AppContext, ResponseCache>();

export function responseCacheOf(ctx: AppContext): ResponseCache {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new ResponseCache({ lookups: metricsOf(ctx).cacheLookups });
    caches.set(ctx, cache);
  }
  return cache;
}
