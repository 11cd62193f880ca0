/**
 * Queries of the delivery queue: claiming due deliveries with a lease, recording attempts,
 * settling, what is due next, pruning, and counts by state.
 */
import { type Insertable, sql } from 'kysely';
import type { DbHandle, Tx } from '../db/database.ts';
import type { DeliveriesTable, DeliveryRow, DeliveryStatus } from '../db/schema.ts';

/** Rows per INSERT: a fan-out to many targets stays within the engines' parameter limits. */
const INSERT_BATCH = 100;

/** Queues new deliveries (each channel builds its rows with `pendingDelivery`). */
export async function insertDeliveries(
  db: DbHandle,
  rows: Array<Insertable<DeliveriesTable>>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    await db
      .insertInto('deliveries')
      .values(rows.slice(i, i + INSERT_BATCH))
      .execute();
  }
}

/**
 * Ids of due deliveries a claim may take, oldest due first, at most `limit`: for each target
 * only as many as `perTarget` leaves room for beside the deliveries already leased to it (by any
 * node). Read without locks; leaseDeliveries checks them again under the lock.
 */
export async function claimCandidates(
  db: DbHandle,
  now: Date,
  perTarget: number,
  limit: number,
): Promise<number[]> {
  const stamp = now.toISOString();
  // In-flight counts are grouped once, not counted per row.
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
    limit ${limit}`.execute(db);
  return candidates.rows.map((r) => Number(r.id));
}

/**
 * Leases to `owner`, until `leaseUntil`, those of `ids` still pending, due and free: the
 * conditions are checked again under the row lock (PostgreSQL skips rows another claim holds
 * and re-reads ones it just changed). Returns the leased deliveries.
 */
export async function leaseDeliveries(
  tx: Tx,
  ids: number[],
  owner: string,
  now: Date,
  leaseUntil: Date,
): Promise<DeliveryRow[]> {
  const stamp = now.toISOString();
  const free = tx.db
    .selectFrom('deliveries')
    .select('id')
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', stamp)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', stamp)]));
  const claimable = (await tx.skipLocked(free).execute()).map((r) => r.id);
  if (claimable.length === 0) return [];
  return tx.db
    .updateTable('deliveries')
    .set({ lease_owner: owner, lease_until: leaseUntil.toISOString(), updated_at: stamp })
    .where('id', 'in', claimable)
    .returningAll()
    .execute();
}

export interface AttemptRecord {
  deliveryId: number;
  at: Date;
  outcome: string;
  statusCode: number | null;
  latencyMs: number;
  response: string | null;
  error: string | null;
}

export async function insertAttempt(db: DbHandle, attempt: AttemptRecord): Promise<void> {
  await db
    .insertInto('delivery_attempts')
    .values({
      delivery_id: attempt.deliveryId,
      attempted_at: attempt.at.toISOString(),
      outcome: attempt.outcome,
      status_code: attempt.statusCode,
      latency_ms: attempt.latencyMs,
      response: attempt.response,
      error: attempt.error,
    })
    .execute();
}

/** Where a delivery stands after an attempt. */
export interface Settlement {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
}

/**
 * Moves a delivery `owner` still leases to where an attempt left it, and frees it. False when
 * the lease is no longer `owner`'s (it ran out; another node may hold the delivery now).
 */
export async function settleDelivery(
  db: DbHandle,
  id: number,
  owner: string,
  settlement: Settlement,
  now: Date,
): Promise<boolean> {
  const stamp = now.toISOString();
  const moved = await db
    .updateTable('deliveries')
    .set({
      status: settlement.status,
      attempts: settlement.attempts,
      next_attempt_at: settlement.nextAttemptAt.toISOString(),
      lease_owner: null,
      lease_until: null,
      last_status_code: settlement.lastStatusCode,
      last_error: settlement.lastError,
      updated_at: stamp,
      completed_at: settlement.status === 'pending' ? null : stamp,
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) > 0;
}

/** Marks a delivery `owner` leases dead without an attempt, saying why. */
export async function abandonDelivery(
  db: DbHandle,
  id: number,
  owner: string,
  reason: string,
  now: Date,
): Promise<void> {
  const stamp = now.toISOString();
  await db
    .updateTable('deliveries')
    .set({
      status: 'dead',
      lease_owner: null,
      lease_until: null,
      last_error: reason,
      updated_at: stamp,
      completed_at: stamp,
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * The earliest time a claim could take a pending delivery: its next attempt, or when its lease
 * runs out if that is later. Deliveries to disabled endpoints are left out.
 */
export async function earliestDue(db: DbHandle): Promise<Date | null> {
  const row = await sql<{ due: string | null }>`
    select min(case when d.lease_until > d.next_attempt_at then d.lease_until
                    else d.next_attempt_at end) as due
    from deliveries d
    left join webhook_endpoints e on e.id = d.endpoint_id
    where d.status = 'pending' and (d.endpoint_id is null or e.disabled_at is null)`.execute(db);
  const due = row.rows[0]?.due;
  return due ? new Date(String(due)) : null;
}

/**
 * Deletes at most `limit` deliveries finished before `cutoff` (their attempts go with them);
 * returns how many.
 */
export async function deleteFinishedBefore(
  db: DbHandle,
  cutoff: Date,
  limit: number,
): Promise<number> {
  const old = db
    .selectFrom('deliveries')
    .select('id')
    // Set exactly when a delivery leaves pending (and cleared by a replay).
    .where('completed_at', '<', cutoff.toISOString())
    .limit(limit);
  const result = await db.deleteFrom('deliveries').where('id', 'in', old).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** When the delivery that finished first did; null when none has. */
export async function oldestFinishedAt(db: DbHandle): Promise<Date | null> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.min('completed_at').as('oldest'))
    .executeTakeFirst();
  return row?.oldest ? new Date(Date.parse(String(row.oldest))) : null;
}

/** How many deliveries are in `state`: one range of the (status, next_attempt_at) index. */
export async function countInState(db: DbHandle, state: DeliveryStatus): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', state)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Empties a delivery's body once it needs it no more (a mail carrying a one-time link, sent). */
export async function clearDeliveryBody(db: DbHandle, id: number): Promise<void> {
  await db.updateTable('deliveries').set({ body: '' }).where('id', '=', id).execute();
}
