/** The Forem-compatible articles API. Routes translate HTTP to service calls and back. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { ArticleRow } from '../../db/schema.ts';
import { discussionKey, listedKeys } from '../../events/cache-keys.ts';
import { publicJson } from '../../http/api-cache.ts';
import { requireUser } from '../../http/identity.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { errorResponses, keyAuth, NoContent, noAuth, optionalKeyAuth } from '../../http/openapi.ts';
import { IdParams, Ref } from '../../http/schemas.ts';
import { listMine, listPublic, type MineFilter, publicListCaching } from './listings.ts';
import {
  articleIndexJson,
  articleMeJson,
  articleShowJson,
  nextNewYear,
} from './articles.presenter.ts';
import { findArticleById, findArticleByPath } from './articles.repository.ts';
import {
  ArticleIndex,
  ArticleListQuery,
  ArticleMe,
  ArticleShow,
  ArticleWrite,
  type ListParams,
  PagingQuery,
  PathParams,
} from './articles.schemas.ts';
import {
  articleForViewer,
  createArticle,
  deleteArticle,
  updateArticle,
} from './articles.service.ts';

const tags = ['articles'];

export function articlesRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const opts = () => ({ baseUrl: ctx.config.baseUrl, now: ctx.clock.now() });
    const writeLimits = writeLimit(ctx);

    /** A public list, with what the cache needs to know of it. */
    const publicList = async (query: ListParams) => {
      const o = opts();
      const items = await listPublic(ctx, query);
      return {
        body: items.map((l) => articleIndexJson(l.article, l.author, o)),
        ...(await publicListCaching(ctx, query, items)),
      };
    };
    /** One article as its viewer may see it (anyone else: a 404, which is not cached). */
    const oneArticle = async (request: FastifyRequest, found: ArticleRow | undefined) => {
      const { article, author } = await articleForViewer(ctx, request.user, found);
      return {
        body: articleShowJson(article, author, opts()),
        keys: [...listedKeys([{ article, author }]), discussionKey(article.id)],
        expiresAt: nextNewYear(ctx.clock.now()),
      };
    };

    app.get(
      '/api/articles',
      {
        schema: {
          operationId: 'listArticles',
          tags,
          summary: 'Published articles',
          security: noAuth,
          querystring: ArticleListQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(ArticleIndex)) },
        },
      },
      (request, reply) => publicJson(ctx, request, reply, () => publicList(request.query)),
    );

    app.get(
      '/api/articles/latest',
      {
        schema: {
          operationId: 'listLatestArticles',
          tags,
          summary: 'Published articles, newest first',
          security: noAuth,
          querystring: PagingQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(ArticleIndex)) },
        },
      },
      (request, reply) => publicJson(ctx, request, reply, () => publicList(request.query)),
    );

    const mine = (path: string, filter: MineFilter, operationId: string, summary: string) =>
      app.get(
        path,
        {
          schema: {
            operationId,
            tags,
            summary,
            security: keyAuth,
            querystring: PagingQuery,
            response: { ...errorResponses, 200: Type.Array(Ref(ArticleMe)) },
          },
        },
        async (request) => {
          const o = opts();
          const user = requireUser(request);
          return (await listMine(ctx, user, filter, request.query)).map((l) =>
            articleMeJson(l.article, l.author, o),
          );
        },
      );
    mine('/api/articles/me', 'published', 'listMyArticles', "The caller's published articles");
    mine(
      '/api/articles/me/published',
      'published',
      'listMyPublishedArticles',
      "The caller's published articles",
    );
    mine(
      '/api/articles/me/unpublished',
      'unpublished',
      'listMyUnpublishedArticles',
      "The caller's drafts",
    );
    mine(
      '/api/articles/me/all',
      'all',
      'listAllMyArticles',
      "All of the caller's articles, drafts first",
    );

    app.get(
      '/api/articles/:id',
      {
        schema: {
          operationId: 'getArticle',
          tags,
          summary: 'An article by id',
          security: optionalKeyAuth,
          params: IdParams,
          response: { ...errorResponses, 200: Ref(ArticleShow) },
        },
      },
      (request, reply) =>
        publicJson(ctx, request, reply, async () =>
          oneArticle(request, await findArticleById(ctx.database.db, request.params.id)),
        ),
    );

    app.get(
      '/api/articles/:username/:slug',
      {
        schema: {
          operationId: 'getArticleByPath',
          tags,
          summary: 'An article by its path',
          security: optionalKeyAuth,
          params: PathParams,
          response: { ...errorResponses, 200: Ref(ArticleShow) },
        },
      },
      (request, reply) => {
        const { username, slug } = request.params;
        return publicJson(ctx, request, reply, async () =>
          oneArticle(
            request,
            await findArticleByPath(ctx.database.db, username.toLowerCase(), slug),
          ),
        );
      },
    );

    app.post(
      '/api/articles',
      {
        config: writeLimits,
        schema: {
          operationId: 'createArticle',
          tags,
          summary: 'Create an article',
          security: keyAuth,
          body: ArticleWrite,
          response: { ...errorResponses, 201: Ref(ArticleShow) },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const { article, author } = await createArticle(ctx, user, request.body.article);
        const json = articleShowJson(article, author, opts());
        return reply.status(201).header('location', json.url).send(json);
      },
    );

    app.put(
      '/api/articles/:id',
      {
        config: writeLimits,
        schema: {
          operationId: 'updateArticle',
          tags,
          summary: 'Update an article',
          security: keyAuth,
          params: IdParams,
          body: ArticleWrite,
          response: { ...errorResponses, 200: Ref(ArticleShow) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        const { article, author } = await updateArticle(
          ctx,
          user,
          request.params.id,
          request.body.article,
        );
        return articleShowJson(article, author, opts());
      },
    );

    app.delete(
      '/api/articles/:id',
      {
        config: writeLimits,
        schema: {
          operationId: 'deleteArticle',
          tags,
          summary: 'Delete an article',
          security: keyAuth,
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteArticle(ctx, requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
