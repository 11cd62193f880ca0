/**
 * Content distribution (WebSub section 7), driven step by step on the fake clock: a changed feed
 * goes to its subscribers, signed when they gave a secret; an unchanged one goes nowhere; leases
 * run out; a 410 ends a subscription.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { websubChannel } from '../../src/modules/websub/websub-dispatch.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSubscriber, type Subscriber } from './subscriber.ts';
import { ALLOW_PRIVATE, deliveriesOf, subscribe, subscriptions } from './support.ts';

const DAY = 86_400_000;

let server: TestServer;
let subscriber: Subscriber;
let alice: Author;
let bob: Author;
const feedOf = (username: string, suffix = '') => `${server.url}/feed/${username}${suffix}`;

before(async () => {
  server = await startTestServer({ env: ALLOW_PRIVATE });
  subscriber = await startSubscriber();
  alice = await makeAuthor(server, 'alice');
  bob = await makeAuthor(server, 'bob');
  await postArticle(server, alice, { title: 'Alice one', body_markdown: 'A.', published: true });
  await postArticle(server, bob, { title: 'Bob one', body_markdown: 'B.', published: true });
  await server.dispatcher.drain();
});
after(async () => {
  await subscriber.close();
  await server.close();
});
beforeEach(async () => {
  await server.ctx.database.db.deleteFrom('websub_subscriptions').execute();
  subscriber.deliveries.length = 0;
});

const publish = (author: Author, title: string) =>
  postArticle(server, author, { title, body_markdown: `${title}.`, published: true });

test('a new article reaches the subscribers of the feeds it changes, and no one else', async () => {
  await subscribe(server, feedOf('alice'), subscriber.callback('/alice-rss'), {
    'hub.secret': 'alice-rss-secret',
  });
  await subscribe(server, feedOf('alice', '.atom'), subscriber.callback('/alice-atom'));
  await subscribe(server, `${server.url}/feed.json`, subscriber.callback('/site-json'));
  await subscribe(server, feedOf('bob'), subscriber.callback('/bob-rss'));
  assert.equal((await subscriptions(server)).length, 4);
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveries.length, 0, 'subscribing sends nothing by itself');

  await publish(alice, 'Alice two');
  await server.dispatcher.drain();
  assert.deepEqual(subscriber.deliveries.map((d) => d.path).sort(), [
    '/alice-atom',
    '/alice-rss',
    '/site-json',
  ]);
  const rss = subscriber.deliveriesTo('/alice-rss')[0]!;
  assert.equal(rss.headers['content-type'], 'application/rss+xml; charset=utf-8');
  assert.match(rss.body.toString(), /<title>Alice two<\/title>/);
  assert.equal(
    rss.headers.link,
    `<${server.url}/websub>; rel="hub", <${feedOf('alice')}>; rel="self"`,
  );
  const expected = createHmac('sha256', 'alice-rss-secret').update(rss.body).digest('hex');
  assert.equal(rss.headers['x-hub-signature'], `sha256=${expected}`);
  const served = await server.client().get('/feed/alice');
  assert.equal(rss.body.toString(), served.text, 'the same bytes readers get');

  const atom = subscriber.deliveriesTo('/alice-atom')[0]!;
  assert.equal(atom.headers['content-type'], 'application/atom+xml; charset=utf-8');
  assert.equal(atom.headers['x-hub-signature'], undefined, 'no secret, no signature');
  assert.match(atom.body.toString(), /Alice two/);
  const site = subscriber.deliveriesTo('/site-json')[0]!;
  assert.equal(site.headers['content-type'], 'application/feed+json; charset=utf-8');
  assert.equal(JSON.parse(site.body.toString()).items[0].title, 'Alice two');

  const rows = await deliveriesOf(server, (await subscriptions(server))[0]!.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.status, 'succeeded');
  assert.match(rows[0]?.target ?? '', /^subscription:\d+$/);
});

test('a change that leaves a feed as it was sends nothing to its subscribers', async () => {
  await subscribe(server, feedOf('alice'), subscriber.callback('/alice-only'));
  await publish(bob, 'Bob two');
  await postArticle(server, alice, { title: 'Alice draft', body_markdown: 'Later.' });
  await server.dispatcher.drain();
  assert.deepEqual(subscriber.deliveries, []);
  const [row] = await subscriptions(server);
  assert.deepEqual(await deliveriesOf(server, row!.id), []);

  await publish(alice, 'Alice three');
  await server.dispatcher.drain();
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveriesTo('/alice-only').length, 1, 'one change, one delivery');
});

test('after its lease a subscription receives nothing and the cleanup job removes it', async () => {
  await subscribe(server, feedOf('alice'), subscriber.callback('/short'), {
    'hub.lease_seconds': '3600',
  });
  const [row] = await subscriptions(server);
  server.clock.advance(3600_000);
  assert.equal(row?.expires_at, server.clock.now().toISOString(), 'expired now, exactly');
  await publish(alice, 'Alice after expiry');
  await server.dispatcher.drain();
  assert.deepEqual(subscriber.deliveries, []);
  assert.deepEqual(await subscriptions(server), []);
});

test('subscribing again before the lease ends keeps the subscription past the first lease', async () => {
  const callback = subscriber.callback('/renewed');
  await subscribe(server, feedOf('alice'), callback);
  server.clock.advance(9 * DAY);
  await subscribe(server, feedOf('alice'), callback);
  server.clock.advance(2 * DAY);
  await publish(alice, 'Alice on day eleven');
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveriesTo('/renewed').length, 1);
  assert.match(subscriber.deliveriesTo('/renewed')[0]!.body.toString(), /Alice on day eleven/);
  assert.equal((await subscriptions(server)).length, 1);
});

test('a delivery queued before the lease ended is dropped, not sent', async () => {
  await subscribe(server, feedOf('bob'), subscriber.callback('/late'), {
    'hub.lease_seconds': '3600',
  });
  subscriber.setDeliveryStatus('/late', 500);
  await publish(bob, 'Bob retried');
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveriesTo('/late').length, 1, 'first attempt, failed');
  const [row] = await subscriptions(server);
  const [queued] = await deliveriesOf(server, row!.id);
  assert.equal(queued?.status, 'pending');
  // Past the lease but before the cleanup job: the retry finds the subscription expired.
  server.clock.advance(3600_000);
  assert.equal(await websubChannel.request(server.ctx, queued, server.clock.now()), null);
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveriesTo('/late').length, 1, 'no second attempt');
  assert.deepEqual(await subscriptions(server), []);
});

test('a subscriber that answers 410 Gone is unsubscribed', async () => {
  await subscribe(server, feedOf('bob'), subscriber.callback('/gone'));
  await subscribe(server, feedOf('bob'), subscriber.callback('/kept'));
  subscriber.setDeliveryStatus('/gone', 410);
  await publish(bob, 'Bob to the departed');
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveriesTo('/gone').length, 1);
  assert.deepEqual(
    (await subscriptions(server)).map((r) => r.callback),
    [subscriber.callback('/kept')],
  );
  await publish(bob, 'Bob again');
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveriesTo('/gone').length, 1, 'nothing more after 410');
  assert.equal(subscriber.deliveriesTo('/kept').length, 2);
});

test('a failed delivery is retried, and a newer feed replaces one still waiting', async () => {
  await subscribe(server, feedOf('alice', '.json'), subscriber.callback('/flaky'));
  const [row] = await subscriptions(server);
  subscriber.setDeliveryStatus('/flaky', 503);
  await publish(alice, 'Alice flaky one');
  await server.dispatcher.drain();
  await publish(alice, 'Alice flaky two');
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveriesTo('/flaky').length, 2);
  const rows = await deliveriesOf(server, row!.id);
  assert.deepEqual(
    rows.map((r) => [r.status, r.last_error]),
    [
      ['dead', 'replaced by newer content'],
      ['pending', null],
    ],
  );
  subscriber.setDeliveryStatus('/flaky', 204);
  server.clock.advance(10_000);
  await server.dispatcher.drain();
  const last = subscriber.deliveriesTo('/flaky').at(-1)!;
  assert.equal(JSON.parse(last.body.toString()).items[0].title, 'Alice flaky two');
  assert.equal((await deliveriesOf(server, row!.id)).at(-1)?.status, 'succeeded');
});

test('a scheduled article reaches subscribers when it goes live', async () => {
  await subscribe(server, feedOf('alice'), subscriber.callback('/scheduled'));
  const at = new Date(server.clock.now().getTime() + DAY);
  await postArticle(server, alice, {
    title: 'Alice tomorrow',
    body_markdown: 'Soon.',
    published: true,
    published_at: at.toISOString(),
  });
  await server.dispatcher.drain();
  assert.deepEqual(subscriber.deliveriesTo('/scheduled'), [], 'not live yet');
  server.clock.set(at);
  await server.dispatcher.drain();
  assert.equal(subscriber.deliveriesTo('/scheduled').length, 1);
  assert.match(subscriber.deliveriesTo('/scheduled')[0]!.body.toString(), /Alice tomorrow/);
});
