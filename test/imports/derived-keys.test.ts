/**
 * Items with neither a guid nor a link: remembered by a key made from their feed, title and date
 * (and content, when they have neither title nor date), so they import once and every later run
 * skips them, through the API, a saved source and a file alike.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { loadFeed } from '../../src/modules/imports/feed-loader.ts';
import { DERIVED_KEY_PREFIX, importFeed } from '../../src/modules/imports/import.service.ts';
import { findUserById } from '../../src/modules/users/users.repository.ts';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type FeedServer, fixture, RSS, rssFeed, rssItem, startFeedServer } from './feed-server.ts';
import { articlesOf, importUrl, textOf } from './support.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/feeds/no-guid-no-link.xml', import.meta.url));

let server: TestServer;
let feeds: FeedServer;

before(async () => {
  server = await startTestServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1' },
    now: '2026-06-01T12:00:00.000Z',
  });
  await makeAuthor(server, 'keys_admin');
  feeds = await startFeedServer();
  feeds.serve('/notes.xml', { body: fixture('no-guid-no-link.xml'), type: RSS });
});
after(async () => {
  await feeds.close();
  await server.close();
});

async function keysOf(author: Author): Promise<string[]> {
  const rows = await server.ctx.database.db
    .selectFrom('feed_items')
    .select('item_key')
    .where('user_id', '=', author.id)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.item_key);
}

async function importOnce(author: Author, path: string) {
  const res = await importUrl(server, author, feeds.url(path));
  assert.equal(res.status, 200, res.text);
  return res.json();
}

test('items without guid or link import, and a second import skips them all', async () => {
  const author = await makeAuthor(server, 'keys_api');
  assert.deepEqual(await importOnce(author, '/notes.xml'), {
    total: 5,
    imported: 5,
    skipped: 0,
    failed: [],
  });
  const articles = await articlesOf(server, author);
  assert.deepEqual(
    articles.map((a) => [a.title, textOf(a.body_html)]),
    [
      ['Tide tables for April', 'High water at 06:12 and 18:40.'],
      ['Harbour wall repairs', 'The east wall is closed for a week.'],
      ['Untitled', 'A note with a date and no title.'],
      ['Untitled', 'Neither title nor date: the first.'],
      ['Untitled', 'Neither title nor date: the second.'],
    ],
  );
  const keys = await keysOf(author);
  assert.equal(keys.length, 5);
  assert.equal(new Set(keys).size, 5);
  for (const key of keys) assert.match(key, new RegExp(`^${DERIVED_KEY_PREFIX}[\\w-]{43}$`));

  assert.deepEqual(await importOnce(author, '/notes.xml'), {
    total: 5,
    imported: 0,
    skipped: 5,
    failed: [],
  });
  // Deleting an article does not bring its item back.
  const removed = await server
    .client()
    .delete(`/api/articles/${articles[0]?.id}`, { key: author.key });
  assert.equal(removed.status, 204);
  assert.deepEqual(await importOnce(author, '/notes.xml'), {
    total: 5,
    imported: 0,
    skipped: 5,
    failed: [],
  });
  assert.deepEqual(await keysOf(author), keys, 'the same keys, nothing added');
});

test('an item whose title or date changes is a new item; the feed URL is part of the key', async () => {
  const author = await makeAuthor(server, 'keys_change');
  const items = (title: string, date: string | undefined) => [
    rssItem({ title, date, html: '<p>Changes.</p>' }),
    rssItem({ title: 'Steady', date: 'Fri, 03 Apr 2026 08:00:00 +0000', html: '<p>Same.</p>' }),
  ];
  const march = 'Mon, 30 Mar 2026 08:00:00 +0000';
  feeds.serve('/changing.xml', { type: RSS, body: rssFeed(items('First title', march)) });
  assert.equal((await importOnce(author, '/changing.xml')).imported, 2);

  // Only the content changed: the same item.
  feeds.serve('/changing.xml', {
    type: RSS,
    body: rssFeed(items('First title', march)).replace('Changes.', 'Changed words.'),
  });
  assert.deepEqual(await importOnce(author, '/changing.xml'), {
    total: 2,
    imported: 0,
    skipped: 2,
    failed: [],
  });
  // A new title, then a new date: each time a new item.
  feeds.serve('/changing.xml', { type: RSS, body: rssFeed(items('Second title', march)) });
  assert.equal((await importOnce(author, '/changing.xml')).imported, 1);
  const april = 'Wed, 01 Apr 2026 08:00:00 +0000';
  feeds.serve('/changing.xml', { type: RSS, body: rssFeed(items('Second title', april)) });
  assert.equal((await importOnce(author, '/changing.xml')).imported, 1);
  assert.deepEqual(
    (await articlesOf(server, author)).map((a) => a.title),
    ['First title', 'Steady', 'Second title', 'Second title'],
  );
  // The same document at another address is another feed.
  feeds.serve('/changing-copy.xml', { type: RSS, body: rssFeed(items('Second title', april)) });
  assert.equal((await importOnce(author, '/changing-copy.xml')).imported, 2);
  // Two items alike in title and date within one feed are one item.
  feeds.serve('/twins.xml', {
    type: RSS,
    body: rssFeed([
      rssItem({ title: 'Twin', date: march, html: '<p>One.</p>' }),
      rssItem({ title: 'Twin', date: march, html: '<p>Two.</p>' }),
    ]),
  });
  assert.deepEqual(await importOnce(author, '/twins.xml'), {
    total: 2,
    imported: 1,
    skipped: 1,
    failed: [],
  });
});

test('a saved source keys its items by its own URL, wherever it redirects', async () => {
  const author = await makeAuthor(server, 'keys_source');
  feeds.redirect('/moving.xml', '/notes.xml');
  const created = await server
    .client()
    .post('/api/feed_sources', { key: author.key, json: { url: feeds.url('/moving.xml') } });
  assert.equal(created.status, 201, created.text);
  const poll = async () => {
    const res = await server
      .client()
      .post(`/api/feed_sources/${created.json().id}/poll`, { key: author.key });
    assert.equal(res.status, 200, res.text);
    return res.json().last_log;
  };
  assert.deepEqual(await poll(), { total: 5, imported: 5, skipped: 0, failed: [] });
  // The publisher moves the document; the source's URL stays, and so do the keys.
  feeds.serve('/archive/notes.xml', { body: fixture('no-guid-no-link.xml'), type: RSS });
  feeds.redirect('/moving.xml', '/archive/notes.xml', 301);
  assert.deepEqual(await poll(), { total: 5, imported: 0, skipped: 5, failed: [] });
});

test("from a file, the feed's own link stands in for its URL, wherever the file is", async () => {
  const author = await makeAuthor(server, 'keys_file');
  const user = await findUserById(server.ctx.database.db, author.id);
  assert.ok(user);
  const dir = mkdtempSync(join(tmpdir(), 'quire-keys-'));
  try {
    const moved = join(dir, 'copy.xml');
    copyFileSync(FIXTURE, moved);
    const run = async (path: string) => {
      const loaded = await loadFeed(server.ctx, path);
      assert.equal(loaded.kind, 'feed');
      if (loaded.kind !== 'feed') return null;
      const options = { publish: false, canonical: false, feedUrl: loaded.url };
      return importFeed(server.ctx, user, loaded.feed, options);
    };
    assert.deepEqual(await run(FIXTURE), { total: 5, imported: 5, skipped: 0, failed: [] });
    assert.deepEqual(await run(moved), { total: 5, imported: 0, skipped: 5, failed: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
