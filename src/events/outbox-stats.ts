/**
 * What the outbox and the delivery queue hold, read when metrics are scraped: how far each
 * consumer is behind, and how many deliveries are in each state.
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

export const DELIVERY_STATES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'dead'];

/**
 * Deliveries in each state, every state present. Counted from the (status, next_attempt_at)
 * index alone; the table holds finished deliveries only for QUIRE_DELIVERY_RETENTION.
 */
export async function deliveriesByState(db: DbHandle): Promise<Record<DeliveryStatus, number>> {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
    .groupBy('status')
    .execute();
  const counts: Record<DeliveryStatus, number> = { pending: 0, succeeded: 0, dead: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

/** Dead deliveries still kept (and so replayable): one range of the (status, ...) index. */
export async function deadLetterCount(db: DbHandle): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
