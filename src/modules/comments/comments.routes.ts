/**
 * The comments API: Forem's reads (`GET /api/comments?a_id=`, `GET /api/comments/{id_code}`),
 * cached for anonymous callers like every public read, and Quire's writes.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { discussionKey } from '../../events/cache-keys.ts';
import { publicJson } from '../../http/api-cache.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth, NoContent, noAuth } from '../../http/openapi.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { Ref } from '../../http/schemas.ts';
import { commentJson } from './comments.presenter.ts';
import { idFromCode } from './comments.rules.ts';
import {
  Comment,
  CommentCreate,
  CommentThreadQuery,
  CommentUpdate,
  IdCodeParams,
} from './comments.schemas.ts';
import {
  commentWithReplies,
  createComment,
  deleteComment,
  editComment,
  threadOf,
} from './comments.service.ts';

const tags = ['comments'];

/** The comment an id_code names, or a 404. */
function idOf(code: string): number {
  const id = idFromCode(code);
  if (id === null) throw notFound('comment not found');
  return id;
}

export function commentsRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const baseUrl = ctx.config.baseUrl;
    const writeLimits = writeLimit(ctx);
    /** A comment as the API answers a write: alone, without replies. */
    const written = async (id: number) =>
      commentJson({ ...(await commentWithReplies(ctx, id)).node, children: [] }, baseUrl);

    app.get(
      '/api/comments',
      {
        schema: {
          operationId: 'listComments',
          tags,
          summary: "An article's comments, as a tree",
          security: noAuth,
          querystring: CommentThreadQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(Comment)) },
        },
      },
      (request, reply) =>
        publicJson(ctx, request, reply, async () => {
          const articleId = request.query.a_id;
          const roots = await threadOf(ctx, articleId);
          return {
            body: roots.map((node) => commentJson(node, baseUrl)),
            keys: [discussionKey(articleId)],
          };
        }),
    );

    app.get(
      '/api/comments/:id',
      {
        schema: {
          operationId: 'getComment',
          tags,
          summary: 'A comment with its replies, by id_code',
          security: noAuth,
          params: IdCodeParams,
          response: { ...errorResponses, 200: Ref(Comment) },
        },
      },
      (request, reply) =>
        publicJson(ctx, request, reply, async () => {
          const { node, article } = await commentWithReplies(ctx, idOf(request.params.id));
          return { body: commentJson(node, baseUrl), keys: [discussionKey(article.id)] };
        }),
    );

    app.post(
      '/api/comments',
      {
        config: writeLimits,
        schema: {
          operationId: 'createComment',
          tags,
          summary: 'Comment on an article, or answer a comment (a Quire addition)',
          security: keyAuth,
          body: CommentCreate,
          response: { ...errorResponses, 201: Ref(Comment) },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const { body_markdown, article_id, parent_id } = request.body.comment;
        const parent =
          typeof parent_id === 'string' ? (idFromCode(parent_id) ?? 0) : (parent_id ?? null);
        const { comment } = await createComment(ctx, user, {
          body_markdown,
          article_id,
          parent_id: parent,
        });
        const json = await written(comment.id);
        return reply
          .status(201)
          .header('location', `${baseUrl}/api/comments/${json.id_code}`)
          .send(json);
      },
    );

    app.put(
      '/api/comments/:id',
      {
        config: writeLimits,
        schema: {
          operationId: 'updateComment',
          tags,
          summary: 'Edit your comment (a Quire addition)',
          security: keyAuth,
          params: IdCodeParams,
          body: CommentUpdate,
          response: { ...errorResponses, 200: Ref(Comment) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        const id = idOf(request.params.id);
        await editComment(ctx, user, id, request.body.comment.body_markdown);
        return written(id);
      },
    );

    app.delete(
      '/api/comments/:id',
      {
        config: writeLimits,
        schema: {
          operationId: 'deleteComment',
          tags,
          summary: 'Delete your comment, or any as an administrator (a Quire addition)',
          security: keyAuth,
          params: IdCodeParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteComment(ctx, requireUser(request), idOf(request.params.id));
        return reply.status(204).send(null);
      },
    );
  };
}
