/**
 * RSS, Atom and JSON Feed for the site, each author and each tag, answered from the feed cache.
 * Fast path: a feed already cached is answered by src/http/fast-path.ts before these routes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { answerFromCache, chooseEncoding, headerText } from '../../http/conditional.ts';
import type { ResponseCache } from '../../http/response-cache.ts';
import { sendAnswer } from '../../http/shared-response-cache.ts';
import { cachedFeed, feedCachePolicy } from './feeds.service.ts';
import { parseFeedUrl } from './feed-urls.ts';
import { FeedQuery } from './feeds.schemas.ts';

export function feedsRoutes(ctx: AppContext, cache: ResponseCache) {
  return async (app: FastifyInstance) => {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const f = parseFeedUrl(request.url);
      if (!f) throw notFound('No such feed');
      const encoding = chooseEncoding(headerText(request.headers['accept-encoding']));
      const cached = await cachedFeed(ctx, cache, f, encoding);
      if (!cached)
        throw notFound(
          f.scope.kind === 'tag' ? 'No articles carry this tag' : 'No one here goes by that name',
        );
      return sendAnswer(
        reply,
        answerFromCache(
          cached.entry,
          request,
          feedCachePolicy(ctx.config),
          cached.hit,
          ctx.clock.now().getTime(),
        ),
      );
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
