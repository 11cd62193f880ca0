/**
 * Migration 0011 on a database that already holds articles: every existing article is in the
 * full-text index at once, and from then on the triggers keep it, comment counts aside. And on
 * PostgreSQL, the faster fold of migration 0013 folds every text as the first did. Migration 0014
 * fills `body_text` from each stored `body_html` and indexes that instead of the Markdown.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { parseDatabaseUrl } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { MARK_CLOSE, searchArticlesFullText } from '../../src/db/full-text.ts';
import { migrateTo, migrateToLatest } from '../../src/db/migrate.ts';
import { latinFolds } from '../../src/db/latin-fold.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { parseSearchQuery } from '../../src/modules/search/query.ts';
import { htmlText } from '../../src/render/html-text.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
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
      values (${id}, 1, ${`a${id}`}, ${title}, '', 1, ${body}, ${`<p>${body}</p>`}, ${published},
        ${publishedAt}, 1, 'birds', ${at}, ${at})`.execute(db);

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

test('0014 fills body_text from the stored HTML, in batches, and search reads it', async () => {
  const scratch = await createTestDatabase();
  const old = await connect(parseDatabaseUrl(scratch.url));
  try {
    const names = Object.keys(migrations);
    await migrateTo(old, names[names.indexOf('0014-search-text') - 1] as string);
    const db = old.db;
    await sql`insert into users (id, username, name, email, password_hash, created_at, updated_at)
      values (1, 'old_author', 'Old', 'old@example.test', 'x', ${at}, ${at})`.execute(db);
    const markdown = [
      'Read **the manual** of [our tool](https://example.com/okapi-guide) before `gnuplot` runs.',
      '',
      '```ocelot',
      'fn axolotl() {}',
      '```',
    ].join('\n');
    // More articles than one batch holds, so the backfill goes past its first batch.
    const count = 1234;
    const bodyOf = (id: number) => (id === 1 ? markdown : `Filler number ${id} &amp; more.`);
    for (let from = 1; from <= count; from += 200) {
      const rows = [];
      for (let id = from; id < Math.min(from + 200, count + 1); id++)
        rows.push(sql`(${id}, 1, ${`a${id}`}, ${`Article ${id}`}, '', 1, ${bodyOf(id)},
          ${renderMarkdown(bodyOf(id)).html}, 1, ${at}, 1, '', ${at}, ${at})`);
      await sql`insert into articles (id, user_id, slug, title, description, description_auto,
          body_markdown, body_html, published, published_at, reading_time_minutes,
          cached_tag_list, created_at, updated_at)
        values ${sql.join(rows)}`.execute(db);
    }
    const search = async (q: string) =>
      searchArticlesFullText(old, parseSearchQuery(q), {
        visibleAt: '2026-06-01T00:00:00.000Z',
        limit: 10,
        offset: 0,
        candidates: 1000,
      });
    // Before, read from the index itself: the search of today quotes body_text, not there yet.
    const before = await (
      old.dialect === 'sqlite'
        ? sql<{
            id: number;
          }>`select rowid as id from articles_fts where articles_fts match 'ocelot'`
        : sql<{ id: number }>`select article_id as id from article_search
          where document @@ to_tsquery('simple', 'ocelot')`
    ).execute(db);
    assert.deepEqual(
      before.rows.map((row) => Number(row.id)),
      [1],
      'before: the Markdown, info strings too, is indexed',
    );

    assert.deepEqual(await migrateToLatest(old), names.slice(names.indexOf('0014-search-text')));
    const stored = await sql<{ id: number; body_html: string; body_text: string }>`
      select id, body_html, body_text from articles order by id`.execute(db);
    assert.equal(stored.rows.length, count);
    for (const row of stored.rows)
      assert.equal(row.body_text, htmlText(row.body_html).text, `article ${row.id}`);
    assert.equal(stored.rows[count - 1]?.body_text, `Filler number ${count} & more.`);

    for (const q of ['okapi', 'ocelot', 'https'])
      assert.deepEqual(await search(q), [], `${q} is only in a link target or an info string`);
    for (const q of ['gnuplot', 'axolotl'])
      assert.deepEqual(
        (await search(q)).map((hit) => hit.id),
        [1],
        q,
      );
    assert.deepEqual(
      (await search('filler 1234')).map((hit) => hit.id),
      [count],
    );
    const [hit] = await search('manual');
    assert.ok(hit);
    assert.ok(
      hit.excerpt.includes(`manual${MARK_CLOSE} of our tool before gnuplot runs`),
      hit.excerpt,
    );
    assert.doesNotMatch(hit.excerpt, /\*\*|\]\(|okapi/);

    // The new triggers keep it: a change of body_text is searched at once.
    await db
      .updateTable('articles')
      .set({ body_text: 'Now a capybara.' })
      .where('id', '=', 1)
      .execute();
    assert.deepEqual(
      (await search('capybara')).map((hit) => hit.id),
      [1],
    );
    assert.deepEqual(await search('axolotl'), []);
    if (old.dialect === 'sqlite')
      await sql`insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)`.execute(
        db,
      );
  } finally {
    await old.close();
    await scratch.drop();
  }
});
