/**
 * `GET /api/search` (a Quire addition): published articles matching a query, best first, in the
 * list shape with a highlighted excerpt; or with `type=people` the accounts whose username or
 * name starts with it, or with `type=tags` the tags. Not cached: no event names what a search
 * shows (an edit that makes an article match names only that article).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { errorResponses, noAuth } from '../../http/openapi.ts';
import { sharedUserJson } from '../users/users.presenter.ts';
import { searchResultJson } from './search.presenter.ts';
import { SearchAnswer, SearchQueryString } from './search.schemas.ts';
import { searchPeoplePage, searchPublished, searchTagsPage } from './search.service.ts';

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
        reply.header('cache-control', 'no-store');
        const baseUrl = ctx.config.baseUrl;
        const { type = 'articles' } = request.query;
        if (type === 'people') {
          const people = await searchPeoplePage(ctx, request.query);
          return people.map((person) => sharedUserJson(person, baseUrl));
        }
        if (type === 'tags') return searchTagsPage(ctx, request.query);
        const found = await searchPublished(ctx, request.query);
        const o = { baseUrl, now: ctx.clock.now() };
        return found.map((item) => searchResultJson(item, o));
      },
    );
  };
}
