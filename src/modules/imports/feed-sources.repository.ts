/** Queries on `feed_sources`: an author's saved feeds, their schedule, leases and last results. */
import type { Insertable, Updateable } from 'kysely';
import type { Database, DbHandle } from '../../db/database.ts';
import type { FeedSourceRow, FeedSourcesTable } from '../../db/schema.ts';

export function insertSource(
  db: DbHandle,
  values: Insertable<FeedSourcesTable>,
): Promise<FeedSourceRow> {
  return db.insertInto('feed_sources').values(values).returningAll().executeTakeFirstOrThrow();
}

export function sourcesOf(db: DbHandle, userId: number): Promise<FeedSourceRow[]> {
  return db
    .selectFrom('feed_sources')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

export async function deleteSource(db: DbHandle, id: number): Promise<void> {
  await db.deleteFrom('feed_sources').where('id', '=', id).execute();
}

export interface SourceLease {
  /** A token per claim: a poll that outlived its lease cannot release the next claim's. */
  owner: string;
  until: Date;
}

/**
 * Leases one source that no one holds: the given one, or else the most overdue that is due at
 * `now`; undefined when none is free. Run it in a transaction: on PostgreSQL `database` makes
 * the read skip rows another transaction holds.
 */
export async function leaseSource(
  db: DbHandle,
  database: Pick<Database, 'skipLocked'>,
  now: Date,
  lease: SourceLease,
  id?: number,
): Promise<FeedSourceRow | undefined> {
  const stamp = now.toISOString();
  let candidate = db
    .selectFrom('feed_sources')
    .select('id')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', stamp)]))
    .orderBy('next_poll_at')
    .limit(1);
  candidate =
    id === undefined
      ? candidate.where('next_poll_at', '<=', stamp)
      : candidate.where('id', '=', id);
  const row = await database.skipLocked(candidate).executeTakeFirst();
  if (!row) return undefined;
  return db
    .updateTable('feed_sources')
    .set({ lease_until: lease.until.toISOString(), lease_owner: lease.owner })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirst();
}

/** Writes a poll's outcome and ends its lease, unless the lease has passed to another claim. */
export async function releaseSource(
  db: DbHandle,
  source: Pick<FeedSourceRow, 'id' | 'lease_owner'>,
  outcome: Updateable<FeedSourcesTable>,
): Promise<void> {
  await db
    .updateTable('feed_sources')
    .set({ ...outcome, lease_until: null, lease_owner: null })
    .where('id', '=', source.id)
    .where('lease_owner', '=', source.lease_owner)
    .execute();
}

/**
 * When a source can next be claimed: the earliest due time of those no one holds, or the
 * earliest end of a lease (a node that stopped mid-poll leaves its source until then).
 */
export async function nextClaimableAt(db: DbHandle, now: Date): Promise<Date | null> {
  const stamp = now.toISOString();
  const row = await db
    .selectFrom('feed_sources')
    .select((eb) => [
      eb.fn
        .min('next_poll_at')
        .filterWhere((f) => f.or([f('lease_until', 'is', null), f('lease_until', '<', stamp)]))
        .as('due'),
      eb.fn.min('lease_until').filterWhere('lease_until', '>=', stamp).as('freed'),
    ])
    .executeTakeFirst();
  const times = [row?.due, row?.freed].filter((t): t is string => typeof t === 'string');
  return times.length === 0 ? null : new Date(times.reduce((a, b) => (a < b ? a : b)));
}
