/**
 * `/metrics` on a real server, scraped from loopback: every family Quire promises, labelled by
 * route template, cache and consumer (never by URL), moving as requests, cache hits, events and
 * deliveries happen; and the whole text passes `promtool check metrics`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  createHook,
  drainAll,
  type Hook,
  SECOND,
  startFakeClockServer,
} from '../events/support.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import { find, one, scrape, total } from './support.ts';

const PROMTOOL = '/usr/bin/promtool';

let server: TestServer;
let receiver: Receiver;
let author: Author;
let hook: Hook;

before(async () => {
  // One attempt per delivery: a failure is dead at once, so dead letters need no waiting.
  server = await startFakeClockServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_DELIVERY_RETRY_SCHEDULE: '0' },
  });
  receiver = await startReceiver();
  author = await makeAuthor(server, 'gauged');
  hook = await createHook(server, author, receiver.url('/hook'), ['article.published']);
  await drainAll(server);
});
after(async () => {
  await server.close();
  await receiver.close();
});

test('a scrape from loopback has every family, with the process defaults and event-loop delay', async () => {
  const s = await scrape(server.url);
  const expected: Record<string, string> = {
    quire_http_requests_total: 'counter',
    quire_http_request_duration_seconds: 'histogram',
    quire_outbox_lag_seconds: 'gauge',
    quire_deliveries: 'gauge',
    quire_delivery_dead_letters: 'gauge',
    quire_delivery_attempt_duration_seconds: 'histogram',
    quire_response_cache_hits_total: 'counter',
    quire_response_cache_misses_total: 'counter',
    nodejs_eventloop_lag_seconds: 'gauge',
    nodejs_eventloop_lag_p99_seconds: 'gauge',
    process_cpu_seconds_total: 'counter',
    process_resident_memory_bytes: 'gauge',
    nodejs_heap_size_used_bytes: 'gauge',
  };
  for (const [name, type] of Object.entries(expected)) {
    assert.equal(s.types.get(name), type, `${name} is a ${type}`);
  }
  assert.ok(one(s, 'nodejs_eventloop_lag_p99_seconds') >= 0);
  assert.equal(one(s, 'quire_outbox_lag_seconds', { consumer: 'webhooks' }), 0);
  for (const state of ['pending', 'dead']) {
    assert.equal(one(s, 'quire_deliveries', { state }), 0, state);
  }
  assert.equal(one(s, 'quire_delivery_dead_letters'), 0);
});

test('requests count under their route template, never their URL; unmatched ones under one label', async () => {
  const before = await scrape(server.url);
  const seen = (s: typeof before, route: string, status: string) =>
    total(s, 'quire_http_requests_total', { method: 'GET', route, status });
  assert.equal((await fetch(`${server.url}/api/articles/123`)).status, 404);
  assert.equal((await fetch(`${server.url}/api/articles/456`)).status, 404);
  assert.equal((await fetch(`${server.url}/no/such/page/here`)).status, 404);
  const after = await scrape(server.url);
  assert.equal(
    seen(after, '/api/articles/:id', '404') - seen(before, '/api/articles/:id', '404'),
    2,
  );
  assert.equal(seen(after, 'unmatched', '404') - seen(before, 'unmatched', '404'), 1);
  assert.equal(
    total(after, 'quire_http_request_duration_seconds_count', { route: '/api/articles/:id' }) -
      total(before, 'quire_http_request_duration_seconds_count', { route: '/api/articles/:id' }),
    2,
  );
  const routes = new Set(
    after.samples.filter((x) => x.labels.route !== undefined).map((x) => x.labels.route),
  );
  for (const route of routes) assert.doesNotMatch(route!, /123|456|no\/such/, route);
  assert.ok(routes.has('/metrics'), 'scrapes count too');
});

test('a cached feed and page count one miss, then a hit from the fast path under the same route', async () => {
  const article = await postArticle(server, author, {
    title: 'Counted',
    body_markdown: 'Once.',
    published: true,
  });
  await drainAll(server);
  // The version must stay current between the two requests for the second to take the fast
  // path: no poll may mark it stale.
  server.ctx.eventHead.stop();
  try {
    const before = await scrape(server.url);
    for (const [path, cache, route] of [
      ['/feed/gauged', 'feed', '/feed/:file'],
      [article.path as string, 'page', '/:username/:slug'],
    ] as const) {
      const first = await fetch(`${server.url}${path}`);
      assert.equal(first.status, 200, path);
      await server.ctx.eventHead.current();
      const second = await fetch(`${server.url}${path}`);
      assert.equal(second.status, 200, path);
      assert.equal(await second.text(), await first.text());
      const after = await scrape(server.url);
      const delta = (name: string, labels: Record<string, string>) =>
        total(after, name, labels) - total(before, name, labels);
      assert.equal(delta('quire_response_cache_misses_total', { cache }), 1, `${path} missed once`);
      assert.equal(delta('quire_response_cache_hits_total', { cache }), 1, `${path} hit once`);
      assert.equal(
        delta('quire_http_requests_total', { route, status: '200' }),
        2,
        `both answers to ${path}, built and from the cache, count under ${route}`,
      );
    }
  } finally {
    server.ctx.eventHead.invalidate();
    server.ctx.eventHead.start();
  }
});

test('an event no dispatcher has handled shows as lag for its consumer, 0 once it moved on', async () => {
  await drainAll(server);
  assert.equal(
    one(await scrape(server.url), 'quire_outbox_lag_seconds', { consumer: 'webhooks' }),
    0,
  );
  await postArticle(server, author, { title: 'Waiting', body_markdown: 'Here.', published: true });
  server.clock.advance(90 * SECOND);
  const behind = await scrape(server.url);
  assert.equal(one(behind, 'quire_outbox_lag_seconds', { consumer: 'webhooks' }), 90);
  await drainAll(server);
  const caught = await scrape(server.url);
  assert.equal(one(caught, 'quire_outbox_lag_seconds', { consumer: 'webhooks' }), 0);
});

test('delivery attempts fill the latency histogram by channel and outcome; states and dead letters follow', async () => {
  await drainAll(server);
  const before = await scrape(server.url);
  const count = (s: typeof before, outcome: string) =>
    total(s, 'quire_delivery_attempt_duration_seconds_count', { channel: 'webhook', outcome });
  const delivered = receiver.requests.length;
  await postArticle(server, author, { title: 'Sent', body_markdown: 'Yes.', published: true });
  await drainAll(server);
  receiver.enqueue({ status: 500 });
  await postArticle(server, author, { title: 'Refused', body_markdown: 'No.', published: true });
  await drainAll(server);
  assert.equal(receiver.requests.length, delivered + 2);

  const after = await scrape(server.url);
  assert.equal(count(after, 'succeeded') - count(before, 'succeeded'), 1);
  assert.equal(count(after, 'failed') - count(before, 'failed'), 1);
  const inf = find(after, 'quire_delivery_attempt_duration_seconds_bucket', {
    channel: 'webhook',
    outcome: 'succeeded',
    le: '+Inf',
  });
  assert.equal(inf.length, 1);
  assert.ok(total(after, 'quire_delivery_attempt_duration_seconds_sum') > 0);
  for (const sample of find(after, 'quire_delivery_attempt_duration_seconds_count')) {
    assert.deepEqual(Object.keys(sample.labels).sort(), ['channel', 'outcome']);
  }

  const rows = await server.ctx.database.db
    .selectFrom('deliveries')
    .select('status')
    .where('endpoint_id', '=', hook.id)
    .execute();
  for (const state of ['pending', 'dead']) {
    const expected = rows.filter((r) => r.status === state).length;
    assert.equal(one(after, 'quire_deliveries', { state }), expected, state);
  }
  assert.equal(
    find(after, 'quire_deliveries', { state: 'succeeded' }).length,
    0,
    'successes are counted as attempts, not by reading every delivery kept',
  );
  assert.equal(one(after, 'quire_deliveries', { state: 'dead' }), 1);
  assert.equal(one(after, 'quire_delivery_dead_letters'), 1);
});

test(
  'promtool check metrics passes on the real output',
  { skip: !existsSync(PROMTOOL) && `${PROMTOOL} is missing (Debian's prometheus package)` },
  async () => {
    // After the tests above, so histograms and labelled counters have samples to check.
    const s = await scrape(server.url);
    assert.ok(find(s, 'quire_delivery_attempt_duration_seconds_bucket').length > 0);
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: s.text, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
    assert.equal(`${check.stdout}${check.stderr}`.trim(), '');
  },
);
