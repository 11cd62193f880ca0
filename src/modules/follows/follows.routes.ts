/**
 * Follows: Forem's `GET /api/followers/users` and `GET /api/follows/tags`, and Quire's writes
 * (`POST /api/follows`, `DELETE /api/follows/{id}`) and `GET /api/follows/users`. Every answer is
 * the caller's own: never cached.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth, NoContent } from '../../http/openapi.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { IdParams, Ref } from '../../http/schemas.ts';
import { followedTagJson, followerJson, followingJson, followJson } from './follows.presenter.ts';
import { FOLLOWS_PER_PAGE } from './follows.rules.ts';
import {
  Follow,
  FollowBody,
  FollowedTag,
  FollowedUser,
  Follower,
  FollowsQuery,
} from './follows.schemas.ts';
import {
  follow,
  followedTagsPage,
  followedUsersPage,
  followersPage,
  unfollowById,
} from './follows.service.ts';

const tags = ['follows'];

export function followsRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const writeLimits = writeLimit(ctx);
    const base = () => ctx.config.baseUrl;

    app.get(
      '/api/followers/users',
      {
        schema: {
          operationId: 'getFollowers',
          tags,
          summary: "The caller's followers, newest first",
          security: keyAuth,
          querystring: FollowsQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(Follower)) },
        },
      },
      async (request, reply) => {
        const { page = 1, per_page = FOLLOWS_PER_PAGE } = request.query;
        const rows = await followersPage(ctx, requireUser(request), page, per_page);
        reply.header('cache-control', 'private, no-store');
        return rows.map(({ follow, user }) => followerJson(follow, user, base()));
      },
    );

    app.get(
      '/api/follows/tags',
      {
        schema: {
          operationId: 'getFollowedTags',
          tags,
          summary: 'Tags the caller follows, newest first',
          security: keyAuth,
          querystring: FollowsQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(FollowedTag)) },
        },
      },
      async (request, reply) => {
        const { page = 1, per_page = FOLLOWS_PER_PAGE } = request.query;
        const rows = await followedTagsPage(ctx, requireUser(request), page, per_page);
        reply.header('cache-control', 'private, no-store');
        return rows.map(({ tag }) => followedTagJson(tag));
      },
    );

    app.get(
      '/api/follows/users',
      {
        schema: {
          operationId: 'getFollowedUsers',
          tags,
          summary: 'Accounts the caller follows, newest first (a Quire addition)',
          security: keyAuth,
          querystring: FollowsQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(FollowedUser)) },
        },
      },
      async (request, reply) => {
        const { page = 1, per_page = FOLLOWS_PER_PAGE } = request.query;
        const rows = await followedUsersPage(ctx, requireUser(request), page, per_page);
        reply.header('cache-control', 'private, no-store');
        return rows.map(({ follow, user }) => followingJson(follow, user, base()));
      },
    );

    app.post(
      '/api/follows',
      {
        config: writeLimits,
        schema: {
          operationId: 'createFollow',
          tags,
          summary:
            'Follow an account or a tag: 201, or 200 with the follow when it existed (a Quire addition)',
          security: keyAuth,
          body: FollowBody,
          response: { ...errorResponses, 200: Ref(Follow), 201: Ref(Follow) },
        },
      },
      async (request, reply) => {
        const result = await follow(ctx, requireUser(request), request.body);
        return reply
          .status(result.created ? 201 : 200)
          .send(followJson(result.follow, result.target));
      },
    );

    app.delete(
      '/api/follows/:id',
      {
        config: writeLimits,
        schema: {
          operationId: 'deleteFollow',
          tags,
          summary: 'Stop following: only your own follow (a Quire addition)',
          security: keyAuth,
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await unfollowById(ctx, requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
