/**
 * SSRF with private URLs off (the default): a feed on 127.0.0.1, however its address is spelled,
 * is refused with a clear 422 before any request reaches it, at import, when a source is saved,
 * and when a source saved earlier is polled.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pollDueSources } from '../../src/modules/imports/feed-sources.service.ts';
import { assertProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type FeedServer, fixture, RSS, startFeedServer } from './feed-server.ts';
import { importUrl } from './support.ts';

let server: TestServer;
let feeds: FeedServer;
let author: Author;
let port: string;

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'site_admin');
  author = await makeAuthor(server, 'target');
  feeds = await startFeedServer();
  // A real, valid feed: if any spelling got through, it would import three articles.
  feeds.serve('/feed.xml', { body: fixture('dev-author.xml'), type: RSS });
  port = new URL(feeds.origin).port;
});
after(async () => {
  await feeds.close();
  await server.close();
});

const loopbacks = () => [
  `http://127.0.0.1:${port}/feed.xml`,
  `http://localhost:${port}/feed.xml`,
  `http://0x7f.1:${port}/feed.xml`,
  `http://2130706433:${port}/feed.xml`,
  `http://0177.0.0.1:${port}/feed.xml`,
  `http://127.1:${port}/feed.xml`,
  `http://[::ffff:127.0.0.1]:${port}/feed.xml`,
  `http://[::1]:${port}/feed.xml`,
  'http://169.254.169.254/latest/meta-data/',
];

test('the test server really has private URLs off', () => {
  assert.equal(server.ctx.config.allowPrivateUrls, false);
});

test('importing from loopback, however spelled, is a clear 422 that imports nothing', async () => {
  const state = await snapshot(server);
  for (const url of loopbacks()) {
    const res = await importUrl(server, author, url, { publish: true });
    const body = assertProblem(res, { status: 422, code: 'validation_failed', field: 'url' });
    assert.match(
      body.detail,
      /^Cannot import this feed: The (address|host) \S+ is not allowed$/,
      url,
    );
  }
  assert.deepEqual(feeds.requests, [], 'no request reached the feed server');
  assert.deepEqual(await snapshot(server), state);
});

test('saving a loopback source is refused', async () => {
  const state = await snapshot(server);
  for (const url of loopbacks()) {
    const res = await server.client().post('/api/feed_sources', { key: author.key, json: { url } });
    const body = assertProblem(res, { status: 422, code: 'validation_failed', field: 'url' });
    assert.match(body.errors[0].message, /is not allowed/, url);
  }
  assert.deepEqual(await snapshot(server), state);
});

test('a loopback source saved before the setting changed is refused when polled', async () => {
  const now = server.clock.now().toISOString();
  const row = await server.ctx.database.db
    .insertInto('feed_sources')
    .values({
      user_id: author.id,
      url: `http://127.0.0.1:${port}/feed.xml`,
      publish: 1,
      canonical: 0,
      interval_seconds: 3600,
      next_poll_at: now,
      lease_until: null,
      lease_owner: null,
      etag: null,
      last_modified: null,
      last_polled_at: null,
      last_status: null,
      last_error: null,
      last_log: null,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const before = await snapshot(server);
  assert.equal(await pollDueSources(server.ctx), 1);
  const after = await server.ctx.database.db
    .selectFrom('feed_sources')
    .selectAll()
    .where('id', '=', row.id)
    .executeTakeFirstOrThrow();
  assert.equal(after.last_status, 'error');
  assert.match(after.last_error ?? '', /127\.0\.0\.1 is not allowed/);
  assert.deepEqual(feeds.requests, []);
  const now2 = await snapshot(server);
  assert.equal(now2.articles, before.articles);
  assert.equal(now2.feed_items, before.feed_items);
});
