/**
 * Migration 0006 on a database that already holds articles: each article-tag row gets its
 * article's publication state, and each tag the number of published articles carrying it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { parseDatabaseUrl } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { migrateTo, migrateToLatest } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const MIGRATION = '0006-listing-indexes';

let testDb: TestDatabase;
let database: Database;

before(async () => {
  testDb = await createTestDatabase();
  database = await connect(parseDatabaseUrl(testDb.url));
  const names = Object.keys(migrations);
  const previous = names[names.indexOf(MIGRATION) - 1];
  assert.ok(previous, `${MIGRATION} is in the index, after another`);
  await migrateTo(database, previous);
});
after(async () => {
  await database.close();
  await testDb.drop();
});

test('existing tag rows copy their article, and tags count its published articles', async () => {
  const db = database.db;
  const at = '2026-01-01T00:00:00.000Z';
  await sql`insert into users (id, username, name, email, password_hash, created_at, updated_at)
    values (1, 'old_author', 'Old', 'old@example.test', 'x', ${at}, ${at})`.execute(db);
  // Published, scheduled for later, and a draft: scheduled ones count, being published.
  const articles: Array<[number, number, string | null]> = [
    [1, 1, '2025-06-01T00:00:00.000Z'],
    [2, 1, '2099-01-01T00:00:00.000Z'],
    [3, 0, null],
  ];
  for (const [id, published, publishedAt] of articles)
    await sql`insert into articles (id, user_id, slug, title, description, description_auto,
        body_markdown, body_html, published, published_at, reading_time_minutes,
        cached_tag_list, created_at, updated_at)
      values (${id}, 1, ${`a${id}`}, 'T', '', 1, '', '', ${published}, ${publishedAt}, 1, '',
        ${at}, ${at})`.execute(db);
  for (const [id, name] of [
    [1, 'shared'],
    [2, 'drafted'],
    [3, 'unused'],
  ] as const)
    await sql`insert into tags (id, name, created_at) values (${id}, ${name}, ${at})`.execute(db);
  for (const [article, tag] of [
    [1, 1],
    [2, 1],
    [3, 1],
    [3, 2],
  ])
    await sql`insert into article_tags (article_id, tag_id, position)
      values (${article}, ${tag}, 0)`.execute(db);

  const names = Object.keys(migrations);
  assert.deepEqual(await migrateToLatest(database), names.slice(names.indexOf(MIGRATION)));

  const rows = await db
    .selectFrom('article_tags')
    .select(['article_id', 'tag_id', 'published', 'published_at'])
    .orderBy('article_id')
    .orderBy('tag_id')
    .execute();
  assert.deepEqual(
    rows.map((r) => ({ ...r, article_id: Number(r.article_id), tag_id: Number(r.tag_id) })),
    [
      { article_id: 1, tag_id: 1, published: 1, published_at: '2025-06-01T00:00:00.000Z' },
      { article_id: 2, tag_id: 1, published: 1, published_at: '2099-01-01T00:00:00.000Z' },
      { article_id: 3, tag_id: 1, published: 0, published_at: null },
      { article_id: 3, tag_id: 2, published: 0, published_at: null },
    ],
  );
  const tags = await db
    .selectFrom('tags')
    .select(['name', 'published_count'])
    .orderBy('name')
    .execute();
  assert.deepEqual(
    tags.map((t) => ({ ...t })),
    [
      { name: 'drafted', published_count: 0 },
      { name: 'shared', published_count: 2 },
      { name: 'unused', published_count: 0 },
    ],
  );
});
