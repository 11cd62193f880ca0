/**
 * Reading the outbox in order. Every transaction that appends events holds the outbox lock from
 * its first event until it commits (see Tx.lockOutbox), so event ids commit in increasing order
 * on both databases: a reader that has seen id N will never see a smaller id appear later.
 */
import type { DbHandle } from '../db/database.ts';
import type { EventRow } from '../db/schema.ts';

/** Events after `afterId`, oldest first. */
export function eventsAfter(db: DbHandle, afterId: number, limit: number): Promise<EventRow[]> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The id of the newest event, 0 when there is none. */
export async function newestEventId(db: DbHandle): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}
