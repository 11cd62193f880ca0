/**
 * Event routing: the outbox learns the account each event concerns, consumers keep
 * their place in it, and webhook endpoints, WebSub subscriptions and their deliveries (with every
 * attempt) get tables of their own.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // Column helpers are repeated, not shared: a frozen migration must not change with a helper.
  const id = dialect === 'postgres' ? 'bigint' : 'integer';
  const ts = db.schema;
  const primaryId = (t: ReturnType<typeof ts.createTable>) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await ts.alterTable('events').addColumn('owner_id', id).execute();

  await ts
    .createTable('consumers')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', id, (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // An article goes live either when it is published or, if scheduled, when its time comes; this
  // says that its `article.published` event has been written for the current publication.
  await ts.alterTable('articles').addColumn('announced_at', 'text').execute();
  await sql`update articles set announced_at = published_at
            where published = 1 and published_at <= ${new Date().toISOString()}`.execute(db);

  await primaryId(ts.createTable('webhook_endpoints'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('target_url', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_until', 'text')
    .addColumn('failing_since', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await primaryId(ts.createTable('websub_subscriptions'))
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('callback', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('lease_seconds', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('websub_subscriptions_topic_callback', ['topic', 'callback'])
    .execute();

  await primaryId(ts.createTable('deliveries'))
    .addColumn('endpoint_id', id, (c) => c.references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('subscription_id', id, (c) =>
      c.references('websub_subscriptions.id').onDelete('cascade'),
    )
    // `endpoint:<id>` or `subscription:<id>`: what per-target limits count by.
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('event_id', id, (c) => c.references('events.id'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await ts
    .createIndex('deliveries_due')
    .on('deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await ts
    .createIndex('deliveries_endpoint')
    .on('deliveries')
    .columns(['endpoint_id', 'status', 'id'])
    .execute();
  await ts
    .createIndex('deliveries_subscription')
    .on('deliveries')
    .column('subscription_id')
    .execute();
  // Retention: finished deliveries by when they finished (pending ones have none).
  await ts.createIndex('deliveries_completed').on('deliveries').column('completed_at').execute();

  await primaryId(ts.createTable('delivery_attempts'))
    .addColumn('delivery_id', id, (c) =>
      c.notNull().references('deliveries.id').onDelete('cascade'),
    )
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('response', 'text')
    .addColumn('error', 'text')
    .execute();
  await ts
    .createIndex('delivery_attempts_delivery')
    .on('delivery_attempts')
    .column('delivery_id')
    .execute();
}
