/**
 * Follows: a reader follows accounts and tags. The counts profile and tag pages show (an
 * account's followers, the accounts and tags it follows, a tag's followers) are columns kept by
 * every follow and unfollow, never counted per read.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'postgres' ? 'bigint' : 'integer';
  const ts = db.schema;
  const counter = (table: string, name: string) =>
    ts
      .alterTable(table)
      .addColumn(name, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

  await counter('users', 'followers_count');
  await counter('users', 'following_users_count');
  await counter('users', 'following_tags_count');
  await counter('tags', 'followers_count');

  const table =
    dialect === 'postgres'
      ? ts
          .createTable('follows')
          .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : ts.createTable('follows').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await table
    .addColumn('follower_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('followable_type', 'text', (c) => c.notNull())
    .addColumn('followable_id', id, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('follows_one_each', ['follower_id', 'followable_type', 'followable_id'])
    .execute();
  // Who follows an account or a tag, newest last.
  await sql
    .raw('create index follows_followed on follows (followable_type, followable_id, id)')
    .execute(db);
  // What one reader follows, of each kind, newest last.
  await sql
    .raw('create index follows_follower on follows (follower_id, followable_type, id)')
    .execute(db);
}
