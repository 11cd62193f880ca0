/**
 * Feed polling as a dispatcher job, on the manual clock: the dispatcher starts a poll when a
 * source is due, knows when the next one will be (a held source once its lease ends), runs one
 * poller per node beside its cycle, and a stop lets the poll under way finish and claims no more.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { feedPolling, stopFeedPolling } from '../../src/modules/imports/feed-polling.ts';
import { claimSource } from '../../src/modules/imports/feed-sources.service.ts';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type FeedServer, RSS, rssFeed, rssItem, startFeedServer } from './feed-server.ts';

let server: TestServer;
let feeds: FeedServer;
let author: Author;

before(async () => {
  server = await startTestServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1' },
    now: '2026-06-01T12:00:00.000Z',
  });
  author = await makeAuthor(server, 'follower');
  feeds = await startFeedServer();
});
after(async () => {
  await feeds.close();
  await server.close();
});

const feed = (name: string) =>
  rssFeed([rssItem({ title: `${name} item`, guid: name, html: `<p>${name}</p>` })]);

async function addSource(path: string, interval: number): Promise<number> {
  feeds.serve(path, { body: feed(path), type: RSS });
  const res = await server.client().post('/api/feed_sources', {
    key: author.key,
    json: { url: feeds.url(path), interval_seconds: interval },
  });
  assert.equal(res.status, 201, res.text);
  return res.json().id;
}

const sourceRow = (id: number) =>
  server.ctx.database.db
    .selectFrom('feed_sources')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

/** Waits for the poller, which runs beside the dispatcher, to record a poll of `id` now. */
async function polled(id: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const row = await sourceRow(id);
    if (row.last_polled_at === server.clock.now().toISOString() && row.lease_until === null) return;
    await sleep(25);
  }
  throw new Error(`source ${id} was not polled at ${server.clock.now().toISOString()}`);
}

const at = (seconds: number) => new Date(server.clock.now().getTime() + seconds * 1000);

test('the dispatcher polls a due source, then waits for the next due time', async () => {
  assert.equal(await feedPolling.nextAt?.(server.ctx), null, 'no source, nothing to wait for');
  const hourly = await addSource('/hourly.xml', 3600);
  assert.deepEqual(await feedPolling.nextAt?.(server.ctx), server.clock.now(), 'due at once');

  await server.dispatcher.drain();
  await polled(hourly);
  assert.equal(feeds.hits('/hourly.xml').length, 1);
  assert.equal((await sourceRow(hourly)).last_status, 'ok');
  assert.deepEqual(await feedPolling.nextAt?.(server.ctx), at(3600));

  const often = await addSource('/often.xml', 600);
  await server.dispatcher.drain();
  await polled(often);
  assert.deepEqual(await feedPolling.nextAt?.(server.ctx), at(600));

  server.clock.advance(599_000);
  assert.equal(await feedPolling.run(server.ctx), 0, 'not due a second early');
  server.clock.advance(1000);
  await server.dispatcher.drain();
  await polled(often);
  assert.equal(feeds.hits('/often.xml').length, 2);
  assert.equal(feeds.hits('/hourly.xml').length, 1);
});

test('a source another node holds is next claimable when its lease ends', async () => {
  server.clock.advance(3600_000);
  // Every source is due; one is claimed (by a node that then stops, say) and never released.
  const held = await claimSource(server.ctx);
  assert.ok(held?.lease_until);
  const other = await claimSource(server.ctx);
  assert.ok(other?.lease_until);
  assert.deepEqual(await feedPolling.nextAt?.(server.ctx), new Date(held.lease_until));
  assert.equal(await feedPolling.run(server.ctx), 0, 'nothing free to poll');
});

test('one poller per node; a stop lets its poll finish and claims nothing more', async () => {
  await server.ctx.database.db.deleteFrom('feed_sources').execute();
  let release: () => void = () => {};
  const stalled = new Promise<void>((resolve) => (release = resolve));
  const first = await addSource('/slow.xml', 3600);
  feeds.on('/slow.xml', async (_req, res) => {
    await stalled;
    res.writeHead(200, { 'content-type': RSS }).end(feed('/slow.xml'));
  });
  // Due a second later than the slow one, so the poller takes the slow one first.
  server.clock.advance(1000);
  const second = await addSource('/after.xml', 3600);

  assert.equal(await feedPolling.run(server.ctx), 1, 'the poller starts');
  for (let i = 0; i < 200 && feeds.hits('/slow.xml').length === 0; i++) await sleep(25);
  assert.equal(feeds.hits('/slow.xml').length, 1);
  assert.equal(await feedPolling.run(server.ctx), 0, 'no second poller while one runs');
  // The dispatcher's cycle is not held by the slow feed.
  await server.dispatcher.drain();

  const stopping = stopFeedPolling(server.ctx, 10_000);
  release();
  assert.equal(await stopping, true, 'the poll under way finished');
  assert.equal((await sourceRow(first)).last_status, 'ok');
  assert.equal(feeds.hits('/after.xml').length, 0, 'nothing claimed after the stop');
  assert.equal((await sourceRow(second)).lease_until, null);
  assert.equal(await feedPolling.run(server.ctx), 0, 'a stopped node starts no poller');
});
