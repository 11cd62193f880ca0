/**
 * How the dispatcher reads a receiver's answer, on the default schedule and the fake clock: a
 * redirect is a failure and never followed; 410 disables the endpoint at once; 429 and 503 are
 * retried no sooner than their Retry-After; five days of failures disable the endpoint. Each
 * disabling appends a `webhook_endpoint.disabled` event.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WebhookEndpointRow } from '../../src/db/schema.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Answer, type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  attemptsOf,
  createHook,
  DAY,
  deliveriesOf,
  drainAll,
  eventsOfType,
  type Hook,
  HOUR,
  ids,
  onlyDelivery,
  removeHook,
  SECOND,
  startFakeClockServer,
  step,
  stepTo,
  verified,
} from './support.ts';

let server: TestServer;
let receiver: Receiver;
let admin: Author;
/** What each path answers when nothing is queued. */
const scripts = new Map<string, () => Answer>();

before(async () => {
  server = await startFakeClockServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  receiver = await startReceiver();
  receiver.answerWith((r) => scripts.get(r.path)?.() ?? { status: 200 });
  admin = await makeAuthor(server, 'answers_admin', { admin: true });
  server.clock.advance(SECOND);
});
after(async () => {
  await server.close();
  await receiver.close();
});

async function hookAt(path: string, t: { after(fn: () => Promise<void>): void }): Promise<Hook> {
  const hook = await createHook(server, admin, receiver.url(path), ['article.published']);
  t.after(() => removeHook(server, hook));
  return hook;
}

function endpointRow(id: number): Promise<WebhookEndpointRow> {
  return server.ctx.database.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

const publish = (title: string) => postArticle(server, admin, { title, published: true });

test('a 301 is a failure: its Location is never requested, and the delivery is retried on schedule', async (t) => {
  const hook = await hookAt('/moved', t);
  scripts.set('/moved', () => ({ status: 301, headers: { location: receiver.url('/new-home') } }));
  await publish('Moved permanently');
  await drainAll(server);

  for (const [made, planned] of [
    [1, 5],
    [2, 300],
    [3, 1800],
  ] as const) {
    const delivery = await onlyDelivery(server, hook.id);
    assert.equal(delivery.status, 'pending', `still pending after ${made} redirects`);
    assert.equal(delivery.attempts, made);
    assert.equal(delivery.last_status_code, 301);
    const last = (await attemptsOf(server, delivery.id)).at(-1);
    assert.equal(last?.outcome, 'redirect');
    assert.equal(last?.status_code, 301);
    const wait = Date.parse(delivery.next_attempt_at) - Date.parse(last?.attempted_at ?? '');
    assert.ok(
      wait >= planned * SECOND && wait <= planned * SECOND * 1.1 + 1,
      `retry ${made} after ${wait} ms`,
    );
    await stepTo(server, delivery.next_attempt_at);
  }
  assert.equal(receiver.hits('/moved').length, 4);
  assert.equal(receiver.hits('/new-home').length, 0, 'the Location is never requested');
  verified(receiver.hits('/moved'), hook.secret);
});

test('410 disables the endpoint, kills the delivery, stops further deliveries and says so in the outbox', async (t) => {
  const hook = await hookAt('/gone', t);
  scripts.set('/gone', () => ({ status: 410 }));
  await publish('Nobody home');
  await drainAll(server);
  const at = server.clock.now().toISOString();

  const delivery = await onlyDelivery(server, hook.id);
  assert.equal(delivery.status, 'dead');
  assert.equal(delivery.attempts, 1);
  assert.equal((await attemptsOf(server, delivery.id))[0]?.outcome, 'gone');
  const endpoint = await endpointRow(hook.id);
  assert.equal(endpoint.disabled_at, at);
  assert.match(endpoint.disabled_reason ?? '', /410/);

  const disabled = (await eventsOfType(server, ['webhook_endpoint.disabled'])).filter(
    (e) => e.subject === `webhook_endpoint:${hook.id}`,
  );
  assert.equal(disabled.length, 1);
  assert.equal(Number(disabled[0]?.owner_id), admin.id);
  const payload = JSON.parse(disabled[0]?.payload ?? '{}');
  assert.equal(payload.type, 'webhook_endpoint.disabled');
  assert.equal(payload.data.id, hook.id);
  assert.equal(payload.data.target_url, hook.url);
  assert.equal(payload.data.reason, endpoint.disabled_reason);

  await publish('Still nobody home');
  await step(server, DAY);
  await step(server, DAY);
  assert.equal(receiver.hits('/gone').length, 1, 'nothing more is sent to it');
  assert.equal((await deliveriesOf(server, hook.id)).length, 1, 'no new delivery for it');
  verified(receiver.hits('/gone'), hook.secret);
});

const throttles: Array<{ name: string; status: number; retryAfter: () => string; wait: number }> = [
  { name: '429 with Retry-After: 120', status: 429, retryAfter: () => '120', wait: 120 },
  { name: '503 with Retry-After: 120', status: 503, retryAfter: () => '120', wait: 120 },
  {
    name: '503 with Retry-After as a date 200 s ahead',
    status: 503,
    retryAfter: () => new Date(server.clock.now().getTime() + 200 * SECOND).toUTCString(),
    wait: 200,
  },
  {
    name: '429 with a Retry-After of 30 days, honoured up to one day',
    status: 429,
    retryAfter: () => String(30 * 86_400),
    wait: 86_400,
  },
];

for (const throttle of throttles) {
  test(`${throttle.name}: not retried before then, retried after`, async (t) => {
    const path = `/throttled-${throttles.indexOf(throttle)}`;
    const hook = await hookAt(path, t);
    receiver.enqueue({
      status: throttle.status,
      headers: { 'retry-after': throttle.retryAfter() },
    });
    await publish(`Slow down (${throttle.name})`);
    await drainAll(server);
    assert.equal(receiver.hits(path).length, 1);

    const delivery = await onlyDelivery(server, hook.id);
    const [first] = await attemptsOf(server, delivery.id);
    assert.equal(first?.outcome, 'throttled');
    assert.equal(first?.status_code, throttle.status);
    const wait = Date.parse(delivery.next_attempt_at) - Date.parse(first?.attempted_at ?? '');
    assert.ok(
      Math.abs(wait - throttle.wait * SECOND) <= SECOND,
      `next attempt ${wait / 1000} s after the first; Retry-After asked for ${throttle.wait} s`,
    );

    await step(server, (throttle.wait / 2) * SECOND);
    assert.equal(receiver.hits(path).length, 1, 'nothing at half the wait');
    await step(server, (throttle.wait / 2 - 2) * SECOND);
    assert.equal(receiver.hits(path).length, 1, 'nothing just before it ends');
    await step(server, 3 * SECOND);
    assert.equal(receiver.hits(path).length, 2, 'retried once it has passed');
    assert.equal((await onlyDelivery(server, hook.id)).status, 'succeeded');
    const requests = receiver.hits(path);
    verified(requests, hook.secret);
    assert.equal(new Set(ids(requests)).size, 1);
  });
}

test('an endpoint that fails everything for 5 days is disabled, with the event', async (t) => {
  const hook = await hookAt('/failing', t);
  scripts.set('/failing', () => ({ status: 500 }));
  let endpoint = await endpointRow(hook.id);
  // A new article every day keeps deliveries failing after earlier ones have died.
  for (let hours = 0; hours <= 8 * 24 && endpoint.disabled_at === null; hours += 6) {
    if (hours % 24 === 0) await publish(`Day ${hours / 24}`);
    await step(server, hours === 0 ? 0 : 6 * HOUR);
    endpoint = await endpointRow(hook.id);
  }
  assert.ok(endpoint.disabled_at, 'disabled within eight days');
  assert.ok(endpoint.failing_since);
  const failedFor = Date.parse(endpoint.disabled_at) - Date.parse(endpoint.failing_since);
  assert.ok(
    failedFor >= 5 * DAY && failedFor <= 5 * DAY + 6 * HOUR,
    `disabled after ${failedFor / HOUR} hours of failures`,
  );
  assert.match(endpoint.disabled_reason ?? '', /5 days/);
  const disabled = (await eventsOfType(server, ['webhook_endpoint.disabled'])).filter(
    (e) => e.subject === `webhook_endpoint:${hook.id}`,
  );
  // How many when attempts end together is the next test's concern.
  assert.ok(disabled.length >= 1, 'the event is in the outbox');
  assert.match(JSON.parse(disabled[0]?.payload ?? '{}').data.reason, /5 days/);

  const sent = receiver.hits('/failing').length;
  assert.ok(sent > 10, `${sent} attempts over five days`);
  verified(receiver.hits('/failing'), hook.secret);
  await publish('After the end');
  await step(server, DAY);
  assert.equal(receiver.hits('/failing').length, sent, 'nothing is sent once disabled');
});

test('several deliveries in flight refused with 410 at once disable the endpoint once, with one event', async (t) => {
  const hook = await hookAt('/gone-together', t);
  scripts.set('/gone-together', () => ({ status: 410, delayMs: 150 }));
  for (let i = 1; i <= 4; i++) await publish(`Refused together ${i}`);
  await drainAll(server);

  const requests = receiver.hits('/gone-together');
  assert.equal(requests.length, 4, 'all four were in flight together');
  verified(requests, hook.secret);
  const endpoint = await endpointRow(hook.id);
  assert.ok(endpoint.disabled_at);
  const disabled = (await eventsOfType(server, ['webhook_endpoint.disabled'])).filter(
    (e) => e.subject === `webhook_endpoint:${hook.id}`,
  );
  assert.equal(disabled.length, 1, `${disabled.length} webhook_endpoint.disabled events`);
});
