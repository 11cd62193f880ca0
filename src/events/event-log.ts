/**
 * Reading the outbox in order. Events are ordered by (txid, id); a reader takes only settled
 * events (see Database.settledEvents), so nothing can later appear behind its position.
 */
import type { Database, DbHandle } from '../db/database.ts';
import type { EventRow } from '../db/schema.ts';

export interface Position {
  txid: number;
  id: number;
}

export const START: Position = { txid: 0, id: 0 };

/** Settled events after `position`, oldest first. */
export function settledEventsAfter(
  database: Database,
  db: DbHandle,
  position: Position,
  limit: number,
): Promise<EventRow[]> {
  return db
    .selectFrom('events')
    .selectAll()
    .where((eb) =>
      eb.and([
        eb(eb.refTuple('txid', 'id'), '>', eb.tuple(position.txid, position.id)),
        database.settledEvents(),
      ]),
    )
    .orderBy('txid')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The position of the newest settled event: where a reader that skips the past starts. */
export async function settledHead(database: Database): Promise<Position> {
  const row = await database.db
    .selectFrom('events')
    .select(['txid', 'id'])
    .where(database.settledEvents())
    .orderBy('txid', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { txid: Number(row.txid), id: Number(row.id) } : START;
}

/**
 * How many events there are after `position`, settled or not, and the largest id among them:
 * together with the position, a fingerprint that changes whenever any event commits.
 */
export async function recentEvents(
  database: Database,
  position: Position,
): Promise<{ count: number; maxId: number }> {
  const row = await database.db
    .selectFrom('events')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('id').as('max_id')])
    .where((eb) => eb(eb.refTuple('txid', 'id'), '>', eb.tuple(position.txid, position.id)))
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), maxId: Number(row.max_id ?? 0) };
}
