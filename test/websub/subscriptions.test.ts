/**
 * Subscribing and unsubscribing (WebSub sections 5.1 to 5.3): a request is answered 202, the
 * callback is asked to echo a challenge, and only a confirmed request changes anything.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { LEASE_SECONDS } from '../../src/modules/websub/subscription-request.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSubscriber, type Subscriber } from './subscriber.ts';
import { ALLOW_PRIVATE, subscribe, subscriptions, unsubscribe } from './support.ts';

let server: TestServer;
let subscriber: Subscriber;
let alice: Author;
let topic: string;

before(async () => {
  server = await startTestServer({ env: ALLOW_PRIVATE });
  subscriber = await startSubscriber();
  alice = await makeAuthor(server, 'alice');
  await postArticle(server, alice, { title: 'First', body_markdown: 'One.', published: true });
  topic = `${server.url}/feed/alice`;
});
after(async () => {
  await subscriber.close();
  await server.close();
});
beforeEach(async () => {
  await server.ctx.database.db.deleteFrom('websub_subscriptions').execute();
  subscriber.verifications.length = 0;
});

test('a subscription is accepted with 202, verified with a challenge, then stored', async () => {
  const callback = subscriber.callback('/cb/ok?user=7');
  const res = await subscribe(server, topic, callback, {
    'hub.secret': 'a secret of our own',
    'hub.lease_seconds': '86400',
  });
  assert.equal(res.status, 202, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);

  assert.equal(subscriber.verifications.length, 1);
  const { path, params } = subscriber.verifications[0]!;
  assert.equal(path, '/cb/ok');
  assert.equal(params.get('user'), '7', "the callback's own query is kept");
  assert.equal(params.get('hub.mode'), 'subscribe');
  assert.equal(params.get('hub.topic'), topic);
  assert.equal(params.get('hub.lease_seconds'), '86400');
  assert.match(params.get('hub.challenge') ?? '', /^[A-Za-z0-9_-]{32,}$/);

  const [row, ...others] = await subscriptions(server);
  assert.equal(others.length, 0);
  assert.equal(row?.topic, topic);
  assert.equal(row?.callback, callback);
  assert.equal(row?.secret, 'a secret of our own');
  assert.equal(row?.lease_seconds, 86_400);
  const now = server.clock.now().getTime();
  assert.equal(row?.expires_at, new Date(now + 86_400_000).toISOString());
  assert.ok(row?.content_hash, 'the feed as it is now is the baseline');
});

test('challenges differ from one verification to the next', async () => {
  await subscribe(server, topic, subscriber.callback('/cb/a'));
  await subscribe(server, topic, subscriber.callback('/cb/b'));
  const [a, b] = subscriber.verifications.map((v) => v.params.get('hub.challenge'));
  assert.ok(a && b);
  assert.notEqual(a, b);
});

test('a callback that echoes the wrong challenge or does not answer 2xx gets nothing', async () => {
  const cases: [string, 'wrong' | number][] = [
    ['/cb/wrong', 'wrong'],
    ['/cb/404', 404],
    ['/cb/500', 500],
    ['/cb/redirect', 302],
  ];
  for (const [path, answer] of cases) {
    subscriber.setVerify(path, answer);
    const res = await subscribe(server, topic, subscriber.callback(path));
    assert.equal(res.status, 202, path);
  }
  assert.deepEqual(
    subscriber.verifications.map((v) => v.path),
    cases.map(([path]) => path),
    'each callback was asked once, and no redirect was followed',
  );
  assert.deepEqual(await subscriptions(server), []);
});

test('a callback nobody listens on gets nothing stored', async () => {
  const res = await subscribe(server, topic, 'http://127.0.0.1:9/cb');
  assert.equal(res.status, 202);
  assert.deepEqual(await subscriptions(server), []);
});

test('lease_seconds defaults to ten days and is kept between an hour and thirty days', async () => {
  const cases: [string | undefined, number][] = [
    [undefined, LEASE_SECONDS.default],
    ['60', LEASE_SECONDS.min],
    ['999999999', LEASE_SECONDS.max],
    ['7200', 7200],
  ];
  for (const [asked, granted] of cases) {
    const path = `/cb/lease-${asked ?? 'default'}`;
    await subscribe(
      server,
      topic,
      subscriber.callback(path),
      asked === undefined ? {} : { 'hub.lease_seconds': asked },
    );
    const seen = subscriber.verifications.find((v) => v.path === path);
    assert.equal(seen?.params.get('hub.lease_seconds'), String(granted), path);
    const row = (await subscriptions(server)).find((r) => r.callback.endsWith(path));
    assert.equal(row?.lease_seconds, granted, path);
  }
  assert.equal(LEASE_SECONDS.default, 864_000);
});

test('an unsubscription the callback confirms removes the subscription', async () => {
  const callback = subscriber.callback('/cb/leaving');
  await subscribe(server, topic, callback);
  assert.equal((await subscriptions(server)).length, 1);
  const res = await unsubscribe(server, topic, callback);
  assert.equal(res.status, 202, res.text);
  const seen = subscriber.verifications.at(-1);
  assert.equal(seen?.params.get('hub.mode'), 'unsubscribe');
  assert.equal(seen?.params.get('hub.topic'), topic);
  assert.equal(seen?.params.has('hub.lease_seconds'), false);
  assert.deepEqual(await subscriptions(server), []);
});

test('an unsubscription the callback does not confirm keeps the subscription', async () => {
  const callback = subscriber.callback('/cb/staying');
  await subscribe(server, topic, callback);
  const before = await subscriptions(server);
  for (const answer of ['wrong', 404] as const) {
    subscriber.setVerify('/cb/staying', answer);
    assert.equal((await unsubscribe(server, topic, callback)).status, 202);
  }
  subscriber.setVerify('/cb/staying', 'echo');
  assert.deepEqual(await subscriptions(server), before);
});

test('unsubscribing what was never subscribed is a 404 and asks nobody', async () => {
  const res = await unsubscribe(server, topic, subscriber.callback('/cb/never'));
  assert.equal(res.status, 404);
  assert.match(res.text, /no subscription/i);
  assert.equal(subscriber.verifications.length, 0);
});

test('subscribing again renews the lease and replaces the secret', async () => {
  const callback = subscriber.callback('/cb/renew');
  await subscribe(server, topic, callback, { 'hub.secret': 'first' });
  const [first] = await subscriptions(server);
  server.clock.advance(3 * 86_400_000);
  await subscribe(server, topic, callback, { 'hub.secret': 'second' });
  const [renewed, ...others] = await subscriptions(server);
  assert.equal(others.length, 0, 'one subscription per topic and callback');
  assert.equal(renewed?.id, first?.id);
  assert.equal(renewed?.secret, 'second');
  assert.equal(
    Date.parse(renewed?.expires_at ?? '') - Date.parse(first?.expires_at ?? ''),
    3 * 86_400_000,
  );
  await subscribe(server, topic, callback);
  assert.equal((await subscriptions(server))[0]?.secret, null, 'no secret this time: none');
});

test('any feed of the site can be a topic, in any format', async () => {
  await postArticle(server, alice, {
    title: 'Tagged',
    body_markdown: 'Two.',
    published: true,
    tags: ['websub'],
  });
  const topics = [
    '/feed',
    '/rss',
    '/feed.atom',
    '/feed.json',
    '/feed/alice.atom',
    '/feed/tag/websub.json',
  ];
  for (const path of topics) {
    const res = await subscribe(server, `${server.url}${path}`, subscriber.callback('/cb/any'));
    assert.equal(res.status, 202, `${path}: ${res.text}`);
  }
  const stored = (await subscriptions(server)).map((r) => r.topic).sort();
  assert.deepEqual(stored, topics.map((p) => `${server.url}${p}`).sort());
});
