/**
 * The webhooks settings: endpoints (a secret shown once at creation and at rotation), and each
 * endpoint's deliveries with their attempts, to replay one or every dead one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import type { UserRow, WebhookEndpointRow } from '../db/schema.ts';
import { csrfFor } from '../http/csrf.ts';
import { PageQuery } from '../http/schemas.ts';
import { UrlInteger } from '../http/url-numbers.ts';
import { emptyForm, type FormState } from './templates/forms.ts';
import {
  deliveriesPage,
  type WebhooksView,
  webhooksSettingsPage,
} from './templates/settings-webhooks.ts';
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
} from '../modules/webhooks/webhooks.service.ts';
import { type Form, type PageKit, pageNumber, text } from './page.ts';
import { countParam, doneNote, idParam, listField } from './settings-kit.ts';

const DELIVERIES_PER_PAGE = 20;

/** An endpoint's deliveries page: `?page=N`, and `?replayed=N` after dead ones were replayed. */
const DeliveriesQuery = Type.Object({
  ...PageQuery.properties,
  replayed: Type.Optional(UrlInteger({ minimum: 0, maximum: 999_999_999 })),
});

const NOTES = {
  deleted: 'Endpoint deleted.',
  enabled: 'Endpoint enabled: its pending deliveries are sent again.',
  replayed: 'Delivery queued to be sent again.',
};

export function webhookSettingsRoutes(ctx: AppContext, app: FastifyInstance, kit: PageKit): void {
  const { hide, csrf, send, formError, signedIn } = kit;
  const title = 'Webhooks';

  /** The webhooks page; with a secret, the one answer that shows it. */
  const showEndpoints = async (
    request: FastifyRequest,
    reply: FastifyReply,
    user: UserRow,
    view: Omit<WebhooksView, 'endpoints'> = {},
  ) => {
    const endpoints = await listEndpoints(ctx, user);
    const page = webhooksSettingsPage(emptyForm(csrfFor(reply)), { ...view, endpoints });
    return send(request, reply, title, page);
  };
  const withSecret = (endpoint: WebhookEndpointRow, secret: string) => ({
    url: endpoint.target_url,
    secret,
  });

  app.get('/settings/webhooks', hide, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    return showEndpoints(request, reply, user, { message: doneNote(request, NOTES) });
  });

  app.post('/settings/webhooks', csrf, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const form = request.body as Form;
    const events = listField(form, 'events');
    let created;
    try {
      created = await createEndpoint(ctx, user, { target_url: text(form, 'target_url'), events });
    } catch (error) {
      const endpoints = await listEndpoints(ctx, user);
      const render = (state: FormState) =>
        webhooksSettingsPage(state, { endpoints, checkedEvents: events });
      return formError(request, reply, title, render, error);
    }
    return showEndpoints(request, reply, user, {
      secret: withSecret(created.endpoint, created.secret),
    });
  });

  app.post('/settings/webhooks/:id/delete', csrf, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    await deleteEndpoint(ctx, user, idParam(request));
    return reply.redirect('/settings/webhooks?done=deleted', 303);
  });

  app.post('/settings/webhooks/:id/rotate', csrf, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const { endpoint, secret } = await rotateSecret(ctx, user, idParam(request));
    return showEndpoints(request, reply, user, {
      secret: withSecret(endpoint, secret),
      message: 'New secret made. The previous one also signs deliveries for the next 24 hours.',
    });
  });

  app.post('/settings/webhooks/:id/enable', csrf, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    await enableEndpoint(ctx, user, idParam(request));
    return reply.redirect('/settings/webhooks?done=enabled', 303);
  });

  app.get(
    '/settings/webhooks/:id',
    { schema: { hide: true, querystring: DeliveriesQuery } },
    async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const endpoint = await getEndpoint(ctx, user, idParam(request));
      const page = pageNumber(request);
      const perPage = DELIVERIES_PER_PAGE;
      const items = await listDeliveries(ctx, user, endpoint.id, { page, perPage });
      // A page of one, just past this page: whether an older page follows.
      const next = await listDeliveries(ctx, user, endpoint.id, {
        page: page * perPage + 1,
        perPage: 1,
      });
      const replayedDead = countParam(request, 'replayed');
      const message =
        replayedDead === null
          ? doneNote(request, NOTES)
          : `${replayedDead} dead ${replayedDead === 1 ? 'delivery' : 'deliveries'} queued to be sent again.`;
      const body = deliveriesPage({
        endpoint,
        items,
        page,
        more: next.length > 0,
        message,
        csrfToken: csrfFor(reply),
      });
      return send(request, reply, 'Deliveries', body);
    },
  );

  app.post('/settings/webhooks/:id/deliveries/:delivery/replay', csrf, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const id = idParam(request);
    const delivery = idParam(request, 'delivery');
    await replayDelivery(ctx, user, id, delivery);
    return reply.redirect(`/settings/webhooks/${id}?done=replayed#delivery-${delivery}`, 303);
  });

  app.post('/settings/webhooks/:id/replay_dead', csrf, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const id = idParam(request);
    const count = await replayDeliveries(ctx, user, id, { status: 'dead' });
    return reply.redirect(`/settings/webhooks/${id}?replayed=${count}`, 303);
  });
}
