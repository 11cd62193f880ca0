/**
 * Deliveries: messages to webhook endpoints and WebSub subscribers, each tried until a 2xx or
 * until its retry schedule runs out. A node claims due deliveries with a lease (on PostgreSQL
 * with FOR UPDATE SKIP LOCKED), so several nodes share the queue and none sends a delivery that
 * another holds; a lease that runs out (a crashed node) puts the delivery back in the queue.
 */
import type { AppContext } from '../context.ts';
import type { DeliveryRow } from '../db/schema.ts';
import {
  abandonDelivery,
  claimCandidates,
  deleteFinishedBefore,
  earliestDue,
  insertAttempt,
  leaseDeliveries,
  oldestFinishedAt,
  settleDelivery,
} from './deliveries.repository.ts';
import type { AttemptResult } from './delivery-attempt.ts';
import type { AnyChannel, DispatcherJob } from './dispatcher-parts.ts';
import { firstAttemptAt, nextAttemptAt } from './retry-schedule.ts';

/**
 * Claims up to `limit` due deliveries for `owner`, never more than the configured concurrency in
 * flight to one endpoint or subscriber (counting those other nodes hold).
 */
export async function claimDue(
  ctx: AppContext,
  owner: string,
  limit: number,
): Promise<DeliveryRow[]> {
  if (limit <= 0) return [];
  const now = ctx.clock.now();
  // Candidates first, without locks; then the lease, on those still free.
  const ids = await claimCandidates(ctx.database.db, now, ctx.config.deliveryConcurrency, limit);
  if (ids.length === 0) return [];
  const leaseUntil = new Date(now.getTime() + ctx.config.deliveryLease * 1000);
  return ctx.database.transaction((tx) => leaseDeliveries(tx, ids, owner, now, leaseUntil));
}

/**
 * What makes one delivery: its target (an endpoint, a subscription, or another channel's target
 * such as `purge:<url>`) and its message.
 */
export interface NewDelivery {
  endpointId?: number;
  subscriptionId?: number;
  target?: string;
  eventId: number | null;
  messageId: string;
  eventType: string;
  contentType: string;
  body: string;
}

/**
 * The row of a new pending delivery, its first attempt due after the schedule's first step
 * (normally at once).
 */
export function pendingDelivery(ctx: AppContext, d: NewDelivery, now: Date) {
  const stamp = now.toISOString();
  return {
    endpoint_id: d.endpointId ?? null,
    subscription_id: d.subscriptionId ?? null,
    target:
      d.target ??
      (d.endpointId !== undefined
        ? `endpoint:${d.endpointId}`
        : `subscription:${d.subscriptionId}`),
    event_id: d.eventId,
    message_id: d.messageId,
    event_type: d.eventType,
    content_type: d.contentType,
    body: d.body,
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: firstAttemptAt(ctx.config.deliveryRetrySchedule, now).toISOString(),
    lease_owner: null,
    lease_until: null,
    last_status_code: null,
    last_error: null,
    created_at: stamp,
    updated_at: stamp,
    completed_at: null,
  };
}

/**
 * Records an attempt and moves the delivery on: done, retried later, or dead. A node whose lease
 * ran out (another node may hold the delivery now) records its attempt but changes nothing else.
 */
export async function recordAttempt(
  ctx: AppContext,
  channel: AnyChannel,
  delivery: DeliveryRow,
  owner: string,
  result: AttemptResult,
): Promise<void> {
  const now = ctx.clock.now();
  const attempts = delivery.attempts + 1;
  const next =
    result.outcome === 'succeeded' || result.outcome === 'gone'
      ? null
      : nextAttemptAt(ctx.config.deliveryRetrySchedule, attempts, result, now);
  const status = result.outcome === 'succeeded' ? 'succeeded' : next === null ? 'dead' : 'pending';
  await ctx.database.transaction(async (tx) => {
    await insertAttempt(tx.db, {
      deliveryId: delivery.id,
      at: now,
      outcome: result.outcome,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      response: result.response,
      error: result.error,
    });
    const settlement = {
      status,
      attempts,
      nextAttemptAt: next ?? now,
      lastStatusCode: result.statusCode,
      lastError: result.error,
    } as const;
    if (!(await settleDelivery(tx.db, delivery.id, owner, settlement, now))) return;
    await channel.afterAttempt(ctx, tx, delivery, result, now);
  });
}

/** A delivery whose target no longer exists: dead at once, without a request. */
export async function dropDelivery(
  ctx: AppContext,
  delivery: DeliveryRow,
  owner: string,
  reason: string,
): Promise<void> {
  await abandonDelivery(ctx.database.db, delivery.id, owner, reason, ctx.clock.now());
}

/**
 * The earliest time a claim could take a delivery: its next attempt, or when its lease runs out
 * if one is held. Deliveries to disabled endpoints wait for the endpoint, not for the clock.
 */
export function nextDueAt(ctx: AppContext): Promise<Date | null> {
  return earliestDue(ctx.database.db);
}

/** How many finished deliveries one pass of the pruning job deletes at most. */
const PRUNE_BATCH = 1000;

/**
 * Deletes finished deliveries (and their attempts) older than QUIRE_DELIVERY_RETENTION, a batch
 * at a time; dead ones can be replayed until then.
 */
export const pruneDeliveries: DispatcherJob = {
  name: 'prune-deliveries',
  run(ctx) {
    const retention = ctx.config.deliveryRetention * 1000;
    const cutoff = new Date(ctx.clock.now().getTime() - retention);
    return deleteFinishedBefore(ctx.database.db, cutoff, PRUNE_BATCH);
  },
  async nextAt(ctx) {
    const oldest = await oldestFinishedAt(ctx.database.db);
    return oldest && new Date(oldest.getTime() + ctx.config.deliveryRetention * 1000);
  },
};
