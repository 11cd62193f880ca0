/**
 * Every delivery attempt is one structured log line: which event, which endpoint (or, for
 * WebSub, which subscription), which attempt, the answer's status and how long it took.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import { startSubscriber, type Subscriber } from '../websub/subscriber.ts';
import { subscribe, subscriptions } from '../websub/support.ts';
import {
  attemptsOf,
  createHook,
  deliveriesOf,
  drainAll,
  eventsOfType,
  type Hook,
  settle,
  startFakeClockServer,
} from './support.ts';

let server: TestServer;
let receiver: Receiver;
let subscriber: Subscriber;
let author: Author;
let hook: Hook;
const lines: Record<string, any>[] = [];

before(async () => {
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, any>) },
  );
  server = await startFakeClockServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_DELIVERY_RETRY_SCHEDULE: '0,5' },
    logger,
  });
  receiver = await startReceiver();
  subscriber = await startSubscriber();
  author = await makeAuthor(server, 'logged');
  hook = await createHook(server, author, receiver.url('/hook'), ['article.published']);
  await drainAll(server);
});
after(async () => {
  await server.close();
  await receiver.close();
  await subscriber.close();
});

const attempted = () => lines.filter((l) => l.msg === 'delivery attempted');

test('each webhook attempt logs its event, endpoint, attempt number, status and latency', async () => {
  receiver.enqueue({ status: 500 });
  await postArticle(server, author, { title: 'Logged', body_markdown: 'Twice.', published: true });
  await settle(server, hook.id);

  const [event] = await eventsOfType(server, ['article.published']);
  const [delivery] = await deliveriesOf(server, hook.id);
  assert.ok(event && delivery);
  const logged = attempted().filter((l) => l.endpoint === hook.id);
  const recorded = await attemptsOf(server, delivery.id);
  assert.equal(recorded.length, 2, 'a failure, then a success');
  assert.equal(logged.length, recorded.length, 'one line per attempt');
  assert.deepEqual(
    logged.map((l) => [l.attempt, l.status, l.outcome]),
    [
      [1, 500, 'failed'],
      [2, 200, 'succeeded'],
    ],
  );
  for (const line of logged) {
    assert.equal(line.level, 30, 'info');
    assert.equal(line.event, Number(event.id));
    assert.equal(line.endpoint, hook.id);
    assert.equal(line.subscription, null);
    assert.equal(line.delivery, delivery.id);
    assert.equal(line.channel, 'webhook');
    assert.equal(typeof line.latencyMs, 'number');
    assert.ok(line.latencyMs >= 0);
  }
});

test('a WebSub attempt names its subscription, with endpoint and event null', async () => {
  const topic = `${server.url}/feed/logged`;
  const res = await subscribe(server, topic, subscriber.callback('/sub'));
  assert.equal(res.status, 202);
  const [subscription] = await subscriptions(server);
  assert.ok(subscription);
  await postArticle(server, author, { title: 'Fed', body_markdown: 'To WebSub.', published: true });
  await drainAll(server);
  assert.equal(subscriber.deliveriesTo('/sub').length, 1);

  const logged = attempted().filter((l) => l.subscription === subscription.id);
  assert.equal(logged.length, 1);
  const [line] = logged;
  assert.equal(line?.channel, 'websub');
  assert.equal(line?.endpoint, null);
  assert.equal(line?.event, null, 'WebSub sends a feed, not an event');
  assert.equal(line?.attempt, 1);
  assert.equal(line?.status, 202);
  assert.equal(typeof line?.latencyMs, 'number');
});
