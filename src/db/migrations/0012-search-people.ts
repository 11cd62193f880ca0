/**
 * Prefix search of people and tags reads index ranges (`from <= x < to`), never a table: people by
 * username and by their name in lower case, tags by name. On SQLite the unique indexes of
 * `users.username` and `tags.name` already compare as the search does (bytewise), so only the
 * lower-cased name needs one. On PostgreSQL a range only means "starts with" under a bytewise
 * order, and the database's own collation may be a language's; the search compares in
 * `COLLATE "C"`, and each of the three gets an index in that collation.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const run = (statement: string) => sql.raw(statement).execute(db);
  if (dialect === 'sqlite') {
    await run('create index users_name_lower on users (lower(name))');
    return;
  }
  await run('create index users_name_lower on users ((lower(name)) collate "C")');
  await run('create index users_username_prefix on users (username collate "C")');
  await run('create index tags_name_prefix on tags (name collate "C")');
}
