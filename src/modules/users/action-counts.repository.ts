/** Per-account counts of actions in fixed windows, shared by every node through the database. */
import { sql } from 'kysely';
import type { DbHandle } from '../../db/database.ts';

/**
 * Counts one more action under `key` in the window that began at `windowStart`, and returns how
 * many there are now: one statement, so concurrent actions never lose a count. A new window
 * starts again from one.
 */
export async function countAction(db: DbHandle, key: string, windowStart: string): Promise<number> {
  const row = await db
    .insertInto('action_counts')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when action_counts.window_start = excluded.window_start
          then action_counts.count + 1 else 1 end`,
        window_start: sql<string>`excluded.window_start`,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
