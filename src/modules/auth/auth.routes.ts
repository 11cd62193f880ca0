/** Sign up, sign in and sign out as JSON; the browser forms call the same services. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { requireUser } from '../../http/identity.ts';
import { clearSessionCookie, setSessionCookie } from './session-cookie.ts';
import { errorResponses, keyAuth, NoContent, noAuth, sessionAuth } from '../../http/openapi.ts';
import { Ref } from '../../http/schemas.ts';
import { myUserJson } from '../users/users.presenter.ts';
import { MyUser } from '../users/users.schemas.ts';
import { createAccount } from '../users/users.service.ts';
import { SignInBody, SignUpBody } from './auth.schemas.ts';
import { authenticate } from './auth.service.ts';
import { endAllSessions, endSession, startSession } from './sessions.ts';

const tags = ['auth'];

export function authRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/api/auth/signup',
      {
        schema: {
          operationId: 'signUp',
          tags,
          summary: 'Create an account and sign in',
          security: noAuth,
          body: SignUpBody,
          response: { ...errorResponses, 201: Ref(MyUser) },
        },
      },
      async (request, reply) => {
        // Only the fields of the form: the body may carry others (e.g. `admin`) that must not
        // reach createAccount.
        const { username, email, password, name } = request.body;
        const user = await createAccount(ctx, { username, email, password, name });
        setSessionCookie(reply, ctx, await startSession(ctx, user));
        return reply.status(201).send(myUserJson(user, ctx.config.baseUrl));
      },
    );

    app.post(
      '/api/auth/signin',
      {
        schema: {
          operationId: 'signIn',
          tags,
          summary: 'Sign in with a username or email and a password',
          security: noAuth,
          body: SignInBody,
          response: { ...errorResponses, 200: Ref(MyUser) },
        },
      },
      async (request, reply) => {
        const user = await authenticate(ctx, request.body.login, request.body.password, request.ip);
        setSessionCookie(reply, ctx, await startSession(ctx, user));
        return myUserJson(user, ctx.config.baseUrl);
      },
    );

    app.post(
      '/api/auth/signout',
      {
        schema: {
          operationId: 'signOut',
          tags,
          summary: 'End this session',
          security: sessionAuth,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        if (!request.sessionToken)
          throw new AppError('unauthorized', 'Not signed in with a session');
        await endSession(ctx.database.db, request.sessionToken);
        clearSessionCookie(reply, ctx);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/auth/signout_everywhere',
      {
        schema: {
          operationId: 'signOutEverywhere',
          tags,
          summary: 'End every session of this account',
          security: [...sessionAuth, ...keyAuth],
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        await endAllSessions(ctx, user.id);
        clearSessionCookie(reply, ctx);
        return reply.status(204).send(null);
      },
    );
  };
}
