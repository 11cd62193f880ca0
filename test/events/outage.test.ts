/**
 * A receiver that is down for six hours of fake time (its port closed for three, then answering
 * 503 for three) while articles are published, then comes back: every event from the outage
 * arrives, none is missing, none is dead.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { messageId } from '../../src/modules/webhooks/webhook-dispatch.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/net.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  attemptsOf,
  createHook,
  deliveriesOf,
  eventsOfType,
  type Hook,
  MINUTE,
  SECOND,
  startFakeClockServer,
  step,
  verified,
} from './support.ts';

const STEP = 5 * MINUTE;
/** When, in minutes from the start of the outage, each article is published. */
const PUBLISH_AT = [0, 1, 47, 150, 181, 262, 359];

let server: TestServer;
let receiver: Receiver | undefined;
let admin: Author;
let hook: Hook;
let port: number;

before(async () => {
  server = await startFakeClockServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  admin = await makeAuthor(server, 'outage_admin', { admin: true });
  server.clock.advance(SECOND);
  port = await freePort();
  hook = await createHook(server, admin, `http://127.0.0.1:${port}/hook`, ['article.published']);
});
after(async () => {
  await server.close();
  await receiver?.close();
});

test('six hours down, then up: every event of the outage arrives and none is dead', async () => {
  for (let minute = 0; minute < 6 * 60; minute += STEP / MINUTE) {
    if (minute === 3 * 60) {
      receiver = await startReceiver({ port });
      receiver.answerWith({ status: 503 });
    }
    for (const at of PUBLISH_AT) {
      if (at >= minute && at < minute + STEP / MINUTE) {
        await postArticle(server, admin, { title: `Published at minute ${at}`, published: true });
      }
    }
    await step(server, STEP);
  }
  assert.ok(receiver, 'the receiver came up halfway');
  const duringOutage = receiver.requests.length;
  assert.ok(duringOutage > 0, 'the 503 half of the outage was tried');
  assert.ok(
    receiver.requests.every((r) => r.answeredStatus === 503),
    'everything so far was refused',
  );

  const pending = await deliveriesOf(server, hook.id);
  assert.equal(pending.length, PUBLISH_AT.length);
  assert.deepEqual(
    pending.map((d) => d.status),
    PUBLISH_AT.map(() => 'pending'),
    'six hours of failure kill nothing',
  );
  const outcomes = new Set<string>();
  for (const d of pending) for (const a of await attemptsOf(server, d.id)) outcomes.add(a.outcome);
  assert.deepEqual([...outcomes].sort(), ['error', 'throttled'], 'refused connections, then 503s');

  receiver.answerWith({ status: 200 });
  for (let i = 0; i < 12 * 6; i++) {
    const open = (await deliveriesOf(server, hook.id)).filter((d) => d.status === 'pending');
    if (open.length === 0) break;
    await step(server, 10 * MINUTE);
  }
  const settled = await deliveriesOf(server, hook.id);
  assert.deepEqual(
    settled.map((d) => d.status),
    PUBLISH_AT.map(() => 'succeeded'),
    'all delivered within twelve hours of coming back',
  );

  const published = await eventsOfType(server, ['article.published']);
  const expected = published.map((e) => messageId(Number(e.id))).sort();
  assert.equal(expected.length, PUBLISH_AT.length);
  const succeeded = receiver.requests.filter((r) => r.answeredStatus === 200);
  assert.deepEqual(
    [...new Set(succeeded.map((r) => r.headers['webhook-id']))].sort(),
    expected,
    'each event of the outage was accepted at least once',
  );
  verified(receiver.requests, hook.secret);
  const endpoint = await server.ctx.database.db
    .selectFrom('webhook_endpoints')
    .select(['disabled_at', 'failing_since'])
    .where('id', '=', hook.id)
    .executeTakeFirstOrThrow();
  assert.equal(endpoint.disabled_at, null);
  assert.equal(endpoint.failing_since, null, 'a success clears the failing mark');
});
