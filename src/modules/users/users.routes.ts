/** The users API: the caller, and anyone by id or username. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { DbHandle } from '../../db/database.ts';
import type { UserRow } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { userKey } from '../../events/cache-keys.ts';
import { publicJson } from '../../http/api-cache.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth, noAuth } from '../../http/openapi.ts';
import { Ref } from '../../http/schemas.ts';
import { ID_RANGE, urlInteger } from '../../http/url-numbers.ts';
import { myUserJson, userJson } from './users.presenter.ts';
import { findUserById, findUserByUsername } from './users.repository.ts';
import { ByUsernameQuery, MyUser, User, UserParams } from './users.schemas.ts';

const tags = ['users'];

/** Digits name an id, anything else a username; an id no row can have (0, past 2^53) is no one. */
function userByIdOrName(db: DbHandle, id: string): Promise<UserRow | undefined> {
  if (!/^\d+$/.test(id)) return findUserByUsername(db, id.toLowerCase());
  const userId = urlInteger(id, ID_RANGE);
  return userId === null ? Promise.resolve(undefined) : findUserById(db, userId);
}

/** A username from `by_username?url=`, which may be a bare name or a profile URL. */
function usernameFrom(value: string): string {
  const trimmed = value.trim();
  try {
    const segment = new URL(trimmed).pathname.split('/').filter(Boolean)[0];
    if (segment) return segment.toLowerCase();
  } catch {
    // not a URL: a bare username
  }
  return trimmed.replace(/^@/, '').replace(/\/+$/, '').toLowerCase();
}

export function usersRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const base = () => ctx.config.baseUrl;
    /** A public profile, or a 404 (not cached: the name may be taken later). */
    const shown = async (user: UserRow | undefined) => {
      if (!user) throw notFound('not found');
      return { body: userJson(user, base()), keys: [userKey(user.id)] };
    };

    app.get(
      '/api/users/me',
      {
        schema: {
          operationId: 'getMe',
          tags,
          summary: 'The authenticated user',
          security: keyAuth,
          response: { ...errorResponses, 200: Ref(MyUser) },
        },
      },
      async (request) => myUserJson(requireUser(request), base()),
    );

    app.get(
      '/api/users/by_username',
      {
        schema: {
          operationId: 'getUserByUsername',
          tags,
          summary: 'A user by username or profile URL',
          security: noAuth,
          querystring: ByUsernameQuery,
          response: { ...errorResponses, 200: Ref(User) },
        },
      },
      (request, reply) =>
        publicJson(ctx, request, reply, async () =>
          shown(await findUserByUsername(ctx.database.db, usernameFrom(request.query.url))),
        ),
    );

    app.get(
      '/api/users/:id',
      {
        schema: {
          operationId: 'getUser',
          tags,
          summary: 'A user by numeric id or username',
          security: noAuth,
          params: UserParams,
          response: { ...errorResponses, 200: Ref(User) },
        },
      },
      (request, reply) =>
        publicJson(ctx, request, reply, async () =>
          shown(await userByIdOrName(ctx.database.db, request.params.id)),
        ),
    );
  };
}
