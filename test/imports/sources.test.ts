/**
 * Saved feed sources: the /api/feed_sources endpoints, scheduled polling with conditional GET on
 * the manual clock, and leases: two nodes on one database never poll a source twice, and a lease
 * left behind expires and returns the source to the queue.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import type { FeedSourceRow } from '../../src/db/schema.ts';
import {
  claimSource,
  pollClaimed,
  pollDueSources,
} from '../../src/modules/imports/feed-sources.service.ts';
import { assertProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type FeedServer, fixture, RSS, rssFeed, rssItem, startFeedServer } from './feed-server.ts';
import { onSecondNode } from './poll-node.ts';
import { articlesOf } from './support.ts';

let server: TestServer;
let feeds: FeedServer;
let owner: Author;
let stranger: Author;

before(async () => {
  server = await startTestServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_FEED_POLL_INTERVAL: '3600' },
    now: '2026-06-01T12:00:00.000Z',
  });
  await makeAuthor(server, 'site_admin');
  owner = await makeAuthor(server, 'owner');
  stranger = await makeAuthor(server, 'stranger');
  feeds = await startFeedServer();
});
after(async () => {
  await feeds.close();
  await server.close();
});
// Sources left due by one test would be polled by the next one's pollDueSources.
afterEach(async () => {
  await server.ctx.database.db.deleteFrom('feed_sources').execute();
});

const api = () => server.client();
const addSource = (author: Author, json: Record<string, unknown>) =>
  api().post('/api/feed_sources', { key: author.key, json });
const sourceRow = (id: number) =>
  server.ctx.database.db
    .selectFrom('feed_sources')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const isoIn = (seconds: number) =>
  new Date(server.clock.now().getTime() + seconds * 1000).toISOString();

/** A feed of `n` items whose guids start with `prefix`. */
const itemsFeed = (prefix: string, n: number) =>
  rssFeed(
    Array.from({ length: n }, (_, i) =>
      rssItem({
        title: `${prefix} item ${i + 1}`,
        guid: `${prefix}-${i + 1}`,
        date: 'Mon, 04 May 2026 10:00:00 +0000',
        html: `<p>Body of ${prefix} ${i + 1}</p>`,
      }),
    ),
  );

describe('the feed_sources API', () => {
  test('POST saves a source that is due at once; GET lists only your own', async () => {
    const url = feeds.url('/api-source.xml');
    const res = await addSource(owner, { url, publish: true, canonical: true });
    assert.equal(res.status, 201, res.text);
    const created = res.json();
    assert.deepEqual(
      { ...created, id: 0 },
      {
        id: 0,
        url,
        publish: true,
        canonical: true,
        interval_seconds: 3600,
        next_poll_at: '2026-06-01T12:00:00.000Z',
        last_polled_at: null,
        last_status: null,
        last_error: null,
        last_log: null,
        created_at: '2026-06-01T12:00:00.000Z',
      },
    );
    const mine = await api().get('/api/feed_sources', { key: owner.key });
    assert.deepEqual(mine.json(), [created]);
    const theirs = await api().get('/api/feed_sources', { key: stranger.key });
    assert.deepEqual(theirs.json(), []);
    const custom = await addSource(owner, { url: feeds.url('/other.xml'), interval_seconds: 900 });
    assert.equal(custom.json().interval_seconds, 900);
    assert.equal(custom.json().publish, false);
  });

  test('bad sources are refused and nothing is saved', async () => {
    const url = feeds.url('/dup.xml');
    assert.equal((await addSource(owner, { url })).status, 201);
    const state = await snapshot(server);
    assertProblem(await addSource(owner, { url }), {
      status: 422,
      code: 'validation_failed',
      field: 'url',
    });
    for (const interval_seconds of [59, 30 * 86_400 + 1]) {
      assertProblem(await addSource(owner, { url: feeds.url('/x.xml'), interval_seconds }), {
        status: 422,
        code: 'validation_failed',
        field: 'interval_seconds',
      });
    }
    for (const bad of ['ftp://files.example.org/feed.xml', 'file:///etc/passwd', 'not a url']) {
      assertProblem(await addSource(owner, { url: bad }), {
        status: 422,
        code: 'validation_failed',
        field: 'url',
      });
    }
    const metadata = assertProblem(
      await addSource(owner, { url: 'http://169.254.169.254/latest/meta-data/' }),
      { status: 422, code: 'validation_failed', field: 'url' },
    );
    assert.match(metadata.detail, /169\.254\.169\.254 is not allowed/);
    assertProblem(await api().post('/api/feed_sources', { json: { url: feeds.url('/y.xml') } }), {
      status: 401,
      code: 'unauthorized',
    });
    assert.deepEqual(await snapshot(server), state);
    // The same URL is a different source for another account.
    assert.equal((await addSource(stranger, { url })).status, 201);
  });

  test('POST /poll polls now and reports; DELETE stops following and keeps the articles', async () => {
    feeds.serve('/poll-now.xml', { body: fixture('dev-author.xml'), type: RSS });
    const created = (await addSource(owner, { url: feeds.url('/poll-now.xml') })).json();
    assertProblem(await api().post(`/api/feed_sources/${created.id}/poll`, { key: stranger.key }), {
      status: 404,
      code: 'not_found',
    });
    assert.equal(feeds.hits('/poll-now.xml').length, 0);
    const polled = await api().post(`/api/feed_sources/${created.id}/poll`, { key: owner.key });
    assert.equal(polled.status, 200, polled.text);
    const after = polled.json();
    assert.equal(after.last_status, 'ok');
    assert.equal(after.last_error, null);
    assert.deepEqual(after.last_log, { total: 3, imported: 3, skipped: 0, failed: [] });
    assert.equal(after.last_polled_at, server.clock.now().toISOString());
    assert.equal(after.next_poll_at, isoIn(3600));
    assert.equal(feeds.hits('/poll-now.xml').length, 1);
    const imported = await articlesOf(server, owner);
    assert.equal(imported.length, 3);
    assert.ok(
      imported.every((a) => a.published === false),
      'drafts unless the source publishes',
    );

    assertProblem(await api().delete(`/api/feed_sources/${created.id}`, { key: stranger.key }), {
      status: 404,
      code: 'not_found',
    });
    const del = await api().delete(`/api/feed_sources/${created.id}`, { key: owner.key });
    assert.equal(del.status, 204);
    assert.deepEqual((await api().get('/api/feed_sources', { key: owner.key })).json(), []);
    assert.equal((await articlesOf(server, owner)).length, 3, 'the articles stay');
    assertProblem(await api().delete(`/api/feed_sources/${created.id}`, { key: owner.key }), {
      status: 404,
      code: 'not_found',
    });
    // Remembered items outlive their source: adding the feed again imports nothing new.
    const again = (await addSource(owner, { url: feeds.url('/poll-now.xml') })).json();
    const repoll = await api().post(`/api/feed_sources/${again.id}/poll`, { key: owner.key });
    assert.deepEqual(repoll.json().last_log, { total: 3, imported: 0, skipped: 3, failed: [] });
    await server.ctx.database.db.deleteFrom('articles').where('user_id', '=', owner.id).execute();
  });

  test('a source whose feed is refused records the error and imports nothing', async () => {
    feeds.serve('/xxe-source.xml', { body: fixture('xxe-file.xml'), type: RSS });
    const created = (await addSource(owner, { url: feeds.url('/xxe-source.xml') })).json();
    const state = await snapshot(server);
    const res = await api().post(`/api/feed_sources/${created.id}/poll`, { key: owner.key });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().last_status, 'error');
    assert.match(res.json().last_error, /entit/i);
    assert.equal(res.json().last_log, null);
    const now = await snapshot(server);
    assert.equal(now.articles, state.articles);
    assert.equal(now.articles_digest, state.articles_digest);
    assert.equal(now.feed_items, state.feed_items);
  });

  test('an error quoting hostile feed text (a NUL) is still recorded, and the lease released', async () => {
    const empty = {
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Nul\u0000Feed',
      items: [],
    };
    feeds.serve('/nul-title.json', { body: JSON.stringify(empty), type: 'application/feed+json' });
    const created = (await addSource(owner, { url: feeds.url('/nul-title.json') })).json();
    const res = await api().post(`/api/feed_sources/${created.id}/poll`, { key: owner.key });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().last_status, 'error');
    assert.match(res.json().last_error, /has no items/);
    const row = await sourceRow(created.id);
    assert.equal(row.lease_until, null);
    assert.equal(row.lease_owner, null);
  });
});

describe('scheduled polling', () => {
  test('a source is polled when due, with If-None-Match; a 304 imports nothing', async () => {
    const author = await makeAuthor(server, 'scheduled');
    const path = '/scheduled.xml';
    const lastModified = 'Mon, 04 May 2026 10:00:00 GMT';
    feeds.serve(path, { body: itemsFeed('sched', 3), type: RSS, etag: '"v1"', lastModified });
    const created = (
      await addSource(author, { url: feeds.url(path), interval_seconds: 600, publish: true })
    ).json();

    assert.equal(await pollDueSources(server.ctx), 1);
    assert.equal((await articlesOf(server, author)).length, 3);
    let row = await sourceRow(created.id);
    assert.equal(row.etag, '"v1"');
    assert.equal(row.last_modified, lastModified);
    assert.equal(row.next_poll_at, isoIn(600));
    assert.deepEqual(feeds.hits(path)[0], {
      method: 'GET',
      path,
      ifNoneMatch: null,
      ifModifiedSince: null,
      userAgent: 'Quire/0.1 (feed importer)',
    });

    assert.equal(await pollDueSources(server.ctx), 0, 'not due again at once');
    server.clock.advance(599_000);
    assert.equal(await pollDueSources(server.ctx), 0, 'not due a second early');
    assert.equal(feeds.hits(path).length, 1);

    server.clock.advance(1000);
    const state = await snapshot(server);
    assert.equal(await pollDueSources(server.ctx), 1);
    const conditional = feeds.hits(path)[1];
    assert.equal(conditional?.ifNoneMatch, '"v1"');
    assert.equal(conditional?.ifModifiedSince, lastModified);
    row = await sourceRow(created.id);
    assert.equal(row.last_status, 'not_modified');
    assert.equal(row.etag, '"v1"', 'a 304 keeps the validators');
    assert.equal(row.next_poll_at, isoIn(600));
    const afterPoll = await snapshot(server);
    assert.equal(afterPoll.articles, state.articles);
    assert.equal(afterPoll.articles_digest, state.articles_digest);
    assert.equal(afterPoll.feed_items, state.feed_items);

    // The feed changes: a new ETag, one new item. Only that item is imported.
    feeds.serve(path, { body: itemsFeed('sched', 4), type: RSS, etag: '"v2"', lastModified });
    server.clock.advance(600_000);
    assert.equal(await pollDueSources(server.ctx), 1);
    assert.equal(feeds.hits(path)[2]?.ifNoneMatch, '"v1"');
    row = await sourceRow(created.id);
    assert.equal(row.last_status, 'ok');
    assert.equal(row.etag, '"v2"');
    assert.deepEqual(JSON.parse(row.last_log ?? 'null'), {
      total: 4,
      imported: 1,
      skipped: 3,
      failed: [],
    });
    const titles = (await articlesOf(server, author)).map((a) => a.title);
    assert.deepEqual(titles, ['sched item 1', 'sched item 2', 'sched item 3', 'sched item 4']);
  });

  test('a feed with only Last-Modified gets If-Modified-Since back', async () => {
    const author = await makeAuthor(server, 'modified');
    const path = '/modified.xml';
    const lastModified = 'Tue, 05 May 2026 07:08:09 GMT';
    feeds.serve(path, { body: itemsFeed('mod', 2), type: RSS, lastModified });
    await addSource(author, { url: feeds.url(path), interval_seconds: 60 });
    assert.equal(await pollDueSources(server.ctx), 1);
    server.clock.advance(60_000);
    assert.equal(await pollDueSources(server.ctx), 1);
    const second = feeds.hits(path)[1];
    assert.equal(second?.ifModifiedSince, lastModified);
    assert.equal(second?.ifNoneMatch, null);
    assert.equal((await articlesOf(server, author)).length, 2);
  });

  test('a source that is an HTML page: the feed it links keeps being imported', async () => {
    const author = await makeAuthor(server, 'page_source');
    // A page that rarely changes, linking a feed that changes more often: the validators of one
    // must never be sent to the other, or the page's 304 would hide the feed's new items.
    const page = {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" href="/page-feed.xml"></head><body></body></html>',
      lastModified: 'Thu, 01 Jan 2026 00:00:00 GMT',
    };
    feeds.serve('/page-source/', page);
    feeds.serve('/page-feed.xml', {
      body: itemsFeed('page', 2),
      type: RSS,
      lastModified: 'Sun, 01 Mar 2026 00:00:00 GMT',
    });
    await addSource(author, { url: feeds.url('/page-source/'), interval_seconds: 60 });
    assert.equal(await pollDueSources(server.ctx), 1);
    assert.equal((await articlesOf(server, author)).length, 2);

    feeds.serve('/page-feed.xml', {
      body: itemsFeed('page', 3),
      type: RSS,
      lastModified: 'Wed, 01 Apr 2026 00:00:00 GMT',
    });
    server.clock.advance(60_000);
    assert.equal(await pollDueSources(server.ctx), 1);
    assert.deepEqual(
      (await articlesOf(server, author)).map((a) => a.title),
      ['page item 1', 'page item 2', 'page item 3'],
    );
  });

  test('an article deleted after a poll never comes back on later polls', async () => {
    const author = await makeAuthor(server, 'poll_deleter');
    const path = '/poll-deleter.xml';
    feeds.serve(path, { body: itemsFeed('del', 3), type: RSS, etag: '"d1"' });
    await addSource(author, { url: feeds.url(path), interval_seconds: 60, publish: true });
    assert.equal(await pollDueSources(server.ctx), 1);
    const [victim] = await articlesOf(server, author);
    assert.ok(victim);
    const del = await api().delete(`/api/articles/${victim.id}`, { key: author.key });
    assert.equal(del.status, 204);
    for (const etag of ['"d2"', '"d3"']) {
      feeds.serve(path, { body: itemsFeed('del', 3), type: RSS, etag });
      server.clock.advance(60_000);
      assert.equal(await pollDueSources(server.ctx), 1);
    }
    assert.equal(feeds.hits(path).length, 3);
    assert.deepEqual(
      (await articlesOf(server, author)).map((a) => a.title),
      ['del item 2', 'del item 3'],
    );
  });
});

describe('two nodes on one database', () => {
  test('racing pollers send exactly one request per due source', async () => {
    const author = await makeAuthor(server, 'raced');
    // The first request is held until a second one arrives, so both nodes must be polling at
    // once; the fallback only stops a broken build from hanging the suite.
    const held: Array<() => void> = [];
    let open = false;
    const release = () => {
      open = true;
      for (const go of held.splice(0)) go();
    };
    const fallback = setTimeout(release, 30_000);
    const paths = ['/race-1.xml', '/race-2.xml', '/race-3.xml'];
    for (const [i, path] of paths.entries()) {
      feeds.on(path, async (_req: IncomingMessage, res: ServerResponse) => {
        if (!open) {
          await new Promise<void>((resolve) => {
            held.push(resolve);
            if (held.length >= 2) release();
          });
        }
        res.writeHead(200, { 'content-type': RSS }).end(itemsFeed(`race${i + 1}`, 2));
      });
      await addSource(author, { url: feeds.url(path), publish: true });
    }
    try {
      const [here, there] = await Promise.all([
        pollDueSources(server.ctx),
        onSecondNode(server.db.url, server.clock.now(), ['poll']),
      ]);
      assert.deepEqual(
        paths.map((p) => feeds.hits(p).length),
        [1, 1, 1],
      );
      assert.equal(here + there.polled, 3);
      assert.ok(here >= 1 && there.polled >= 1, `both nodes polled: ${here} + ${there.polled}`);
    } finally {
      clearTimeout(fallback);
    }
    const rows = await server.ctx.database.db
      .selectFrom('feed_sources')
      .selectAll()
      .where('user_id', '=', author.id)
      .execute();
    for (const row of rows) {
      assert.equal(row.last_status, 'ok');
      assert.equal(row.lease_until, null);
      assert.equal(row.lease_owner, null);
    }
    assert.equal((await articlesOf(server, author)).length, 6);

    const [again, againThere] = await Promise.all([
      pollDueSources(server.ctx),
      onSecondNode(server.db.url, server.clock.now(), ['poll']),
    ]);
    assert.deepEqual([again, againThere.polled], [0, 0]);
    assert.deepEqual(
      paths.map((p) => feeds.hits(p).length),
      [1, 1, 1],
    );
  });

  test('a lease blocks other nodes until it expires; then the source is back in the queue', async () => {
    const author = await makeAuthor(server, 'leased');
    const path = '/leased.xml';
    feeds.serve(path, { body: itemsFeed('lease', 2), type: RSS });
    const created = (await addSource(author, { url: feeds.url(path), publish: true })).json();

    // This node claims the source and then, say, crashes: it never polls.
    const stale: FeedSourceRow | undefined = await claimSource(server.ctx);
    assert.equal(stale?.id, created.id);
    const leaseUntil = stale?.lease_until ?? '';
    assert.ok(leaseUntil > server.clock.now().toISOString());

    server.clock.advance(60_000);
    assert.deepEqual(
      await onSecondNode(server.db.url, server.clock.now(), ['claim', String(created.id)]),
      { claimed: null },
    );
    assert.deepEqual(await onSecondNode(server.db.url, server.clock.now(), ['poll']), {
      polled: 0,
    });
    assert.equal(await pollDueSources(server.ctx), 0);
    const busy = await api().post(`/api/feed_sources/${created.id}/poll`, { key: author.key });
    assert.equal(busy.status, 409, busy.text);
    assert.equal(busy.json().type, 'urn:quire:problem:conflict');
    assert.match(busy.json().detail, /being polled right now/);
    assert.equal(feeds.hits(path).length, 0);

    server.clock.set(new Date(new Date(leaseUntil).getTime() + 1000));
    const takeover = server.clock.now().toISOString();
    assert.deepEqual(await onSecondNode(server.db.url, server.clock.now(), ['poll']), {
      polled: 1,
    });
    assert.equal(feeds.hits(path).length, 1);
    let row = await sourceRow(created.id);
    assert.equal(row.last_status, 'ok');
    assert.equal(row.last_polled_at, takeover);
    assert.equal(row.lease_until, null);
    assert.equal((await articlesOf(server, author)).length, 2);

    // The first node wakes up and finishes its stale poll: it must not overwrite the result.
    server.clock.advance(30_000);
    assert.ok(stale);
    await pollClaimed(server.ctx, stale);
    row = await sourceRow(created.id);
    assert.equal(row.last_polled_at, takeover);
    assert.equal((await articlesOf(server, author)).length, 2);
  });
});
