/**
 * A read as slow as asked, with no table: a SELECT (so a reader thread may take it) that counts
 * to `n` with a recursive CTE. About a second per few million on a laptop core.
 */
import { type Kysely, sql } from 'kysely';
import type { DbHandle } from '../../src/db/database.ts';

interface Counting {
  c: { x: number };
}

export async function countTo(db: DbHandle, n: number): Promise<number> {
  const counting = db as unknown as Kysely<Counting>;
  const row = await counting
    .withRecursive('c(x)', (qb) =>
      qb.selectNoFrom(sql<number>`1`.as('x')).unionAll((next) =>
        next
          .selectFrom('c')
          .select(sql<number>`x + 1`.as('x'))
          .where('x', '<', n),
      ),
    )
    .selectFrom('c')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}
