/** The accounts as an administrator lists them: oldest first, with how many articles each has. */
import type { DbHandle } from '../../db/database.ts';
import type { UserRow } from '../../db/schema.ts';

export type DirectoryEntry = Pick<UserRow, 'id' | 'username' | 'name' | 'role' | 'created_at'> & {
  /** Drafts and scheduled articles included. */
  articles: number;
};

export interface DirectoryPage {
  entries: DirectoryEntry[];
  /** Whether another page follows. */
  more: boolean;
}

export async function listDirectory(
  db: DbHandle,
  page: number,
  perPage: number,
): Promise<DirectoryPage> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'username', 'name', 'role', 'created_at'])
    .select((eb) =>
      eb
        .selectFrom('articles')
        .select((c) => c.fn.countAll<number>().as('n'))
        .whereRef('articles.user_id', '=', 'users.id')
        .as('articles'),
    )
    .orderBy('id')
    // One row past the page tells whether there is a next one.
    .limit(perPage + 1)
    .offset((page - 1) * perPage)
    .execute();
  return {
    entries: rows.slice(0, perPage).map((r) => ({ ...r, articles: Number(r.articles ?? 0) })),
    more: rows.length > perPage,
  };
}
