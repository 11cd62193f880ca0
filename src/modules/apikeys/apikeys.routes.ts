/** Managing one's API keys: a new key is shown once, in the answer that creates it. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth, NoContent } from '../../http/openapi.ts';
import { IdParams, Ref } from '../../http/schemas.ts';
import { ApiKey, ApiKeyCreated, ApiKeyWrite } from './apikeys.schemas.ts';
import { apiKeyJson, createApiKey, listApiKeys, revokeApiKey } from './apikeys.service.ts';

const tags = ['api keys'];

export function apiKeysRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/api/api_keys',
      {
        schema: {
          operationId: 'listApiKeys',
          tags,
          summary: "The caller's API keys",
          security: keyAuth,
          response: { ...errorResponses, 200: Type.Array(Ref(ApiKey)) },
        },
      },
      async (request) => (await listApiKeys(ctx, requireUser(request))).map(apiKeyJson),
    );

    app.post(
      '/api/api_keys',
      {
        schema: {
          operationId: 'createApiKey',
          tags,
          summary: 'Create an API key; the key is in this answer only',
          security: keyAuth,
          body: ApiKeyWrite,
          response: { ...errorResponses, 201: Ref(ApiKeyCreated) },
        },
      },
      async (request, reply) => {
        const { key, row } = await createApiKey(ctx, requireUser(request), request.body.name ?? '');
        return reply.status(201).send({ ...apiKeyJson(row), key });
      },
    );

    app.delete(
      '/api/api_keys/:id',
      {
        schema: {
          operationId: 'revokeApiKey',
          tags,
          summary: 'Revoke an API key',
          security: keyAuth,
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await revokeApiKey(ctx, requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
