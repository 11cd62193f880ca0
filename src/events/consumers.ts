/**
 * Consumers of the outbox that turn events into work (deliveries, mostly). Each keeps its own
 * position in the `consumers` table, moved in the same transaction as the work it wrote, so an
 * event is handled once per consumer, and a slow consumer holds up no other. One node at a time
 * advances a consumer: on PostgreSQL the others skip its row while it is locked.
 */
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/database.ts';
import type { EventRow } from '../db/schema.ts';
import { eventsAfter, newestEventId } from './event-log.ts';

export interface OutboxConsumer {
  name: string;
  /** Handles a batch of events, oldest first, inside the transaction that moves the position. */
  handle(ctx: AppContext, tx: Tx, events: EventRow[]): Promise<void>;
}

const BATCH = 100;

/** Registers a consumer that starts at the newest event: it does not replay the past. */
export async function registerConsumer(ctx: AppContext, name: string): Promise<void> {
  const head = await newestEventId(ctx.database.db);
  await ctx.database.db
    .insertInto('consumers')
    .values({
      name,
      position: head,
      updated_at: ctx.clock.now().toISOString(),
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** Handles the next batch of events; returns how many, 0 when caught up or another node is on it. */
export async function advance(ctx: AppContext, consumer: OutboxConsumer): Promise<number> {
  return ctx.database.transaction(async (tx) => {
    const row = await ctx.database
      .skipLocked(
        tx.db.selectFrom('consumers').select('position').where('name', '=', consumer.name),
      )
      .executeTakeFirst();
    if (!row) return 0;
    const events = await eventsAfter(tx.db, Number(row.position), BATCH);
    const last = events.at(-1);
    if (!last) return 0;
    await consumer.handle(ctx, tx, events);
    await tx.db
      .updateTable('consumers')
      .set({
        position: Number(last.id),
        updated_at: ctx.clock.now().toISOString(),
      })
      .where('name', '=', consumer.name)
      .execute();
    return events.length;
  });
}
