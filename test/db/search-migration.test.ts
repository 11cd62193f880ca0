/**
 * Migration 0011 on a database that already holds articles: every existing article is in the
 * full-text index at once, and from then on the triggers keep it, comment counts aside. And on
 * PostgreSQL, the faster fold of migration 0013 folds every text as the first did.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { parseDatabaseUrl } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { searchArticlesFullText } from '../../src/db/full-text.ts';
import { migrateTo, migrateToLatest } from '../../src/db/migrate.ts';
import { latinFolds } from '../../src/db/latin-fold.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { parseSearchQuery } from '../../src/modules/search/query.ts';
import { createTestDatabase, dialect, type TestDatabase } from '../helpers/database.ts';

const MIGRATION = '0011-search';
const at = '2026-01-01T00:00:00.000Z';

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

const ids = async (q: string) =>
  (
    await searchArticlesFullText(database, parseSearchQuery(q), {
      visibleAt: '2026-06-01T00:00:00.000Z',
      limit: 10,
      offset: 0,
      candidates: 1000,
    })
  ).map((hit) => hit.id);

test('existing articles are indexed by the migration, and kept by every write after it', async () => {
  const db = database.db;
  await sql`insert into users (id, username, name, email, password_hash, created_at, updated_at)
    values (1, 'old_author', 'Old', 'old@example.test', 'x', ${at}, ${at})`.execute(db);
  const articles: Array<[number, number, string | null, string, string]> = [
    [1, 1, at, 'Pelican migration', 'Birds flying south.'],
    [2, 1, at, 'Harbour notes', 'A pelican sat on the pier.'],
    [3, 0, null, 'Pelican draft', 'Not yet.'],
    [4, 1, at, 'Йогурт', 'Кефир.'],
  ];
  for (const [id, published, publishedAt, title, body] of articles)
    await sql`insert into articles (id, user_id, slug, title, description, description_auto,
        body_markdown, body_html, published, published_at, reading_time_minutes,
        cached_tag_list, created_at, updated_at)
      values (${id}, 1, ${`a${id}`}, ${title}, '', 1, ${body}, '', ${published}, ${publishedAt},
        1, 'birds', ${at}, ${at})`.execute(db);

  const names = Object.keys(migrations);
  assert.deepEqual(await migrateToLatest(database), names.slice(names.indexOf(MIGRATION)));
  assert.deepEqual(await ids('pelican'), [1, 2], 'the title match first; the draft not found');
  assert.deepEqual((await ids('birds')).sort(), [1, 2, 4], 'tags are indexed');
  assert.deepEqual(await ids('йогурт'), [4], 'letters beyond ASCII in lower case');

  await db.updateTable('articles').set({ comments_count: 3 }).where('id', '=', 1).execute();
  assert.deepEqual(await ids('pelican'), [1, 2]);
  await db.updateTable('articles').set({ title: 'Heron migration' }).where('id', '=', 1).execute();
  assert.deepEqual(await ids('pelican'), [2]);
  assert.deepEqual(await ids('heron'), [1]);
  await db.deleteFrom('articles').where('id', '=', 2).execute();
  assert.deepEqual(await ids('pelican'), []);
  await db
    .updateTable('articles')
    .set({ published: 1, published_at: at })
    .where('id', '=', 3)
    .execute();
  assert.deepEqual(await ids('pelican'), [3], 'publishing needs no index write');
  if (database.dialect === 'sqlite')
    // FTS5 checks its index against the content table: a stale or wrong row would throw.
    await sql`insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)`.execute(
      db,
    );
});

test(
  'the fold folds as translating the whole text with the table did',
  { skip: dialect === 'sqlite' ? 'PostgreSQL only: FTS5 folds as it tokenizes' : false },
  async () => {
    await migrateToLatest(database);
    const { from, to } = latinFolds();
    // Every letter of both blocks, alone and inside words; text with none; other scripts,
    // punctuation and emoji around them; a long article-sized text.
    const every = Array.from({ length: 0x250 - 0xc0 }, (_, i) => String.fromCodePoint(0xc0 + i))
      .concat(Array.from({ length: 0x100 }, (_, i) => String.fromCodePoint(0x1e00 + i)))
      .join('');
    const texts = [
      '',
      'plain ASCII text, nothing to fold',
      every,
      `x${every}y z`,
      'Café crème, naïve façade — “Straße” in Łódź; Ærøskøbing; Ngô Bảo Châu; Ελληνικά; Кириллица; 日本語 🎉',
      'ÀB'.repeat(3000),
      `${'word '.repeat(2000)}résumé`,
    ];
    for (const text of texts) {
      const { rows } = await sql<{ folded: string; translated: string }>`select
          quire_search_fold(${text}) as folded, translate(${text}, ${from}, ${to}) as translated`.execute(
        database.db,
      );
      assert.equal(rows[0]?.folded, rows[0]?.translated, text.slice(0, 40));
    }
    assert.equal(
      (await sql<{ f: string }>`select quire_search_fold('Crème Brûlée') as f`.execute(database.db))
        .rows[0]?.f,
      'Creme Brulee',
    );
  },
);
