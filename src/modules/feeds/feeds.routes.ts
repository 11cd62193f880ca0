/** RSS, Atom and JSON Feed for the site, each author and each tag, answered from the feed cache. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { answerFromCache } from '../../http/conditional.ts';
import type { ResponseCache } from '../../http/response-cache.ts';
import { UrlInteger } from '../../http/url-numbers.ts';
import { cachedFeed, FEED_CACHE_CONTROL } from './feed-cache.ts';
import { FEED_PAGE_RANGE, parseFeedUrl } from './feed-urls.ts';

/** A broken `?page=` is a 422, as on pages and in the API, rather than a feed that is not there. */
const FeedQuery = Type.Object({ page: Type.Optional(UrlInteger(FEED_PAGE_RANGE)) });

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
