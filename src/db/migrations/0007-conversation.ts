/**
 * Conversation: comments in threads, reactions (the reading list among them), reports for
 * moderators, suspended accounts, and per-account counts of actions for write limits. Counts that pages and the API show (an article's comments
 * and public reactions, a comment's reactions) are columns kept by every write, never counted
 * per read. Events may concern a second account (a reply concerns the article's author and the
 * parent comment's author), whose webhooks hear of them too.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'postgres' ? 'bigint' : 'integer';
  const ts = db.schema;
  const primaryId = (t: ReturnType<typeof ts.createTable>) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  const counter = (name: string) => (t: ReturnType<typeof ts.alterTable>) =>
    t.addColumn(name, 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await counter('comments_count')(ts.alterTable('articles'));
  await counter('public_reactions_count')(ts.alterTable('articles'));
  await ts.alterTable('articles').addColumn('last_comment_at', 'text').execute();
  await ts.alterTable('users').addColumn('suspended_at', 'text').execute();
  await ts.alterTable('events').addColumn('co_owner_id', id).execute();

  await primaryId(ts.createTable('comments'))
    .addColumn('article_id', id, (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('parent_id', id, (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('body_markdown', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('public_reactions_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // An article's thread, in order of writing.
  await sql.raw('create index comments_article on comments (article_id, id)').execute(db);
  // One account's comments, newest first: write limits and the duplicate check.
  await sql.raw('create index comments_user on comments (user_id, created_at)').execute(db);
  await sql.raw('create index comments_parent on comments (parent_id)').execute(db);

  await primaryId(ts.createTable('reactions'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('reactable_type', 'text', (c) => c.notNull())
    .addColumn('reactable_id', id, (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('reactions_one_each', [
      'user_id',
      'reactable_type',
      'reactable_id',
      'category',
    ])
    .execute();
  // An item's reactions (removed with the item); one reader's list of one category, newest first
  // (the reading list).
  await sql
    .raw('create index reactions_item on reactions (reactable_type, reactable_id, category)')
    .execute(db);
  await sql.raw('create index reactions_mine on reactions (user_id, category, id)').execute(db);

  // Actions an account took in the current window, by kind (`react:ID`): a limit that counts
  // what was done, not what is left (a reaction taken back still counts).
  await ts
    .createTable('action_counts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();

  await primaryId(ts.createTable('reports'))
    .addColumn('reporter_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('reportable_type', 'text', (c) => c.notNull())
    .addColumn('reportable_id', id, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('resolution', 'text')
    .addColumn('resolved_by', id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute();
  await sql.raw('create index reports_status on reports (status, id)').execute(db);
  await sql
    .raw('create index reports_item on reports (reportable_type, reportable_id)')
    .execute(db);
}
