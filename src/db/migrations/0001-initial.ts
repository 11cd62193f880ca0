/** The first schema: accounts, articles with tags and series, site settings, and the events outbox. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'postgres' ? 'bigint' : 'integer';
  const ts = db.schema;
  const primaryId = (t: ReturnType<typeof ts.createTable>) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await primaryId(ts.createTable('users'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
    .addColumn('summary', 'text')
    .addColumn('website_url', 'text')
    .addColumn('location', 'text')
    .addColumn('profile_image', 'text')
    .addColumn('twitter_username', 'text')
    .addColumn('github_username', 'text')
    .addColumn('session_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await ts
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await ts.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

  await primaryId(ts.createTable('api_keys'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await ts.createIndex('api_keys_user_id').on('api_keys').column('user_id').execute();

  await ts
    .createTable('login_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_failure_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .execute();

  await primaryId(ts.createTable('series'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('series_user_name', ['user_id', 'name'])
    .execute();

  await primaryId(ts.createTable('articles'))
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('description_auto', 'integer', (c) => c.notNull())
    .addColumn('body_markdown', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('cover_image', 'text')
    .addColumn('canonical_url', 'text')
    .addColumn('series_id', id, (c) => c.references('series.id').onDelete('set null'))
    .addColumn('published', 'integer', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('reading_time_minutes', 'integer', (c) => c.notNull())
    .addColumn('cached_tag_list', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('articles_user_slug', ['user_id', 'slug'])
    .execute();
  await ts
    .createIndex('articles_public')
    .on('articles')
    .columns(['published', 'published_at'])
    .execute();
  await ts.createIndex('articles_series').on('articles').column('series_id').execute();

  await primaryId(ts.createTable('tags'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await ts
    .createTable('article_tags')
    .addColumn('article_id', id, (c) => c.notNull().references('articles.id').onDelete('cascade'))
    .addColumn('tag_id', id, (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('article_tags_pk', ['article_id', 'tag_id'])
    .execute();
  await ts.createIndex('article_tags_tag').on('article_tags').column('tag_id').execute();

  await ts
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await primaryId(ts.createTable('events'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
