/**
 * What the outbox and the delivery queue hold, read when metrics are scraped: how far each
 * consumer is behind, and how many deliveries wait or are dead.
 */
import type { DbHandle } from '../db/database.ts';
import type { DeliveryStatus } from '../db/schema.ts';

export interface ConsumerLag {
  consumer: string;
  /** Age of the oldest event the consumer has not handled; 0 when it is caught up. */
  seconds: number;
}

/**
 * Each consumer's lag. Event ids commit in order, so the oldest unhandled event is the first
 * after the consumer's position: one step into the primary key per consumer, however long the
 * events table is.
 */
export async function consumerLags(db: DbHandle, now: Date): Promise<ConsumerLag[]> {
  const rows = await db
    .selectFrom('consumers as c')
    .select((eb) => [
      'c.name',
      eb
        .selectFrom('events as e')
        .select('e.created_at')
        .whereRef('e.id', '>', 'c.position')
        .orderBy('e.id')
        .limit(1)
        .as('oldest'),
    ])
    .orderBy('c.name')
    .execute();
  return rows.map((row) => ({
    consumer: row.name,
    seconds: row.oldest ? Math.max(0, (now.getTime() - Date.parse(String(row.oldest))) / 1000) : 0,
  }));
}

/** The states a gauge counts: work still queued, and work given up on. */
export type QueueState = Extract<DeliveryStatus, 'pending' | 'dead'>;

/**
 * Deliveries pending and dead, each one range of the (status, next_attempt_at) index: they grow
 * with the queue and the dead letters, not with the deliveries that succeeded and are kept for
 * QUIRE_DELIVERY_RETENTION (counted as attempts by outcome instead).
 */
export async function queuedDeliveries(db: DbHandle): Promise<Record<QueueState, number>> {
  return { pending: await countInState(db, 'pending'), dead: await countInState(db, 'dead') };
}

/** Dead deliveries still kept (and so replayable). */
export const deadLetterCount = (db: DbHandle) => countInState(db, 'dead');

async function countInState(db: DbHandle, state: DeliveryStatus): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', state)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
