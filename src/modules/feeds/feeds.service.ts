/**
 * Feeds as cached responses: built when their content changes (the newest event moves, or a
 * scheduled article goes live), not per request, and shared by readers, the fast path and the
 * WebSub hub. What other modules need of feeds (reading a feed URL, the hub's address, when the
 * next scheduled article goes live) they take from here.
 */
import type { CachePolicy } from '../../http/conditional.ts';
import type { AppContext } from '../../context.ts';
import { renderAtom } from '../../feeds/atom.ts';
import { renderJsonFeed } from '../../feeds/json-feed.ts';
import type { FeedModel } from '../../feeds/model.ts';
import { renderRss } from '../../feeds/rss.ts';
import type { Encoding, ResponseCache } from '../../http/response-cache.ts';
import { type FeedFormat, feedKey, type FeedRequest } from './feed-urls.ts';
import { buildFeedModel, entriesChangedAt, nextScheduledAt } from './feed-model.ts';

export { type FeedRequest, parseFeedUrl } from './feed-urls.ts';
export { hubUrl, WEBSUB_PATH } from './hub-url.ts';
export { nextScheduledAt } from './feed-model.ts';

/**
 * Feed readers poll; a minute in their own cache is short next to their intervals. Feeds are
 * the same whoever asks, cookies or not.
 */
export function feedCachePolicy(config: { sharedMaxAge: number }): CachePolicy {
  return { maxAge: 60, sharedMaxAge: config.sharedMaxAge, vary: 'Accept-Encoding' };
}

const FORMATS: Record<FeedFormat, { type: string; render: (m: FeedModel) => string }> = {
  rss: { type: 'application/rss+xml; charset=utf-8', render: renderRss },
  atom: { type: 'application/atom+xml; charset=utf-8', render: renderAtom },
  json: { type: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
};

/**
 * `Link` with the feed's WebSub hub and its own URL (RFC 8288), so a reader can subscribe from
 * the headers alone; later pages, which cannot be subscribed to, name themselves only.
 */
function linkHeader(model: FeedModel, format: FeedFormat): string {
  const self = `<${model.links[format]}>; rel="self"`;
  return model.links.hub ? `<${model.links.hub}>; rel="hub", ${self}` : self;
}

/**
 * The feed's cached response, built when missing, once `encoding` is made; null when the feed
 * does not exist.
 */
export async function cachedFeed(
  ctx: AppContext,
  cache: ResponseCache,
  f: FeedRequest,
  encoding: Encoding = 'identity',
) {
  const version = await ctx.eventHead.current();
  return cache.get(
    feedKey(f),
    version,
    ctx.clock.now().getTime(),
    async () => {
      const built = await buildFeedModel(ctx, f.scope, f.page);
      if (!built) return null;
      const { model, keys } = built;
      const next = await nextScheduledAt(ctx);
      const changed = await entriesChangedAt(ctx);
      const { type, render } = FORMATS[f.format];
      // Not the body's date: an unrelated draft edit must not change the bytes or the ETag.
      const lastModified = changed && changed > model.updated ? changed : model.updated;
      return {
        representation: {
          body: render(model),
          type,
          lastModified,
          headers: { link: linkHeader(model, f.format) },
        },
        expiresAt: next ? next.getTime() : Number.POSITIVE_INFINITY,
        keys,
      };
    },
    encoding,
  );
}
