/**
 * Listings read an index range that yields their page. `article_tags` carries what a tag listing
 * filters and sorts by (the article's `published` flag and `published_at`), `tags` keeps how many
 * published articles carry each tag, and every list has an index in its own order. Existing rows
 * are filled in here; the services keep them right on every write from now on.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  const ts = db.schema;

  await ts
    .alterTable('article_tags')
    .addColumn('published', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await ts.alterTable('article_tags').addColumn('published_at', 'text').execute();
  await sql`update article_tags set
      published = (select a.published from articles a where a.id = article_tags.article_id),
      published_at = (select a.published_at from articles a where a.id = article_tags.article_id)
  `.execute(db);

  // Published articles, scheduled ones included: whether one is live is a matter of time, which
  // the tags list settles when it reads (see listTagsByPopularity).
  await ts
    .alterTable('tags')
    .addColumn('published_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update tags set published_count =
      (select count(*) from article_tags t where t.tag_id = tags.id and t.published = 1)
  `.execute(db);

  // The ones these replace are prefixes of them.
  await ts.dropIndex('articles_public').execute();
  await ts.dropIndex('articles_series').execute();
  await ts.dropIndex('article_tags_tag').execute();

  // Plain column lists are the same SQL on both databases; two need descending keys or an
  // expression, which Kysely's index builder does not mix.
  const index = (text: string) => sql.raw(text).execute(db);
  // The home page, the site feed, /api/articles and /latest, top=N.
  await index('create index articles_listed on articles (published, published_at, id)');
  // Profiles, author feeds, ?username=, /me and /me/published, the dashboard's lists and counts.
  await index('create index articles_author on articles (user_id, published, published_at, id)');
  // Drafts, newest created first: /me/unpublished and the dashboard.
  await index('create index articles_drafts on articles (user_id, published, created_at, id)');
  // /me/all: drafts first, then by date, newest first.
  await index(`create index articles_mine on articles
      (user_id, published, coalesce(published_at, created_at) desc, id desc)`);
  // A series, oldest first (and the foreign key's own look-ups).
  await index(
    'create index articles_series_listed on articles (series_id, published, published_at, id)',
  );
  // Scheduled articles waiting to be announced, found without reading those already announced.
  await index(`create index articles_unannounced on articles (published, published_at)
      where announced_at is null`);
  // A tag's page and feed, ?tag=, ?tags=.
  await index(`create index article_tags_listed on article_tags
      (tag_id, published, published_at, article_id)`);
  // /api/tags: most used first, then by name.
  await index('create index tags_popular on tags (published_count desc, name)');
}
