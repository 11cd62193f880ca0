/**
 * Feed import: the feeds an author follows, and every item ever imported (kept after its article
 * is deleted, so a deleted import never comes back).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // Column helpers are repeated, not shared: a frozen migration must not change with a helper.
  const id = dialect === 'postgres' ? 'bigint' : 'integer';
  const ts = db.schema;
  const primaryId = (t: ReturnType<typeof ts.createTable>) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await primaryId(ts.createTable('feed_sources'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('publish', 'integer', (c) => c.notNull())
    .addColumn('canonical', 'integer', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('next_poll_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('last_polled_at', 'text')
    .addColumn('last_status', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_log', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('feed_sources_user_url', ['user_id', 'url'])
    .execute();
  await ts.createIndex('feed_sources_due').on('feed_sources').column('next_poll_at').execute();

  await primaryId(ts.createTable('feed_items'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('article_id', id, (c) => c.references('articles.id').onDelete('set null'))
    .addColumn('feed_source_id', id, (c) => c.references('feed_sources.id').onDelete('set null'))
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('feed_items_user_key', ['user_id', 'item_key'])
    .execute();
}
