/**
 * Retries on a short schedule (QUIRE_DELIVERY_RETRY_SCHEDULE=0,10,20) and the fake clock: a failing
 * receiver gets the same message again, freshly signed, until it answers 2xx or the schedule is
 * spent; a dead delivery can be replayed, alone or with every dead one since a moment.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { replayDeliveries } from '../../src/modules/webhooks/webhooks.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  attemptsOf,
  createHook,
  DAY,
  deliveriesOf,
  drainAll,
  ids,
  MINUTE,
  nextWallSecond,
  onlyDelivery,
  removeHook,
  SECOND,
  settle,
  startFakeClockServer,
  step,
  stepTo,
  verified,
} from './support.ts';

const SCHEDULE = [0, 10, 20];

let server: TestServer;
let receiver: Receiver;
let admin: Author;

before(async () => {
  server = await startFakeClockServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_DELIVERY_RETRY_SCHEDULE: SCHEDULE.join(',') },
  });
  receiver = await startReceiver();
  admin = await makeAuthor(server, 'retry_admin', { admin: true });
  server.clock.advance(SECOND);
});
after(async () => {
  await server.close();
  await receiver.close();
});

test('500, 500, then 200: three attempts of one message, one success, each freshly signed', async (t) => {
  const hook = await createHook(server, admin, receiver.url('/flaky'), ['article.published']);
  t.after(() => removeHook(server, hook));
  receiver.enqueue({ status: 500 }, { status: 500 });
  await postArticle(server, admin, { title: 'Third time lucky', published: true });

  const attemptTimes: string[] = [];
  await drainAll(server);
  attemptTimes.push(server.clock.now().toISOString());
  assert.equal(receiver.hits('/flaky').length, 1, 'the first attempt goes out at once');

  let delivery = await onlyDelivery(server, hook.id);
  const gap = Date.parse(delivery.next_attempt_at) - Date.parse(attemptTimes[0] as string);
  assert.ok(gap >= 10 * SECOND && gap <= 11 * SECOND, `second attempt planned ${gap} ms later`);
  await step(server, 5 * SECOND);
  assert.equal(receiver.hits('/flaky').length, 1, 'nothing is retried before it is due');

  for (const expected of [2, 3]) {
    // Signatures carry wall-clock seconds: wait for a new one so "fresh" can be told apart.
    await nextWallSecond(receiver.hits('/flaky').at(-1)?.arrivedAtWall ?? Date.now());
    delivery = await onlyDelivery(server, hook.id);
    await stepTo(server, delivery.next_attempt_at);
    attemptTimes.push(server.clock.now().toISOString());
    assert.equal(receiver.hits('/flaky').length, expected);
  }

  const requests = receiver.hits('/flaky');
  verified(requests, hook.secret);
  delivery = await onlyDelivery(server, hook.id);
  assert.deepEqual(ids(requests), [delivery.message_id, delivery.message_id, delivery.message_id]);
  assert.deepEqual(
    requests.map((r) => r.answeredStatus),
    [500, 500, 200],
  );
  const stamps = requests.map((r) => Number(r.headers['webhook-timestamp']));
  for (const [i, r] of requests.entries()) {
    const sentSecond = Math.floor(r.arrivedAtWall / 1000);
    const stamp = stamps[i] as number;
    assert.ok(
      stamp === sentSecond || stamp === sentSecond - 1,
      `attempt ${i + 1} is signed when sent (${stamp} vs arrival ${sentSecond})`,
    );
    if (i > 0) assert.ok(stamp > (stamps[i - 1] as number), `attempt ${i + 1} is signed anew`);
  }

  const attempts = await attemptsOf(server, delivery.id);
  assert.deepEqual(
    attempts.map((a) => [a.status_code, a.outcome, a.attempted_at]),
    [
      [500, 'failed', attemptTimes[0]],
      [500, 'failed', attemptTimes[1]],
      [200, 'succeeded', attemptTimes[2]],
    ],
  );
  assert.equal(delivery.status, 'succeeded');
  assert.equal(delivery.attempts, 3);
  assert.equal(delivery.completed_at, attemptTimes[2]);

  await step(server, DAY);
  assert.equal(receiver.hits('/flaky').length, 3, 'a success is never sent again');
});

test('a receiver that always fails gets exactly as many attempts as the schedule has entries', async (t) => {
  const hook = await createHook(server, admin, receiver.url('/down'), ['article.published']);
  t.after(() => removeHook(server, hook));
  receiver.answerWith((r) => ({ status: r.path === '/down' ? 500 : 200 }));
  t.after(() => receiver.answerWith({ status: 200 }));
  await postArticle(server, admin, { title: 'Never heard', published: true });

  await drainAll(server);
  for (let made = 1; made < SCHEDULE.length; made++) {
    const delivery = await onlyDelivery(server, hook.id);
    assert.equal(delivery.status, 'pending', `still pending after ${made} attempts`);
    await stepTo(server, delivery.next_attempt_at);
  }
  const delivery = await onlyDelivery(server, hook.id);
  assert.equal(delivery.status, 'dead');
  assert.equal(delivery.attempts, SCHEDULE.length);
  assert.equal(delivery.completed_at, server.clock.now().toISOString());
  assert.equal((await attemptsOf(server, delivery.id)).length, SCHEDULE.length);
  const requests = receiver.hits('/down');
  assert.equal(requests.length, SCHEDULE.length);
  verified(requests, hook.secret);
  assert.deepEqual(new Set(ids(requests)), new Set([delivery.message_id]));

  await step(server, 7 * DAY);
  assert.equal(receiver.hits('/down').length, SCHEDULE.length, 'a dead delivery stays dead');
});

test('replaying the dead deliveries since T sends each once more with its id, and none from before T', async (t) => {
  const path = '/window';
  const hook = await createHook(server, admin, receiver.url(path), ['article.published']);
  t.after(() => removeHook(server, hook));
  // Everything fails but the article titled "Fine", which succeeds and must stay untouched.
  receiver.answerWith((r) => ({
    status: r.path !== path || JSON.parse(r.body).data.title === 'Fine' ? 200 : 500,
  }));
  t.after(() => receiver.answerWith({ status: 200 }));

  await postArticle(server, admin, { title: 'Before the window', published: true });
  await settle(server, hook.id);
  await step(server, MINUTE);
  const since = server.clock.now().toISOString();
  await postArticle(server, admin, { title: 'Inside one', published: true });
  await postArticle(server, admin, { title: 'Inside two', published: true });
  await postArticle(server, admin, { title: 'Fine', published: true });
  await settle(server, hook.id);

  const settled = await deliveriesOf(server, hook.id);
  const byTitle = new Map(settled.map((d) => [JSON.parse(d.body).data.title as string, d]));
  const early = byTitle.get('Before the window');
  const inside = ['Inside one', 'Inside two'].map((title) => byTitle.get(title));
  const fine = byTitle.get('Fine');
  assert.ok(early && fine && inside[0] && inside[1]);
  assert.deepEqual(
    settled.map((d) => d.status),
    ['dead', 'dead', 'dead', 'succeeded'],
  );
  assert.ok(early.created_at < since && inside.every((d) => d && d.created_at >= since));

  const sentBefore = receiver.hits(path).length;
  receiver.answerWith({ status: 200 });
  const replayed = await replayDeliveries(server.ctx, hook.user, hook.id, {
    status: 'dead',
    since,
  });
  assert.equal(replayed, 2, 'the two dead deliveries since T');
  await drainAll(server);

  const again = receiver.hits(path).slice(sentBefore);
  verified(again, hook.secret);
  assert.deepEqual(
    ids(again).sort(),
    inside.map((d) => d?.message_id).sort(),
    'each dead one since T once more, under its original webhook-id',
  );
  const after = new Map((await deliveriesOf(server, hook.id)).map((d) => [d.id, d]));
  assert.equal(after.get(early.id)?.status, 'dead', 'the one before T is not replayed');
  assert.equal(after.get(early.id)?.attempts, SCHEDULE.length);
  assert.equal(after.get(fine.id)?.status, 'succeeded');
  for (const d of inside) {
    assert.equal(after.get(d?.id ?? 0)?.status, 'succeeded');
    assert.equal((await attemptsOf(server, d?.id ?? 0)).length, SCHEDULE.length + 1);
  }

  await step(server, DAY);
  assert.equal(receiver.hits(path).length, sentBefore + 2, 'and nothing more');
});
