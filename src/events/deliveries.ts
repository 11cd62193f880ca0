/**
 * Deliveries: messages to webhook endpoints and WebSub subscribers, each tried until a 2xx or
 * until its retry schedule runs out. A node claims due deliveries with a lease (on PostgreSQL
 * with FOR UPDATE SKIP LOCKED), so several nodes share the queue and none sends a delivery that
 * another holds; a lease that runs out (a crashed node) puts the delivery back in the queue.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/database.ts';
import type { DeliveryRow } from '../db/schema.ts';
import type { DispatcherJob } from './dispatcher.ts';
import { OutboundError, pushPolicy, safeFetch } from '../net/safe-fetch.ts';

/** One HTTP request an attempt makes. */
export interface Outgoing {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type AttemptOutcome =
  /** A 2xx. */
  | 'succeeded'
  /** Any other status, except those below. */
  | 'failed'
  /** A 3xx: never followed. */
  | 'redirect'
  /** 410: the receiver wants no more. */
  | 'gone'
  /** 429 or 503: retried no sooner than its Retry-After. */
  | 'throttled'
  /** No answer: refused address, timeout, connection error. */
  | 'error';

export interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode: number | null;
  latencyMs: number;
  /** The first kilobyte of the answer's body. */
  response: string | null;
  error: string | null;
  /** From Retry-After on a throttled answer, in seconds. */
  retryAfter: number | null;
}

/** What a kind of delivery (webhook, WebSub) adds to the common queue. */
export interface DeliveryChannel {
  /** Names the channel in logs and metrics (`webhook`, `websub`). */
  name: string;
  owns(delivery: DeliveryRow): boolean;
  /** The request for an attempt now, or null when the target is gone (the delivery then dies). */
  request(ctx: AppContext, delivery: DeliveryRow, now: Date): Promise<Outgoing | null>;
  /** Effects of an attempt on its target (health, disabling), in the recording transaction. */
  afterAttempt(
    ctx: AppContext,
    tx: Tx,
    delivery: DeliveryRow,
    result: AttemptResult,
    now: Date,
  ): Promise<void>;
}

const RESPONSE_EXCERPT_BYTES = 1024;
/** A Retry-After is honoured up to a day; a longer one waits a day. */
const MAX_RETRY_AFTER = 86_400;

/**
 * Claims up to `limit` due deliveries for `owner`, never more than `perTarget` in flight to one
 * endpoint or subscriber (counting those other nodes hold).
 */
export async function claimDue(
  ctx: AppContext,
  owner: string,
  limit: number,
): Promise<DeliveryRow[]> {
  if (limit <= 0) return [];
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  const perTarget = ctx.config.deliveryConcurrency;
  // Candidates first, without locks: the oldest due deliveries of each target, as many as its
  // cap leaves room for. In-flight counts are grouped once, not counted per row.
  const candidates = await sql<{ id: number }>`
    select ranked.id from (
      select d.id, d.target, d.next_attempt_at,
        row_number() over (partition by d.target order by d.next_attempt_at, d.id) as rank
      from deliveries d
      left join webhook_endpoints e on e.id = d.endpoint_id
      where d.status = 'pending' and d.next_attempt_at <= ${stamp}
        and (d.lease_until is null or d.lease_until < ${stamp})
        and (d.endpoint_id is null or e.disabled_at is null)
    ) ranked
    left join (
      select target, count(*) as busy from deliveries
      where status = 'pending' and lease_until >= ${stamp}
      group by target
    ) held on held.target = ranked.target
    where ranked.rank + coalesce(held.busy, 0) <= ${perTarget}
    order by ranked.next_attempt_at, ranked.id
    limit ${limit}`.execute(ctx.database.db);
  const ids = candidates.rows.map((r) => Number(r.id));
  if (ids.length === 0) return [];
  return ctx.database.transaction(async (tx) => {
    // Then the lease, on those still free: the conditions are checked again under the row lock
    // (PostgreSQL skips rows another claim holds and re-reads ones it just changed).
    const free = tx.db
      .selectFrom('deliveries')
      .select('id')
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', stamp)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', stamp)]));
    const claimable = (await ctx.database.skipLocked(free).execute()).map((r) => r.id);
    if (claimable.length === 0) return [];
    return tx.db
      .updateTable('deliveries')
      .set({
        lease_owner: owner,
        lease_until: new Date(now.getTime() + ctx.config.deliveryLease * 1000).toISOString(),
        updated_at: stamp,
      })
      .where('id', 'in', claimable)
      .returningAll()
      .execute();
  });
}

/** Sends one attempt and classifies the answer; never throws. */
export async function attempt(ctx: AppContext, outgoing: Outgoing): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const answer = await safeFetch(outgoing.url, {
      method: 'POST',
      body: outgoing.body,
      headers: outgoing.headers,
      ...pushPolicy(ctx.config),
      followRedirects: false,
      timeoutMs: ctx.config.deliveryTimeout * 1000,
      maxBytes: RESPONSE_EXCERPT_BYTES,
      overflow: 'truncate',
    });
    const status = answer.status;
    const outcome: AttemptOutcome =
      status >= 200 && status < 300
        ? 'succeeded'
        : status >= 300 && status < 400
          ? 'redirect'
          : status === 410
            ? 'gone'
            : status === 429 || status === 503
              ? 'throttled'
              : 'failed';
    return {
      outcome,
      statusCode: status,
      latencyMs: elapsed(),
      response: new TextDecoder().decode(answer.body),
      error: outcome === 'redirect' ? 'redirects are not followed' : null,
      retryAfter:
        outcome === 'throttled' ? retryAfterSeconds(answer.headers.get('retry-after'), ctx) : null,
    };
  } catch (error) {
    const message =
      error instanceof OutboundError ? error.message : 'the request failed unexpectedly';
    if (!(error instanceof OutboundError)) ctx.logger.warn({ err: error }, 'delivery failed');
    return {
      outcome: 'error',
      statusCode: null,
      latencyMs: elapsed(),
      response: null,
      error: message,
      retryAfter: null,
    };
  }
}

/** Retry-After as seconds from now: a number of seconds or an HTTP date; null when absent or bad. */
function retryAfterSeconds(value: string | null, ctx: AppContext): number | null {
  if (value === null) return null;
  const text = value.trim();
  let seconds: number;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return null;
    seconds = Math.ceil((date - ctx.clock.now().getTime()) / 1000);
  }
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER);
}

/** What makes one delivery: its target (an endpoint or a subscription) and its message. */
export interface NewDelivery {
  endpointId?: number;
  subscriptionId?: number;
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
  const first = ctx.config.deliveryRetrySchedule[0] ?? 0;
  return {
    endpoint_id: d.endpointId ?? null,
    subscription_id: d.subscriptionId ?? null,
    target:
      d.endpointId !== undefined ? `endpoint:${d.endpointId}` : `subscription:${d.subscriptionId}`,
    event_id: d.eventId,
    message_id: d.messageId,
    event_type: d.eventType,
    content_type: d.contentType,
    body: d.body,
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: new Date(now.getTime() + first * 1000).toISOString(),
    lease_owner: null,
    lease_until: null,
    last_status_code: null,
    last_error: null,
    created_at: stamp,
    updated_at: stamp,
    completed_at: null,
  };
}

/** When the next attempt should be, or null when the schedule is spent. */
export function nextAttemptAt(
  schedule: number[],
  attemptsMade: number,
  result: AttemptResult,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  if (attemptsMade >= schedule.length) return null;
  const planned = schedule[attemptsMade] ?? 0;
  // Up to 10% later, so endpoints that failed together do not all retry in the same second.
  const delay = planned * (1 + 0.1 * random());
  const wait = Math.max(delay, result.retryAfter ?? 0);
  return new Date(now.getTime() + Math.round(wait * 1000));
}

/**
 * Records an attempt and moves the delivery on: done, retried later, or dead. A node whose lease
 * ran out (another node may hold the delivery now) records its attempt but changes nothing else.
 */
export async function recordAttempt(
  ctx: AppContext,
  channel: DeliveryChannel,
  delivery: DeliveryRow,
  owner: string,
  result: AttemptResult,
): Promise<void> {
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  const attempts = delivery.attempts + 1;
  const next =
    result.outcome === 'succeeded' || result.outcome === 'gone'
      ? null
      : nextAttemptAt(ctx.config.deliveryRetrySchedule, attempts, result, now);
  const status = result.outcome === 'succeeded' ? 'succeeded' : next === null ? 'dead' : 'pending';
  await ctx.database.transaction(async (tx) => {
    await tx.db
      .insertInto('delivery_attempts')
      .values({
        delivery_id: delivery.id,
        attempted_at: stamp,
        outcome: result.outcome,
        status_code: result.statusCode,
        latency_ms: result.latencyMs,
        response: result.response,
        error: result.error,
      })
      .execute();
    const moved = await tx.db
      .updateTable('deliveries')
      .set({
        status,
        attempts,
        next_attempt_at: (next ?? now).toISOString(),
        lease_owner: null,
        lease_until: null,
        last_status_code: result.statusCode,
        last_error: result.error,
        updated_at: stamp,
        completed_at: status === 'pending' ? null : stamp,
      })
      .where('id', '=', delivery.id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return;
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
  const stamp = ctx.clock.now().toISOString();
  await ctx.database.db
    .updateTable('deliveries')
    .set({
      status: 'dead',
      lease_owner: null,
      lease_until: null,
      last_error: reason,
      updated_at: stamp,
      completed_at: stamp,
    })
    .where('id', '=', delivery.id)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * The earliest time a claim could take a delivery: its next attempt, or when its lease runs out
 * if one is held. Deliveries to disabled endpoints wait for the endpoint, not for the clock.
 */
export async function nextDueAt(ctx: AppContext): Promise<Date | null> {
  const row = await sql<{ due: string | null }>`
    select min(case when d.lease_until > d.next_attempt_at then d.lease_until
                    else d.next_attempt_at end) as due
    from deliveries d
    left join webhook_endpoints e on e.id = d.endpoint_id
    where d.status = 'pending' and (d.endpoint_id is null or e.disabled_at is null)`.execute(
    ctx.database.db,
  );
  const due = row.rows[0]?.due;
  return due ? new Date(String(due)) : null;
}

/** How many finished deliveries one pass of the pruning job deletes at most. */
const PRUNE_BATCH = 1000;

/**
 * Deletes finished deliveries (and their attempts) older than QUIRE_DELIVERY_RETENTION, a batch
 * at a time; dead ones can be replayed until then.
 */
export const pruneDeliveries: DispatcherJob = {
  name: 'prune-deliveries',
  async run(ctx) {
    const cutoff = new Date(
      ctx.clock.now().getTime() - ctx.config.deliveryRetention * 1000,
    ).toISOString();
    const old = ctx.database.db
      .selectFrom('deliveries')
      .select('id')
      // Set exactly when a delivery leaves pending (and cleared by a replay).
      .where('completed_at', '<', cutoff)
      .limit(PRUNE_BATCH);
    const result = await ctx.database.db
      .deleteFrom('deliveries')
      .where('id', 'in', old)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },
  async nextAt(ctx) {
    const row = await ctx.database.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.min('completed_at').as('oldest'))
      .executeTakeFirst();
    if (!row?.oldest) return null;
    return new Date(Date.parse(String(row.oldest)) + ctx.config.deliveryRetention * 1000);
  },
};
