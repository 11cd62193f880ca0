/**
 * The webhooks API, in Forem's shape where Forem had one (`/api/webhooks`): endpoints with a
 * secret shown once, rotation, re-enabling, the delivery log, and replay.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth, NoContent } from '../../http/openapi.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { IdParams, Ref } from '../../http/schemas.ts';
import { deliveryJson, endpointJson } from './webhooks.presenter.ts';
import {
  Delivery,
  DeliveryListQuery,
  DeliveryParams,
  ReplayCount,
  ReplayQuery,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointRotated,
  WebhookWrite,
} from './webhooks.schemas.ts';
import {
  createEndpoint,
  deleteEndpoint,
  enableEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  replayDeliveries,
  replayDelivery,
  rotateSecret,
} from './webhooks.service.ts';

const tags = ['webhooks'];

export function webhooksRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const baseUrl = ctx.config.baseUrl;
    const writeLimits = writeLimit(ctx);
    // Every route here is the caller's own: say who is missing before judging the input.
    app.addHook('preValidation', async (request) => {
      requireUser(request);
    });

    app.get(
      '/api/webhooks',
      {
        schema: {
          operationId: 'listWebhookEndpoints',
          tags,
          summary: "The caller's webhook endpoints",
          security: keyAuth,
          response: { ...errorResponses, 200: Type.Array(Ref(WebhookEndpoint)) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        return (await listEndpoints(ctx, user)).map((e) => endpointJson(e, user, baseUrl));
      },
    );

    app.post(
      '/api/webhooks',
      {
        config: writeLimits,
        schema: {
          operationId: 'createWebhookEndpoint',
          tags,
          summary: 'Create a webhook endpoint; its secret is in this answer only',
          security: keyAuth,
          body: WebhookWrite,
          response: { ...errorResponses, 201: Ref(WebhookEndpointCreated) },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const { endpoint, secret } = await createEndpoint(ctx, user, request.body.webhook_endpoint);
        return reply
          .status(201)
          .header('location', `${baseUrl}/api/webhooks/${endpoint.id}`)
          .send({ ...endpointJson(endpoint, user, baseUrl), secret });
      },
    );

    app.get(
      '/api/webhooks/:id',
      {
        schema: {
          operationId: 'getWebhookEndpoint',
          tags,
          summary: 'A webhook endpoint',
          security: keyAuth,
          params: IdParams,
          response: { ...errorResponses, 200: Ref(WebhookEndpoint) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        return endpointJson(await getEndpoint(ctx, user, request.params.id), user, baseUrl);
      },
    );

    app.delete(
      '/api/webhooks/:id',
      {
        config: writeLimits,
        schema: {
          operationId: 'deleteWebhookEndpoint',
          tags,
          summary: 'Delete a webhook endpoint and its deliveries',
          security: keyAuth,
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteEndpoint(ctx, requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/webhooks/:id/rotate_secret',
      {
        config: writeLimits,
        schema: {
          operationId: 'rotateWebhookSecret',
          tags,
          summary: 'Replace the secret; the previous one also signs deliveries for 24 hours',
          security: keyAuth,
          params: IdParams,
          response: { ...errorResponses, 200: Ref(WebhookEndpointRotated) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        const { endpoint, secret } = await rotateSecret(ctx, user, request.params.id);
        return {
          ...endpointJson(endpoint, user, baseUrl),
          secret,
          previous_secret_expires_at: endpoint.previous_secret_until ?? '',
        };
      },
    );

    app.post(
      '/api/webhooks/:id/enable',
      {
        config: writeLimits,
        schema: {
          operationId: 'enableWebhookEndpoint',
          tags,
          summary: 'Turn a disabled endpoint back on; its pending deliveries resume',
          security: keyAuth,
          params: IdParams,
          response: { ...errorResponses, 200: Ref(WebhookEndpoint) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        return endpointJson(await enableEndpoint(ctx, user, request.params.id), user, baseUrl);
      },
    );

    app.get(
      '/api/webhooks/:id/deliveries',
      {
        schema: {
          operationId: 'listWebhookDeliveries',
          tags,
          summary: "An endpoint's deliveries, newest first, with every attempt",
          security: keyAuth,
          params: IdParams,
          querystring: DeliveryListQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(Delivery)) },
        },
      },
      async (request) => {
        const { status, page = 1, per_page = 30 } = request.query;
        const list = await listDeliveries(ctx, requireUser(request), request.params.id, {
          status,
          page,
          perPage: per_page,
        });
        return list.map(deliveryJson);
      },
    );

    app.post(
      '/api/webhooks/:id/deliveries/:delivery_id/replay',
      {
        config: writeLimits,
        schema: {
          operationId: 'replayWebhookDelivery',
          tags,
          summary: 'Send a delivery again, with the same webhook-id',
          security: keyAuth,
          params: DeliveryParams,
          response: { ...errorResponses, 202: Ref(Delivery) },
        },
      },
      async (request, reply) => {
        const { id, delivery_id } = request.params;
        const replayed = await replayDelivery(ctx, requireUser(request), id, delivery_id);
        return reply.status(202).send(deliveryJson(replayed));
      },
    );

    app.post(
      '/api/webhooks/:id/replay',
      {
        config: writeLimits,
        schema: {
          operationId: 'replayWebhookDeliveries',
          tags,
          summary: 'Send again every dead (or succeeded) delivery created in a time window',
          security: keyAuth,
          params: IdParams,
          querystring: ReplayQuery,
          response: { ...errorResponses, 202: Ref(ReplayCount) },
        },
      },
      async (request, reply) => {
        const replayed = await replayDeliveries(
          ctx,
          requireUser(request),
          request.params.id,
          request.query,
        );
        return reply.status(202).send({ replayed });
      },
    );
  };
}
