/** The users API: the caller, and anyone by id or username. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth } from '../../http/openapi.ts';
import { myUserJson, userJson } from './users.presenter.ts';
import { findUserById, findUserByUsername } from './users.repository.ts';
import { MyUser, User } from './users.schemas.ts';

const tags = ['users'];

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

    app.get(
      '/api/users/me',
      {
        schema: {
          tags,
          summary: 'The authenticated user',
          security: keyAuth,
          response: { ...errorResponses, 200: MyUser },
        },
      },
      async (request) => myUserJson(requireUser(request), base()),
    );

    app.get(
      '/api/users/by_username',
      {
        schema: {
          tags,
          summary: 'A user by username or profile URL',
          querystring: Type.Object({ url: Type.String({ minLength: 1, maxLength: 500 }) }),
          response: { ...errorResponses, 200: User },
        },
      },
      async (request) => {
        const user = await findUserByUsername(ctx.database.db, usernameFrom(request.query.url));
        if (!user) throw notFound('not found');
        return userJson(user, base());
      },
    );

    app.get(
      '/api/users/:id',
      {
        schema: {
          tags,
          summary: 'A user by numeric id or username',
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
          response: { ...errorResponses, 200: User },
        },
      },
      async (request) => {
        const { id } = request.params;
        const user = /^\d+$/.test(id)
          ? await findUserById(ctx.database.db, Number(id))
          : await findUserByUsername(ctx.database.db, id.toLowerCase());
        if (!user) throw notFound('not found');
        return userJson(user, base());
      },
    );
  };
}
