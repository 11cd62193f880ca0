/**
 * Consumers of the outbox that turn events into work (deliveries, mostly). Each keeps its own
 * position in the `consumers` table, moved in the same transaction as the work it wrote, so an
 * event is handled once per consumer, and a slow consumer holds up no other. One node at a time
 * advances a consumer: on PostgreSQL the others skip its row while it is locked. A consumer can
 * be rewound to read the events since a time again (`quire events rewind`).
 */
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/database.ts';
import type { EventRow } from '../db/schema.ts';
import {
  consumerPosition,
  eventsAfter,
  insertConsumer,
  lastEventBefore,
  lockConsumer,
  moveConsumer,
  newestEventId,
} from './events.repository.ts';

export interface OutboxConsumer {
  name: string;
  /** Handles a batch of events, oldest first, inside the transaction that moves the position. */
  handle(ctx: AppContext, tx: Tx, events: EventRow[]): Promise<void>;
}

const BATCH = 100;

/** Registers a consumer that starts at the newest event: it does not replay the past. */
export async function registerConsumer(ctx: AppContext, name: string): Promise<void> {
  const head = await newestEventId(ctx.database.db);
  await insertConsumer(ctx.database.db, name, head, ctx.clock.now());
}

/** Handles the next batch of events; returns how many, 0 when caught up or another node is on it. */
export async function advance(ctx: AppContext, consumer: OutboxConsumer): Promise<number> {
  return ctx.database.transaction(async (tx) => {
    const position = await lockConsumer(tx, consumer.name);
    if (position === undefined) return 0;
    const events = await eventsAfter(tx.db, position, BATCH);
    const last = events.at(-1);
    if (!last) return 0;
    await consumer.handle(ctx, tx, events);
    await moveConsumer(tx.db, consumer.name, Number(last.id), ctx.clock.now());
    return events.length;
  });
}

export interface Rewound {
  /** The position before and after; equal when the consumer had not yet read past `since`. */
  from: number;
  to: number;
}

/**
 * Moves a consumer back to just before the first event at or after `since`, so that it handles
 * every event from there again; never forward, which would skip events. Undefined when there is
 * no such consumer. A consumer's work must be idempotent for this to be safe, as each one's is.
 */
export async function rewindConsumer(
  ctx: AppContext,
  name: string,
  since: Date,
): Promise<Rewound | undefined> {
  return ctx.database.transaction(async (tx) => {
    // Waits for a node moving it to commit, then starts from where that left it.
    const from = await lockedPosition(tx, name);
    if (from === undefined) return undefined;
    const to = Math.min(from, await lastEventBefore(tx.db, since.toISOString()));
    if (to !== from) await moveConsumer(tx.db, name, to, ctx.clock.now());
    return { from, to };
  });
}

async function lockedPosition(tx: Tx, name: string): Promise<number | undefined> {
  // Any write takes the row's lock: an update that changes nothing takes it without a side effect.
  await tx.db.updateTable('consumers').set({ name }).where('name', '=', name).execute();
  return consumerPosition(tx.db, name);
}
