/**
 * RSS, Atom and JSON Feed for the site, each author and each tag. Feeds are built when their
 * content changes (the newest event moves, or a scheduled article goes live), not per request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { renderAtom } from '../../feeds/atom.ts';
import {
  buildFeedModel,
  entriesChangedAt,
  type FeedScope,
  nextScheduledAt,
} from '../../feeds/build-model.ts';
import { renderJsonFeed } from '../../feeds/json-feed.ts';
import type { FeedModel } from '../../feeds/model.ts';
import { renderRss } from '../../feeds/rss.ts';
import { answerFromCache } from '../../http/conditional.ts';
import type { ResponseCache } from '../../http/response-cache.ts';
import { UNMATCHED_ROUTE } from '../../metrics/metrics.ts';
import { type IntegerRange, queryInteger, UrlInteger } from '../../http/url-numbers.ts';

export type FeedFormat = 'rss' | 'atom' | 'json';

/**
 * `Link` with the feed's WebSub hub and its own URL (RFC 8288), so a reader can subscribe from
 * the headers alone; later pages, which cannot be subscribed to, name themselves only.
 */
function linkHeader(model: FeedModel, format: FeedFormat): string {
  const self = `<${model.links[format]}>; rel="self"`;
  return model.links.hub ? `<${model.links.hub}>; rel="hub", ${self}` : self;
}

/** Feed readers poll; a minute of shared caching is short next to their intervals. */
export const FEED_CACHE_CONTROL = 'public, max-age=60';

const FORMATS: Record<FeedFormat, { type: string; render: (m: FeedModel) => string }> = {
  rss: { type: 'application/rss+xml; charset=utf-8', render: renderRss },
  atom: { type: 'application/atom+xml; charset=utf-8', render: renderAtom },
  json: { type: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
};

const FILE = /^([a-z0-9_]{1,30})(?:\.(atom|json))?$/;

const FEED_PAGE_RANGE: IntegerRange = { minimum: 1, maximum: 10_000 };
/** A broken `?page=` is a 422, as on pages and in the API, rather than a feed that is not there. */
const FeedQuery = Type.Object({ page: Type.Optional(UrlInteger(FEED_PAGE_RANGE)) });

export interface FeedRequest {
  scope: FeedScope;
  format: FeedFormat;
  page: number;
}

/** Reads a feed URL (`/feed`, `/rss`, `/feed/ada.atom`, `/feed/tag/node.json?page=2`), or null. */
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

/** Builds the feed's cached response for the current content version; null when it does not exist. */
export async function cachedFeed(ctx: AppContext, cache: ResponseCache, f: FeedRequest) {
  const version = await ctx.eventHead.current();
  return cache.get(feedKey(f), version, ctx.clock.now().getTime(), async () => {
    const model = await buildFeedModel(ctx, f.scope, f.page);
    if (!model) return null;
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
    };
  });
}

export function feedsRoutes(ctx: AppContext, cache: ResponseCache) {
  return async (app: FastifyInstance) => {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const f = parseFeedUrl(request.url);
      if (!f) throw notFound('No such feed');
      const entry = await cachedFeed(ctx, cache, f);
      if (!entry)
        throw notFound(
          f.scope.kind === 'tag' ? 'No articles carry this tag' : 'No one here goes by that name',
        );
      const answer = answerFromCache(entry, request, FEED_CACHE_CONTROL);
      reply.status(answer.status).headers(answer.headers);
      return reply.send(answer.body ?? undefined);
    };
    const hide = { schema: { hide: true, querystring: FeedQuery } };
    for (const path of [
      '/feed',
      '/feed.atom',
      '/feed.json',
      '/rss',
      '/feed/:file',
      '/feed/tag/:file',
    ]) {
      app.get(path, hide, handler);
    }
  };
}
