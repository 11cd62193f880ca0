/**
 * Reactions and the reading list, as Forem's API has them (`POST /api/reactions/toggle`,
 * `POST /api/reactions`, `GET /api/readinglist`), and the caller's own reactions on an article,
 * the private part of a shared article page.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { validationFailed } from '../../errors.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth } from '../../http/openapi.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { Ref } from '../../http/schemas.ts';
import { articleIndexJson, isoSeconds } from '../articles/articles.presenter.ts';
import {
  MineQuery,
  ReactionBody,
  ReactionParams,
  ReactionResult,
  ReaderState,
  ReadingListItem,
  ReadingListQuery,
} from './reactions.schemas.ts';
import { type ReactionInput, react, readerState, readingListOf } from './reactions.service.ts';

const tags = ['reactions'];

/** The reaction asked for, from the query or a JSON body (the query wins). */
function reactionInput(request: FastifyRequest): ReactionInput {
  const query = request.query as Static<typeof ReactionParams>;
  const body = (request.body ?? {}) as Exclude<Static<typeof ReactionBody>, null>;
  const input = {
    category: query.category ?? body.category,
    reactable_id: query.reactable_id ?? body.reactable_id,
    reactable_type: query.reactable_type ?? body.reactable_type,
  };
  const missing = Object.entries(input)
    .filter(([, value]) => value === undefined)
    .map(([field]) => ({ field, message: "can't be blank" }));
  if (missing.length > 0) throw validationFailed(missing);
  return input as ReactionInput;
}

export function reactionsRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const writeLimits = writeLimit(ctx);

    const write = (path: string, mode: 'toggle' | 'create', operationId: string, summary: string) =>
      app.post(
        path,
        {
          config: writeLimits,
          schema: {
            operationId,
            tags,
            summary,
            security: keyAuth,
            querystring: ReactionParams,
            body: ReactionBody,
            response: { ...errorResponses, 200: Ref(ReactionResult), 201: Ref(ReactionResult) },
          },
        },
        async (request, reply) => {
          const result = await react(ctx, requireUser(request), reactionInput(request), mode);
          return reply.status(result.result === 'create' ? 201 : 200).send(result);
        },
      );
    write(
      '/api/reactions/toggle',
      'toggle',
      'toggleReaction',
      'Give a reaction, or take it back if given',
    );
    write('/api/reactions', 'create', 'createReaction', 'Give a reaction (none if already given)');

    app.get(
      '/api/readinglist',
      {
        schema: {
          operationId: 'getReadinglist',
          tags,
          summary: "The caller's reading list, newest first",
          security: keyAuth,
          querystring: ReadingListQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(ReadingListItem)) },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const { page = 1, per_page = 30 } = request.query;
        const items = await readingListOf(ctx, user, page, Math.min(per_page, 100));
        const o = { baseUrl: ctx.config.baseUrl, now: ctx.clock.now() };
        reply.header('cache-control', 'private, no-store');
        return items.map(({ reaction, article, author }) => ({
          type_of: 'readinglist' as const,
          id: reaction.id,
          status: 'valid' as const,
          created_at: isoSeconds(reaction.created_at),
          article: articleIndexJson(article, author, o),
        }));
      },
    );

    app.get(
      '/api/reactions/mine',
      {
        schema: {
          operationId: 'getMyReactions',
          tags,
          summary: "The caller's reactions on an article and its comments (a Quire addition)",
          security: keyAuth,
          querystring: MineQuery,
          response: { ...errorResponses, 200: Ref(ReaderState) },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        reply.header('cache-control', 'private, no-store');
        return readerState(ctx, user, request.query.article_id);
      },
    );
  };
}
