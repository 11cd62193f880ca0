/**
 * Queries of the outbox and of its consumers' positions. Every transaction that appends events
 * holds the outbox lock from its first event until it commits (see Tx.lockOutbox), so event ids
 * commit in increasing order on both databases: a reader that has seen id N will never see a
 * smaller id appear later.
 */
import type { Insertable } from 'kysely';
import type { DbHandle, Tx } from '../db/database.ts';
import type { EventRow, EventsTable } from '../db/schema.ts';

export type NewEvent = Insertable<EventsTable>;

/**
 * Inserts events in one statement, after taking the outbox lock. It takes the transaction, not a
 * handle: an event is only ever written with the change it describes (appendEvents says how).
 */
export async function insertEvents(tx: Tx, rows: NewEvent[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.lockOutbox();
  await tx.db.insertInto('events').values(rows).execute();
}

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

/** The ids and cache keys of at most `limit` events after `afterId`, oldest first. */
export function eventKeysAfter(
  db: DbHandle,
  afterId: number,
  limit: number,
): Promise<Array<{ id: number; cache_keys: string | null }>> {
  return db
    .selectFrom('events')
    .select(['id', 'cache_keys'])
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

/** Adds a consumer at `position`; one already there keeps its own. */
export async function insertConsumer(
  db: DbHandle,
  name: string,
  position: number,
  now: Date,
): Promise<void> {
  await db
    .insertInto('consumers')
    .values({ name, position, updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/**
 * A consumer's position, its row locked until the transaction ends; undefined when there is no
 * such consumer or (PostgreSQL) another transaction holds it.
 */
export async function lockConsumer(tx: Tx, name: string): Promise<number | undefined> {
  const row = await tx
    .skipLocked(tx.db.selectFrom('consumers').select('position').where('name', '=', name))
    .executeTakeFirst();
  return row ? Number(row.position) : undefined;
}

export async function moveConsumer(
  db: DbHandle,
  name: string,
  position: number,
  now: Date,
): Promise<void> {
  await db
    .updateTable('consumers')
    .set({ position, updated_at: now.toISOString() })
    .where('name', '=', name)
    .execute();
}

/**
 * Each consumer with the creation time of the oldest event it has not handled (null when it is
 * caught up). Event ids commit in order, so that event is the first after the consumer's
 * position: one step into the primary key per consumer, however long the events table is.
 */
export async function oldestUnhandled(
  db: DbHandle,
): Promise<Array<{ consumer: string; oldest: string | null }>> {
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
    oldest: row.oldest ? String(row.oldest) : null,
  }));
}

/** The id of the newest event created before `at` (stored form), 0 when there is none. */
export async function lastEventBefore(db: DbHandle, at: string): Promise<number> {
  // Ids and times rise together, so the walk down the primary key stops at the first match.
  const row = await db
    .selectFrom('events')
    .select('id')
    .where('created_at', '<', at)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** A consumer's position, undefined when there is no such consumer. */
export async function consumerPosition(db: DbHandle, name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('consumers')
    .select('position')
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? Number(row.position) : undefined;
}

/** The names of the consumers that have a position. */
export async function consumerNames(db: DbHandle): Promise<string[]> {
  const rows = await db.selectFrom('consumers').select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
}
