/**
 * The full-text statement's bounds: only candidates are ranked, the newest matches (and on
 * SQLite the newest title matches too), so a common word costs what a rare one does; drafts and
 * filtered-out articles never take a candidate's place; title matches among them come first.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { parseDatabaseUrl } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { searchArticlesFullText } from '../../src/db/full-text.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { parseSearchQuery } from '../../src/modules/search/query.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

let testDb: TestDatabase;
let database: Database;

before(async () => {
  testDb = await createTestDatabase();
  database = await connect(parseDatabaseUrl(testDb.url));
  await migrateToLatest(database);
  const db = database.db;
  await sql`insert into users (id, username, name, email, password_hash, created_at, updated_at)
    values (1, 'grower', 'Grower', 'grower@example.test', 'x', ${at(0)}, ${at(0)})`.execute(db);
  // id, published, title, body, tags: article 1, the oldest, is the only one titled "kiwi".
  const articles: Array<[number, number, string, string, string]> = [
    [1, 1, 'Kiwi orchards', 'Rows of vines.', 'fruit'],
    [2, 1, 'Winter', 'A kiwi in the frost.', 'fruit'],
    [3, 1, 'Spring', 'A kiwi flowering.', 'fruit'],
    [4, 1, 'Summer', 'A kiwi ripening.', 'fruit, sun'],
    [5, 1, 'Autumn', 'A kiwi picked.', 'fruit'],
    [6, 0, 'Draft', 'A kiwi not yet shown.', 'fruit, sun'],
  ];
  for (const [id, published, title, body, tags] of articles)
    await sql`insert into articles (id, user_id, slug, title, description, description_auto,
        body_markdown, body_html, body_text, published, published_at, reading_time_minutes,
        cached_tag_list, created_at, updated_at)
      values (${id}, 1, ${`a${id}`}, ${title}, '', 1, ${body}, ${`<p>${body}</p>`}, ${body}, ${published},
        ${published ? at(id) : null}, 1, ${tags}, ${at(id)}, ${at(id)})`.execute(db);
  await sql`insert into tags (id, name, created_at) values (1, 'fruit', ${at(0)}), (2, 'sun', ${at(0)})`.execute(
    db,
  );
  for (const [id, , , , tags] of articles)
    for (const [position, name] of tags.split(', ').entries())
      await sql`insert into article_tags (article_id, tag_id, position)
        values (${id}, ${name === 'fruit' ? 1 : 2}, ${position})`.execute(db);
});

after(async () => {
  await database.close();
  await testDb.drop();
});

const ids = async (q: string, candidates: number, offset = 0) =>
  (
    await searchArticlesFullText(database, parseSearchQuery(q), {
      visibleAt: at(60),
      limit: 10,
      offset,
      candidates,
    })
  ).map((hit) => hit.id);

test('a query with fewer matches than candidates is ranked whole, the title match first', async () => {
  const found = await ids('kiwi', 100);
  assert.equal(found[0], 1);
  assert.deepEqual(
    [...found].sort((a, b) => a - b),
    [1, 2, 3, 4, 5],
  );
});

test('with more matches, the newest (and on SQLite the newest in titles) are ranked; the draft takes no place', async () => {
  const found = await ids('kiwi', 2);
  if (database.dialect === 'sqlite') {
    assert.equal(found[0], 1, 'the oldest article, titled kiwi, still comes first');
    assert.deepEqual(found.slice(1).sort(), [4, 5], 'then the two newest visible matches');
  } else assert.deepEqual(found.sort(), [4, 5], 'the two newest visible matches');
  assert.deepEqual(await ids('kiwi', 2, 3), [], 'nothing past the candidates');
  assert.deepEqual(await ids('kiwi orchards', 1), [1], 'a title match among them comes first');
});

test('filters choose the candidates: a tag, an author, an excluded word', async () => {
  assert.deepEqual(await ids('kiwi tag:sun', 1), [4], 'the draft tagged sun is newer, not shown');
  const excluded = await ids('kiwi -picked', 2);
  assert.deepEqual(
    (database.dialect === 'sqlite' ? excluded.slice(1) : excluded).sort(),
    [3, 4],
    'the newest two not excluded',
  );
  assert.deepEqual(await ids('kiwi author:nobody', 2), []);
});
