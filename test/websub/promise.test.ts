/**
 * The WebSub promise, with the dispatcher running as in `quire serve`: a feed reader that
 * subscribes sees a new article within a second of publishing, without polling.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSubscriber, type Subscriber } from './subscriber.ts';
import { ALLOW_PRIVATE, subscribe, subscriptions } from './support.ts';

let server: TestServer;
let subscriber: Subscriber;
let author: Author;

before(async () => {
  server = await startTestServer({ env: ALLOW_PRIVATE, dispatcher: true });
  subscriber = await startSubscriber();
  author = await makeAuthor(server, 'prompt');
  await postArticle(server, author, {
    title: 'Already here',
    body_markdown: 'Old.',
    published: true,
  });
});
after(async () => {
  await subscriber.close();
  await server.close();
});

test('a subscriber receives the new feed within a second of the publish request', async (t) => {
  const topic = `${server.url}/feed/prompt`;
  const res = await subscribe(server, topic, subscriber.callback('/reader'), {
    'hub.secret': 'reader-secret',
  });
  assert.equal(res.status, 202);
  assert.equal((await subscriptions(server)).length, 1);

  const latencies: number[] = [];
  for (let i = 1; i <= 3; i++) {
    const title = `Fresh news ${i}`;
    const arrival = subscriber.nextDelivery('/reader', 5000);
    await postArticle(server, author, { title, body_markdown: 'New.', published: true });
    const published = performance.now();
    const seen = await arrival;
    latencies.push(seen.at - published);
    assert.match(seen.body.toString(), new RegExp(`<title>${title}</title>`));
    assert.equal(seen.headers['content-type'], 'application/rss+xml; charset=utf-8');
    assert.equal(seen.headers.link, `<${server.url}/websub>; rel="hub", <${topic}>; rel="self"`);
    const mac = createHmac('sha256', 'reader-secret').update(seen.body).digest('hex');
    assert.equal(seen.headers['x-hub-signature'], `sha256=${mac}`);
  }
  // Measured from the end of the publish request; the delivery may even arrive before it ends.
  for (const ms of latencies)
    assert.ok(ms < 1000, `delivered ${Math.round(ms)} ms after publishing`);
  t.diagnostic(`publish to delivery: ${latencies.map((ms) => `${Math.round(ms)} ms`).join(', ')}`);
  assert.equal(subscriber.deliveriesTo('/reader').length, 3, 'one delivery per change');
});
