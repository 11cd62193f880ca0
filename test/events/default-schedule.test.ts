/**
 * The default retry schedule on the fake clock: a delivery that always fails is tried exactly ten
 * times over about three days, never before each planned wait (plus at most 10% jitter) has
 * passed, then dies; a replay sends it once more under its original webhook-id.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_RETRY_SCHEDULE } from '../../src/config.ts';
import { replayDelivery } from '../../src/modules/webhooks/webhooks.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  attemptsOf,
  createHook,
  DAY,
  drainAll,
  type Hook,
  ids,
  onlyDelivery,
  SECOND,
  startFakeClockServer,
  step,
  stepTo,
  verified,
} from './support.ts';

let server: TestServer;
let receiver: Receiver;
let admin: Author;
let hook: Hook;

before(async () => {
  server = await startFakeClockServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  receiver = await startReceiver();
  admin = await makeAuthor(server, 'schedule_admin', { admin: true });
  server.clock.advance(SECOND);
  hook = await createHook(server, admin, receiver.url('/hook'), ['article.published']);
});
after(async () => {
  await server.close();
  await receiver.close();
});

test('an always-failing delivery is tried exactly 10 times on the default schedule, then dies', async () => {
  assert.equal(DEFAULT_RETRY_SCHEDULE.length, 10);
  receiver.answerWith({ status: 500 });
  const start = server.clock.now().getTime();
  await postArticle(server, admin, { title: 'Shouting into the void', published: true });
  await drainAll(server);
  assert.equal(receiver.requests.length, 1);

  for (let made = 1; made < DEFAULT_RETRY_SCHEDULE.length; made++) {
    const delivery = await onlyDelivery(server, hook.id);
    assert.equal(delivery.status, 'pending');
    assert.equal(delivery.attempts, made);
    const last = (await attemptsOf(server, delivery.id)).at(-1);
    const planned = (DEFAULT_RETRY_SCHEDULE[made] as number) * SECOND;
    const wait = Date.parse(delivery.next_attempt_at) - Date.parse(last?.attempted_at ?? '');
    assert.ok(
      wait >= planned && wait <= planned * 1.1 + 1,
      `retry ${made} waits ${wait} ms; planned ${planned} ms plus at most 10%`,
    );
    if (wait > SECOND) {
      await stepTo(server, new Date(Date.parse(delivery.next_attempt_at) - SECOND));
      assert.equal(receiver.requests.length, made, `attempt ${made + 1} is not sent early`);
    }
    await stepTo(server, delivery.next_attempt_at);
    assert.equal(receiver.requests.length, made + 1, `attempt ${made + 1} is sent when due`);
  }

  const dead = await onlyDelivery(server, hook.id);
  assert.equal(dead.status, 'dead');
  assert.equal(dead.attempts, 10);
  const elapsed = server.clock.now().getTime() - start;
  const total = DEFAULT_RETRY_SCHEDULE.reduce((a, b) => a + b, 0) * SECOND;
  assert.ok(elapsed >= total && elapsed <= total * 1.1 + 10 * SECOND, `died after ${elapsed} ms`);
  verified(receiver.requests, hook.secret);
  assert.deepEqual(new Set(ids(receiver.requests)), new Set([dead.message_id]));

  await step(server, DAY + SECOND);
  await step(server, DAY + SECOND);
  assert.equal(receiver.requests.length, 10, 'no eleventh attempt');
  const endpoint = await server.ctx.database.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', hook.id)
    .executeTakeFirstOrThrow();
  assert.equal(endpoint.disabled_at, null, 'three and a half days of failure do not disable it');
});

test('replaying that dead delivery sends it once more under its original webhook-id', async () => {
  const dead = await onlyDelivery(server, hook.id);
  assert.equal(dead.status, 'dead');
  receiver.answerWith({ status: 200 });
  await replayDelivery(server.ctx, hook.user, hook.id, dead.id);
  const replayed = await onlyDelivery(server, hook.id);
  assert.equal(replayed.status, 'pending');
  assert.equal(replayed.attempts, 0, 'under a fresh schedule');
  await drainAll(server);

  assert.equal(receiver.requests.length, 11);
  const last = receiver.requests.at(-1);
  assert.ok(last);
  const [payload] = verified([last], hook.secret);
  assert.equal(last.headers['webhook-id'], dead.message_id);
  assert.equal(payload?.type, 'article.published');
  assert.equal(last.body, dead.body);
  const delivery = await onlyDelivery(server, hook.id);
  assert.equal(delivery.status, 'succeeded');
  const attempts = await attemptsOf(server, delivery.id);
  assert.deepEqual(
    attempts.map((a) => a.status_code),
    [...Array<number>(10).fill(500), 200],
    'the log keeps the ten failures and adds the success',
  );

  await step(server, 2 * DAY);
  assert.equal(receiver.requests.length, 11, 'sent once');
});
