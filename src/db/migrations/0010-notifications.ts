/**
 * Notifications and the "Following" view. Both are written from the outbox, after the change
 * that caused them commits: one row per recipient and event (a redelivered event makes none
 * again), reactions gathered into one unread row per item, and each follower's timeline of the
 * articles its follows published, so a reader's "Following" page is one index range however many
 * authors and tags it follows. A publish to many followers is spread by `fanouts` rows, each
 * worked through in batches, one transaction each, from the follow id it stopped at.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'postgres' ? 'bigint' : 'integer';
  const ts = db.schema;
  const index = (statement: string) => sql.raw(statement).execute(db);
  const withId = (table: string) =>
    dialect === 'postgres'
      ? ts
          .createTable(table)
          .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : ts.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  // What a reader hears of, as a bit per kind turned off (notifications.rules.ts names them), and
  // whether it wants a daily digest of what it has not read, and when the last one went.
  await ts
    .alterTable('users')
    .addColumn('notifications_off', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await ts
    .alterTable('users')
    .addColumn('digest', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await ts.alterTable('users').addColumn('digest_sent_at', 'text').execute();
  await index('create index users_digest on users (digest_sent_at) where digest = 1');

  await withId('notifications')
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // The event that made it: a recipient has at most one notification per event.
    .addColumn('event_id', id, (c) => c.notNull())
    // Reactions to one item gather under one key while unread (`Article:12`), else null.
    .addColumn('group_key', 'text')
    .addColumn('actor_id', id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actors_count', 'integer', (c) => c.notNull().defaultTo(1))
    // No foreign keys to articles and comments (SQLite does not enforce them here, and a
    // cascade would scan): a deleted article's notifications go through its event.
    .addColumn('article_id', id)
    .addColumn('comment_id', id)
    .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .addUniqueConstraint('notifications_once', ['user_id', 'event_id'])
    .execute();
  // A reader's inbox, unread first, newest first within each; and its unread count.
  await index(
    'create index notifications_inbox on notifications (user_id, unread, updated_at, id)',
  );
  await index('create index notifications_article on notifications (article_id)');
  // The one open (unread) gathering of reactions to an item.
  await index(`create unique index notifications_open_group on notifications (user_id, group_key)
    where unread = 1 and group_key is not null`);

  // Who is gathered in a notification, once each however many reactions they gave.
  await ts
    .createTable('notification_actors')
    .addColumn('notification_id', id, (c) =>
      c.notNull().references('notifications.id').onDelete('cascade'),
    )
    .addColumn('actor_id', id, (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_actors_pk', ['notification_id', 'actor_id'])
    .execute();
  // Each event a reader has been considered for, notified or not (a kind turned off, a muted
  // thread), so an event handled again changes nothing, even after the notification it made or
  // joined was read, or the reader's settings changed.
  await ts
    .createTable('notification_receipts')
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('event_id', id, (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_receipts_pk', ['user_id', 'event_id'])
    .execute();

  // Threads (an article's discussion) a reader has muted.
  await ts
    .createTable('notification_mutes')
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('article_id', id, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_mutes_pk', ['user_id', 'article_id'])
    .execute();
  await index('create index notification_mutes_article on notification_mutes (article_id)');

  // A reader's "Following" view: the articles of the accounts and tags it follows, by date.
  // `via` says how it came: 1 an account followed, 2 a tag, 3 both.
  await ts
    .createTable('timeline')
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('article_id', id, (c) => c.notNull())
    .addColumn('author_id', id, (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('via', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('timeline_pk', ['user_id', 'article_id'])
    .execute();
  await index('create index timeline_listed on timeline (user_id, published_at, article_id)');
  await index('create index timeline_author on timeline (user_id, author_id)');
  await index('create index timeline_article on timeline (article_id)');

  // A publish still being spread to the followers of its author or of one of its tags.
  await withId('fanouts')
    .addColumn('event_id', id, (c) => c.notNull())
    .addColumn('article_id', id, (c) => c.notNull())
    .addColumn('author_id', id, (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    // `User` (the author's followers) or `Tag`.
    .addColumn('followable_type', 'text', (c) => c.notNull())
    .addColumn('followable_id', id, (c) => c.notNull())
    // The last follow worked through; the next batch starts after it.
    .addColumn('after_follow_id', id, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Kept once finished, so an event handled again (a replay) does not spread it twice.
    .addColumn('finished_at', 'text')
    .addUniqueConstraint('fanouts_once', ['event_id', 'followable_type', 'followable_id'])
    .execute();
  await index('create index fanouts_pending on fanouts (id) where finished_at is null');
}
