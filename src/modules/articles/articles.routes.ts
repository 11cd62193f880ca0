/** The Forem-compatible articles API. Routes translate HTTP to service calls and back. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { requireUser } from '../../http/identity.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { errorResponses, keyAuth, NoContent, noAuth, optionalKeyAuth } from '../../http/openapi.ts';
import { IdParams, Ref } from '../../http/schemas.ts';
import { listMine, listPublic, type MineFilter } from './listings.ts';
import { articleIndexJson, articleMeJson, articleShowJson } from './articles.presenter.ts';
import { findArticleById, findArticleByPath } from './articles.repository.ts';
import {
  ArticleIndex,
  ArticleListQuery,
  ArticleMe,
  ArticleShow,
  ArticleWrite,
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
      async (request) => {
        const o = opts();
        return (await listPublic(ctx, request.query)).map((l) =>
          articleIndexJson(l.article, l.author, o),
        );
      },
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
      async (request) => {
        const o = opts();
        return (await listPublic(ctx, request.query)).map((l) =>
          articleIndexJson(l.article, l.author, o),
        );
      },
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
      async (request) => {
        const found = await findArticleById(ctx.database.db, request.params.id);
        const { article, author } = await articleForViewer(ctx, request.user, found);
        return articleShowJson(article, author, opts());
      },
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
      async (request) => {
        const { username, slug } = request.params;
        const found = await findArticleByPath(ctx.database.db, username.toLowerCase(), slug);
        const { article, author } = await articleForViewer(ctx, request.user, found);
        return articleShowJson(article, author, opts());
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
