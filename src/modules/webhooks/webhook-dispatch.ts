/**
 * Webhooks on the dispatcher: a consumer that turns each outbox event into one delivery per
 * endpoint that wants it, and the channel that signs and sends those deliveries and keeps each
 * endpoint's health (410 disables it; so does failing everything for QUIRE_WEBHOOK_DISABLE_AFTER).
 */
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import type { DeliveryRow, EventRow, WebhookEndpointRow } from '../../db/schema.ts';
import type { OutboxConsumer } from '../../events/consumers.ts';
import { pendingDelivery } from '../../events/deliveries.ts';
import { insertDeliveries } from '../../events/deliveries.repository.ts';
import type { AttemptResult } from '../../events/delivery-attempt.ts';
import type { DeliveryChannel } from '../../events/dispatcher-parts.ts';
import { appendEvent } from '../../events/outbox.ts';
import { webhookHeaders } from '../../events/signing.ts';
import {
  clearFailing,
  disableEndpointRow,
  findEndpoint,
  listActiveEndpoints,
  setFailingSince,
} from './webhooks.repository.ts';

export const WEBHOOK_USER_AGENT = 'Quire-Webhooks/1.0';

/** The `webhook-id` of an event: the same for every endpoint, attempt and replay. */
export const messageId = (eventId: number) => `msg_${eventId}`;

function subscribedTypes(endpoint: WebhookEndpointRow): string[] {
  return JSON.parse(endpoint.events) as string[];
}

export const webhookFanOut: OutboxConsumer = {
  name: 'webhooks',
  async handle(ctx, tx, events) {
    const endpoints = await listActiveEndpoints(tx.db);
    if (endpoints.length === 0) return;
    const wants = new Map(endpoints.map((e) => [e.id, new Set(subscribedTypes(e))]));
    const now = ctx.clock.now();
    const rows = events.flatMap((event: EventRow) =>
      endpoints
        .filter(
          (e) =>
            wants.get(e.id)?.has(event.type) === true &&
            // An administrator's endpoints hear of everything; others of the accounts' the
            // event concerns.
            (e.role === 'admin' ||
              event.owner_id === e.user_id ||
              event.co_owner_id === e.user_id) &&
            e.created_at <= event.created_at,
        )
        .map((e) =>
          pendingDelivery(
            ctx,
            {
              endpointId: e.id,
              eventId: event.id,
              messageId: messageId(event.id),
              eventType: event.type,
              contentType: 'application/json',
              body: event.payload,
            },
            now,
          ),
        ),
    );
    await insertDeliveries(tx.db, rows);
  },
};

/** The secrets to sign with now: the current one, and the previous one during a rotation. */
export function signingSecrets(endpoint: WebhookEndpointRow, now: Date): string[] {
  const previousValid =
    endpoint.previous_secret !== null &&
    endpoint.previous_secret_until !== null &&
    endpoint.previous_secret_until > now.toISOString();
  return previousValid ? [endpoint.secret, endpoint.previous_secret as string] : [endpoint.secret];
}

export const webhookChannel: DeliveryChannel = {
  name: 'webhook',
  owns: (delivery) => delivery.endpoint_id !== null,

  async request(ctx, delivery) {
    const endpoint = await findEndpoint(ctx.database.db, delivery.endpoint_id as number);
    if (!endpoint) return null;
    return {
      url: endpoint.target_url,
      body: delivery.body,
      headers: {
        'content-type': delivery.content_type,
        'user-agent': WEBHOOK_USER_AGENT,
        // Signed with the wall clock: receivers check the timestamp against theirs.
        ...webhookHeaders(
          signingSecrets(endpoint, ctx.clock.now()),
          delivery.message_id,
          new Date(),
          delivery.body,
        ),
      },
    };
  },

  async afterAttempt(ctx, tx, delivery, result, now) {
    await updateEndpointHealth(ctx, tx, delivery, result, now);
  },
};

async function updateEndpointHealth(
  ctx: AppContext,
  tx: Tx,
  delivery: DeliveryRow,
  result: AttemptResult,
  now: Date,
): Promise<void> {
  const id = delivery.endpoint_id as number;
  const stamp = now.toISOString();
  if (result.outcome === 'succeeded') {
    await clearFailing(tx.db, id);
    return;
  }
  const endpoint = await findEndpoint(tx.db, id);
  if (!endpoint || endpoint.disabled_at !== null) return;
  const failingSince = endpoint.failing_since ?? stamp;
  const failedFor = (now.getTime() - Date.parse(failingSince)) / 1000;
  const reason =
    result.outcome === 'gone'
      ? 'The endpoint answered 410 Gone'
      : failedFor >= ctx.config.webhookDisableAfter
        ? `No delivery succeeded for ${Math.floor(failedFor / 86_400)} days`
        : null;
  await setFailingSince(tx.db, id, failingSince, stamp);
  if (!reason) return;
  // Attempts finishing together may each decide to disable: only the one that does writes the event.
  if (!(await disableEndpointRow(tx.db, id, reason, stamp))) return;
  await appendEvent(
    tx,
    {
      type: 'webhook_endpoint.disabled',
      subject: `webhook_endpoint:${id}`,
      data: { id, target_url: endpoint.target_url, reason, disabled_at: stamp },
      ownerId: endpoint.user_id,
      // No public answer shows an endpoint.
      keys: [],
    },
    now,
  );
}
