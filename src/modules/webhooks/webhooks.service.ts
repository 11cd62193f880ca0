/**
 * Webhook endpoints and their deliveries: an author's (an administrator's hear of every event),
 * with a `whsec_` secret shown once, rotation that keeps the old secret valid for a day, the
 * delivery log with every attempt, and replay of one delivery or of all in a status and window.
 */
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import { ownRow } from '../../db/own-row.ts';
import type {
  DeliveryAttemptRow,
  DeliveryRow,
  UserRow,
  WebhookEndpointRow,
} from '../../db/schema.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from '../../events/outbox.ts';
import { newWebhookSecret } from '../../events/signing.ts';
import { checkOutboundUrl, OutboundError, pushPolicy } from '../../net/safe-fetch.ts';
import { deliveryStatus, timeWindow } from './delivery-filters.ts';
import {
  attemptsOf,
  countEndpointsOf,
  deleteEndpointRow,
  deliveryExists,
  enableEndpointRow,
  insertEndpoint,
  listDeliveriesOf,
  listEndpointsOf,
  lockAccount,
  replayDeliveryRow,
  replayDeliveryRows,
  rotateEndpointSecret,
} from './webhooks.repository.ts';
import type { EndpointInput, ReplayFilter } from './webhooks.schemas.ts';

/** How long the secret before a rotation still signs deliveries. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
export const MAX_ENDPOINTS_PER_USER = 20;

/**
 * Work made due without an event (a replay, an endpoint enabled again) would wait for the
 * dispatchers' next poll; marking the transaction wakes them on commit, here and, through
 * NOTIFY, on other nodes. No event is written, so cached pages keep their version.
 */
const wakeDispatchers = (tx: Tx) => tx.markEvent();

/** The endpoint and, only at creation or rotation, its secret. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpointRow;
  secret: string;
}

function checkTargetUrl(ctx: AppContext, raw: string): string {
  try {
    return checkOutboundUrl(raw.trim(), {
      ...pushPolicy(ctx.config),
    }).href;
  } catch (error) {
    if (error instanceof OutboundError)
      throw validationFailed([{ field: 'target_url', message: error.message }]);
    throw error;
  }
}

function checkEvents(events: string[]): string[] {
  const unique = [...new Set(events)];
  const unknown = unique.filter((e) => !isWebhookEventType(e));
  if (unique.length === 0 || unknown.length > 0) {
    throw validationFailed([
      {
        field: 'events',
        message:
          unique.length === 0
            ? `Events can't be blank; choose from ${WEBHOOK_EVENT_TYPES.join(', ')}`
            : `Unknown event type ${unknown.map((e) => JSON.stringify(e)).join(', ')}; choose from ${WEBHOOK_EVENT_TYPES.join(', ')}`,
      },
    ]);
  }
  return unique;
}

export async function createEndpoint(
  ctx: AppContext,
  user: UserRow,
  input: EndpointInput,
): Promise<EndpointWithSecret> {
  const targetUrl = checkTargetUrl(ctx, input.target_url);
  const events = checkEvents(input.events);
  const source = (input.source ?? '').trim() || 'Quire';
  if (source.length > 100) {
    throw validationFailed([
      { field: 'source', message: 'Source is too long (maximum is 100 characters)' },
    ]);
  }
  const secret = newWebhookSecret();
  const stamp = ctx.clock.now().toISOString();
  const endpoint = await ctx.database.transaction(async (tx) => {
    // The account's row is locked while counting, so simultaneous creates cannot pass the limit.
    await lockAccount(tx.db, user.id, ctx.database);
    if ((await countEndpointsOf(tx.db, user.id)) >= MAX_ENDPOINTS_PER_USER) {
      throw validationFailed([
        {
          field: 'target_url',
          message: `An account may have at most ${MAX_ENDPOINTS_PER_USER} webhook endpoints`,
        },
      ]);
    }
    return insertEndpoint(tx.db, {
      user_id: user.id,
      target_url: targetUrl,
      source,
      events: JSON.stringify(events),
      secret,
      previous_secret: null,
      previous_secret_until: null,
      failing_since: null,
      disabled_at: null,
      disabled_reason: null,
      created_at: stamp,
      updated_at: stamp,
    });
  });
  return { endpoint, secret };
}

export function listEndpoints(ctx: AppContext, user: UserRow): Promise<WebhookEndpointRow[]> {
  return listEndpointsOf(ctx.database.db, user.id);
}

/** The user's endpoint; someone else's is as unknown as a missing one. */
export function getEndpoint(
  ctx: AppContext,
  user: UserRow,
  id: number,
): Promise<WebhookEndpointRow> {
  return ownRow(ctx.database.db, 'webhook_endpoints', id, user.id);
}

/** Deletes the endpoint with its deliveries; those in flight finish but are not retried. */
export async function deleteEndpoint(ctx: AppContext, user: UserRow, id: number): Promise<void> {
  await getEndpoint(ctx, user, id);
  await deleteEndpointRow(ctx.database.db, id);
}

/** A new secret; the old one keeps signing (as a second signature) for 24 hours. */
export async function rotateSecret(
  ctx: AppContext,
  user: UserRow,
  id: number,
): Promise<EndpointWithSecret> {
  const now = ctx.clock.now();
  const secret = newWebhookSecret();
  const endpoint = await rotateEndpointSecret(
    ctx.database.db,
    id,
    user.id,
    secret,
    new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString(),
    now.toISOString(),
  );
  if (!endpoint) throw notFound('not found');
  return { endpoint, secret };
}

/** Turns a disabled endpoint back on; its pending deliveries resume. */
export async function enableEndpoint(
  ctx: AppContext,
  user: UserRow,
  id: number,
): Promise<WebhookEndpointRow> {
  await getEndpoint(ctx, user, id);
  return ctx.database.transaction(async (tx) => {
    wakeDispatchers(tx);
    return enableEndpointRow(tx.db, id, ctx.clock.now().toISOString());
  });
}

export interface DeliveryWithAttempts {
  delivery: DeliveryRow;
  attempts: DeliveryAttemptRow[];
}

export interface DeliveryFilter {
  /** pending, succeeded or dead; all when absent. */
  status?: string | undefined;
  page: number;
  perPage: number;
}

async function withAttempts(
  ctx: AppContext,
  deliveries: DeliveryRow[],
): Promise<DeliveryWithAttempts[]> {
  if (deliveries.length === 0) return [];
  const attempts = await attemptsOf(
    ctx.database.db,
    deliveries.map((d) => d.id),
  );
  return deliveries.map((delivery) => ({
    delivery,
    attempts: attempts.filter((a) => a.delivery_id === delivery.id),
  }));
}

/** The endpoint's deliveries, newest first, each with its attempts in order. */
export async function listDeliveries(
  ctx: AppContext,
  user: UserRow,
  endpointId: number,
  filter: DeliveryFilter,
): Promise<DeliveryWithAttempts[]> {
  const status = deliveryStatus(filter.status);
  await getEndpoint(ctx, user, endpointId);
  const deliveries = await listDeliveriesOf(
    ctx.database.db,
    endpointId,
    status,
    filter.perPage,
    (filter.page - 1) * filter.perPage,
  );
  return withAttempts(ctx, deliveries);
}

/**
 * Sends one delivery again, with its original `webhook-id`, under a fresh retry schedule; its
 * earlier attempts stay in its log.
 */
export async function replayDelivery(
  ctx: AppContext,
  user: UserRow,
  endpointId: number,
  deliveryId: number,
): Promise<DeliveryWithAttempts> {
  await getEndpoint(ctx, user, endpointId);
  const stamp = ctx.clock.now().toISOString();
  const row = await ctx.database.transaction(async (tx) => {
    // One in flight now is left alone: it is being sent already.
    const updated = await replayDeliveryRow(tx.db, endpointId, deliveryId, stamp);
    if (updated) wakeDispatchers(tx);
    return updated;
  });
  if (row) {
    const [found] = await withAttempts(ctx, [row]);
    if (found) return found;
  }
  if (!(await deliveryExists(ctx.database.db, endpointId, deliveryId))) throw notFound('not found');
  throw new AppError('conflict', 'The delivery is being sent right now; try again shortly');
}

/**
 * Sends again every delivery of the endpoint in a status (dead unless told) created within
 * [since, until]; returns how many.
 */
export async function replayDeliveries(
  ctx: AppContext,
  user: UserRow,
  endpointId: number,
  filter: ReplayFilter,
): Promise<number> {
  const status = deliveryStatus(filter.status, ['dead', 'succeeded']) ?? 'dead';
  const { since, until } = timeWindow(filter.since, filter.until);
  await getEndpoint(ctx, user, endpointId);
  const stamp = ctx.clock.now().toISOString();
  return ctx.database.transaction(async (tx) => {
    const replayedCount = await replayDeliveryRows(
      tx.db,
      endpointId,
      { status, since, until },
      stamp,
    );
    if (replayedCount > 0) wakeDispatchers(tx);
    return replayedCount;
  });
}
