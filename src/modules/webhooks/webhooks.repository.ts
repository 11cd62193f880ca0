/** Queries on webhook endpoints and on their deliveries and attempts. */
import type { Insertable } from 'kysely';
import type { Database, DbHandle } from '../../db/database.ts';
import type {
  DeliveryAttemptRow,
  DeliveryRow,
  DeliveryStatus,
  UserRow,
  WebhookEndpointRow,
  WebhookEndpointsTable,
} from '../../db/schema.ts';

/**
 * Locks the account's row until the transaction ends (PostgreSQL), so checks on what the
 * account owns and the writes they guard cannot interleave with another transaction's.
 */
export async function lockAccount(
  db: DbHandle,
  userId: number,
  database: Pick<Database, 'forUpdate'>,
): Promise<void> {
  await database.forUpdate(db.selectFrom('users').select('id').where('id', '=', userId)).execute();
}

export async function countEndpointsOf(db: DbHandle, userId: number): Promise<number> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function insertEndpoint(
  db: DbHandle,
  endpoint: Insertable<WebhookEndpointsTable>,
): Promise<WebhookEndpointRow> {
  return db
    .insertInto('webhook_endpoints')
    .values(endpoint)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listEndpointsOf(db: DbHandle, userId: number): Promise<WebhookEndpointRow[]> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

export function findEndpoint(db: DbHandle, id: number): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Endpoints not disabled, each with its owner's role. */
export function listActiveEndpoints(
  db: DbHandle,
): Promise<Array<WebhookEndpointRow & Pick<UserRow, 'role'>>> {
  return db
    .selectFrom('webhook_endpoints')
    .innerJoin('users', 'users.id', 'webhook_endpoints.user_id')
    .selectAll('webhook_endpoints')
    .select('users.role')
    .where('webhook_endpoints.disabled_at', 'is', null)
    .execute();
}

/** Deletes the endpoint; its deliveries go with it. */
export async function deleteEndpointRow(db: DbHandle, id: number): Promise<void> {
  await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
}

/**
 * Makes `secret` the user's endpoint's secret, keeping the one it replaces until
 * `previousUntil`; undefined when the user has no such endpoint. One statement, so two
 * rotations at once each keep the secret the other replaced.
 */
export function rotateEndpointSecret(
  db: DbHandle,
  id: number,
  userId: number,
  secret: string,
  previousUntil: string,
  now: string,
): Promise<WebhookEndpointRow | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set((eb) => ({
      secret,
      previous_secret: eb.ref('secret'),
      previous_secret_until: previousUntil,
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

/** Clears the endpoint's disabling and failure streak. */
export function enableEndpointRow(
  db: DbHandle,
  id: number,
  now: string,
): Promise<WebhookEndpointRow> {
  return db
    .updateTable('webhook_endpoints')
    .set({ disabled_at: null, disabled_reason: null, failing_since: null, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Ends the endpoint's failure streak, if it has one. */
export async function clearFailing(db: DbHandle, id: number): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: null })
    .where('id', '=', id)
    .where('failing_since', 'is not', null)
    .execute();
}

export async function setFailingSince(
  db: DbHandle,
  id: number,
  failingSince: string,
  now: string,
): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: failingSince, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Disables the endpoint unless it already is; false when it was. */
export async function disableEndpointRow(
  db: DbHandle,
  id: number,
  reason: string,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({ disabled_at: now, disabled_reason: reason })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The endpoint's deliveries, newest first, in one status or all. */
export function listDeliveriesOf(
  db: DbHandle,
  endpointId: number,
  status: DeliveryStatus | undefined,
  limit: number,
  offset: number,
): Promise<DeliveryRow[]> {
  let query = db
    .selectFrom('deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset);
  if (status) query = query.where('status', '=', status);
  return query.execute();
}

/** The attempts of these deliveries, in the order they were made. */
export function attemptsOf(db: DbHandle, deliveryIds: number[]): Promise<DeliveryAttemptRow[]> {
  return db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('id')
    .execute();
}

export async function deliveryExists(
  db: DbHandle,
  endpointId: number,
  deliveryId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('deliveries')
    .select('id')
    .where('id', '=', deliveryId)
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirst();
  return row !== undefined;
}

/** A delivery made due again, as new: no attempts, no lease, not completed. */
const replayed = (now: string) => ({
  status: 'pending' as const,
  attempts: 0,
  next_attempt_at: now,
  lease_owner: null,
  lease_until: null,
  completed_at: null,
  updated_at: now,
});

/**
 * Makes the endpoint's delivery due again, unless it is leased (being sent) now; undefined when
 * it is, or when the endpoint has no such delivery.
 */
export function replayDeliveryRow(
  db: DbHandle,
  endpointId: number,
  deliveryId: number,
  now: string,
): Promise<DeliveryRow | undefined> {
  return db
    .updateTable('deliveries')
    .set(replayed(now))
    .where('id', '=', deliveryId)
    .where('endpoint_id', '=', endpointId)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
}

export interface ReplayWindow {
  status: DeliveryStatus;
  /** Created at or after this instant. */
  since?: string | undefined;
  /** Created at or before this instant. */
  until?: string | undefined;
}

/** Makes due again every delivery of the endpoint in the status and window; returns how many. */
export async function replayDeliveryRows(
  db: DbHandle,
  endpointId: number,
  window: ReplayWindow,
  now: string,
): Promise<number> {
  let query = db
    .updateTable('deliveries')
    .set(replayed(now))
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', window.status);
  if (window.since) query = query.where('created_at', '>=', window.since);
  if (window.until) query = query.where('created_at', '<=', window.until);
  return Number((await query.executeTakeFirst()).numUpdatedRows);
}
