/**
 * What the outbox and the delivery queue hold, read when metrics are scraped: how far each
 * consumer is behind, and how many deliveries wait or are dead.
 */
import type { DbHandle } from '../db/database.ts';
import type { DeliveryStatus } from '../db/schema.ts';
import { countInState } from './deliveries.repository.ts';
import { oldestUnhandled } from './events.repository.ts';

export interface ConsumerLag {
  consumer: string;
  /** Age of the oldest event the consumer has not handled; 0 when it is caught up. */
  seconds: number;
}

/** Each consumer's lag: the age of the first event after its position. */
export async function consumerLags(db: DbHandle, now: Date): Promise<ConsumerLag[]> {
  return (await oldestUnhandled(db)).map(({ consumer, oldest }) => ({
    consumer,
    seconds: oldest ? Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000) : 0,
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

/** Fan-outs of publishes not finished yet: a handful at any time, one row per author or tag. */
export async function pendingFanouts(db: DbHandle): Promise<number> {
  const row = await db
    .selectFrom('fanouts')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('finished_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
