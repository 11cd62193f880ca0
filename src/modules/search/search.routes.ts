/**
 * `GET /api/search` (a Quire addition): published articles matching a query, best first, in the
 * list shape with a highlighted excerpt. Not cached: no event names what a search shows.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { errorResponses, noAuth } from '../../http/openapi.ts';
import { Ref } from '../../http/schemas.ts';
import { searchResultJson } from './search.presenter.ts';
import { SearchQueryString, SearchResult } from './search.schemas.ts';
import { searchPublished } from './search.service.ts';

export function searchRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/search',
      {
        schema: {
          operationId: 'searchArticles',
          tags: ['search'],
          summary: 'Published articles matching a query, best first (a Quire addition)',
          security: noAuth,
          querystring: SearchQueryString,
          response: { ...errorResponses, 200: Type.Array(Ref(SearchResult)) },
        },
      },
      async (request, reply) => {
        const found = await searchPublished(ctx, request.query);
        reply.header('cache-control', 'no-store');
        const o = { baseUrl: ctx.config.baseUrl, now: ctx.clock.now() };
        return found.map((item) => searchResultJson(item, o));
      },
    );
  };
}
