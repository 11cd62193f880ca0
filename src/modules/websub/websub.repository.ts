/** Queries on WebSub subscriptions. An expired subscription is kept until the cleanup job runs. */
import type { DbHandle } from '../../db/database.ts';

export interface SubscriptionValues {
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number;
  /** The hash of the feed as it is now: only a later change is sent. */
  contentHash: string | null;
}

export function findSubscription(db: DbHandle, topic: string, callback: string) {
  return db
    .selectFrom('websub_subscriptions')
    .selectAll()
    .where('topic', '=', topic)
    .where('callback', '=', callback)
    .executeTakeFirst();
}

export function findSubscriptionById(db: DbHandle, id: number) {
  return db.selectFrom('websub_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Creates a subscription, or renews the one for the same topic and callback: a new lease from
 * now and the secret given this time. A renewal keeps its content hash, so a change not yet sent
 * still is.
 */
export async function saveSubscription(db: DbHandle, values: SubscriptionValues, now: Date) {
  const stamp = now.toISOString();
  const lease = {
    secret: values.secret,
    lease_seconds: values.leaseSeconds,
    expires_at: new Date(now.getTime() + values.leaseSeconds * 1000).toISOString(),
    updated_at: stamp,
  };
  await db
    .insertInto('websub_subscriptions')
    .values({
      topic: values.topic,
      callback: values.callback,
      content_hash: values.contentHash,
      created_at: stamp,
      ...lease,
    })
    .onConflict((oc) => oc.columns(['topic', 'callback']).doUpdateSet(lease))
    .execute();
}

/** Deletes a subscription (its deliveries go with it); returns how many rows went. */
export async function deleteSubscription(db: DbHandle, topic: string, callback: string) {
  const result = await db
    .deleteFrom('websub_subscriptions')
    .where('topic', '=', topic)
    .where('callback', '=', callback)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteSubscriptionById(db: DbHandle, id: number) {
  await db.deleteFrom('websub_subscriptions').where('id', '=', id).execute();
}

/** Each topic unexpired subscriptions follow, with every content hash they were last sent. */
export async function sentHashesByTopic(
  db: DbHandle,
  now: Date,
): Promise<Map<string, Set<string | null>>> {
  const rows = await db
    .selectFrom('websub_subscriptions')
    .select(['topic', 'content_hash'])
    .distinct()
    .where('expires_at', '>', now.toISOString())
    .execute();
  const topics = new Map<string, Set<string | null>>();
  for (const { topic, content_hash } of rows) {
    const hashes = topics.get(topic) ?? new Set();
    hashes.add(content_hash);
    topics.set(topic, hashes);
  }
  return topics;
}

/**
 * Records `hash` as sent for the unexpired subscriptions of `topic` that had another one, and
 * returns them. A row another node just moved no longer matches, so each change is taken once.
 */
export async function takeChanged(db: DbHandle, topic: string, hash: string, now: Date) {
  return db
    .updateTable('websub_subscriptions')
    .set({ content_hash: hash })
    .where('topic', '=', topic)
    .where('expires_at', '>', now.toISOString())
    .where((eb) => eb.or([eb('content_hash', 'is', null), eb('content_hash', '!=', hash)]))
    .returning('id')
    .execute();
}

/** Deletes the subscriptions whose lease ran out; returns how many. */
export async function deleteExpired(db: DbHandle, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('websub_subscriptions')
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function nextExpiry(db: DbHandle): Promise<Date | null> {
  const row = await db
    .selectFrom('websub_subscriptions')
    .select((eb) => eb.fn.min('expires_at').as('at'))
    .executeTakeFirst();
  return row?.at ? new Date(String(row.at)) : null;
}

/**
 * Marks dead the pending deliveries of these subscriptions that no node holds: content still
 * waiting for a retry, outdated by newer content.
 */
export async function replaceWaiting(db: DbHandle, subscriptionIds: number[], now: Date) {
  const stamp = now.toISOString();
  await db
    .updateTable('deliveries')
    .set({
      status: 'dead',
      last_error: 'replaced by newer content',
      lease_owner: null,
      lease_until: null,
      updated_at: stamp,
      completed_at: stamp,
    })
    .where('status', '=', 'pending')
    .where('subscription_id', 'in', subscriptionIds)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', stamp)]))
    .execute();
}
