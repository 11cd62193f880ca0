/**
 * `GET /api/search` (a Quire addition): published articles matching a query, best first, in the
 * list shape with a highlighted excerpt; or with `type=people` the accounts whose username or
 * name starts with it, or with `type=tags` the tags. Anonymous answers are kept in the cache of
 * search answers (search-cache.ts says under which key, and what drops them) and served by the
 * fast path like the API's other public reads; a caller with a key gets its own, never stored.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { publicJson } from '../../http/api-cache.ts';
import { errorResponses, noAuth } from '../../http/openapi.ts';
import { searchCacheOf } from '../../http/shared-response-cache.ts';
import { searchAnswerCaching, searchApiAsked, searchApiKey } from './search-cache.ts';
import { searchAnswerJson } from './search.presenter.ts';
import { SearchAnswer, SearchQueryString } from './search.schemas.ts';
import { searchFor } from './search.service.ts';

export function searchRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/search',
      {
        schema: {
          operationId: 'searchArticles',
          tags: ['search'],
          summary:
            'Published articles matching a query, best first; or people or tags by prefix (a Quire addition)',
          description:
            'type=articles (the default) answers SearchResult items; type=people answers SharedUser items (accounts whose username or name starts with q, case aside, by username; suspended accounts never); type=tags answers TagFound items (tags whose name starts with q, most used first).',
          security: noAuth,
          querystring: SearchQueryString,
          response: { ...errorResponses, 200: SearchAnswer },
        },
      },
      async (request, reply) => {
        // Answers built for a caller (or refused) are theirs; cached ones say otherwise.
        reply.header('cache-control', 'no-store');
        // The search the cache key names, read from the URL as the fast path reads it.
        const asked = searchApiAsked(request.url);
        const { type = 'articles', ...params } = asked ?? request.query;
        return publicJson(
          ctx,
          request,
          reply,
          async () => {
            const results = await searchFor(ctx, type, params);
            const o = { baseUrl: ctx.config.baseUrl, now: ctx.clock.now() };
            return {
              body: searchAnswerJson(results, o),
              ...(await searchAnswerCaching(ctx, results)),
            };
          },
          { key: asked && searchApiKey(asked), cache: searchCacheOf(ctx) },
        );
      },
    );
  };
}
