/** The tags API: tags by how many published articles carry them. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { TAG_LIST_KEY } from '../../events/cache-keys.ts';
import { publicJson } from '../../http/api-cache.ts';
import { errorResponses, noAuth } from '../../http/openapi.ts';
import { Ref } from '../../http/schemas.ts';
import { listTagsByPopularity, nextScheduledAt } from '../articles/articles.service.ts';
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
      (request, reply) =>
        publicJson(ctx, request, reply, async () => {
          const perPage = Math.min(request.query.per_page ?? 10, 1000);
          const offset = ((request.query.page ?? 1) - 1) * perPage;
          const rows = await listTagsByPopularity(
            ctx.database.db,
            ctx.clock.now().toISOString(),
            perPage,
            offset,
          );
          // Counts change as scheduled articles go live.
          const scheduled = await nextScheduledAt(ctx);
          return {
            body: rows.map((t) => ({
              id: t.id,
              name: t.name,
              bg_color_hex: null,
              text_color_hex: null,
            })),
            keys: [TAG_LIST_KEY],
            expiresAt: scheduled?.getTime() ?? Number.POSITIVE_INFINITY,
          };
        }),
    );
  };
}
