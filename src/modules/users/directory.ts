/** The accounts as an administrator lists them: oldest first, with how many articles each has. */
import type { DbHandle } from '../../db/database.ts';
import { type DirectoryRow, listUsersWithArticleCounts } from './users.repository.ts';

/** An account and its number of articles, drafts and scheduled articles included. */
export type DirectoryEntry = DirectoryRow;

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
  // One row past the page tells whether there is a next one.
  const rows = await listUsersWithArticleCounts(db, perPage + 1, (page - 1) * perPage);
  return { entries: rows.slice(0, perPage), more: rows.length > perPage };
}
