/** The tags API: tags by how many published articles carry them. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { errorResponses, noAuth } from '../../http/openapi.ts';
import { Ref } from '../../http/schemas.ts';
import { listTagsByPopularity } from '../articles/articles.service.ts';
import { Tag, TagListQuery } from './tags.schemas.ts';

export function tagsRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/api/tags',
      {
        schema: {
          operationId: 'listTags',
          tags: ['tags'],
          summary: 'Tags, most used first',
          security: noAuth,
          querystring: TagListQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(Tag)) },
        },
      },
      async (request) => {
        const perPage = Math.min(request.query.per_page ?? 10, 1000);
        const offset = ((request.query.page ?? 1) - 1) * perPage;
        const rows = await listTagsByPopularity(
          ctx.database.db,
          ctx.clock.now().toISOString(),
          perPage,
          offset,
        );
        return rows.map((t) => ({
          id: t.id,
          name: t.name,
          bg_color_hex: null,
          text_color_hex: null,
        }));
      },
    );
  };
}
