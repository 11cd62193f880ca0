/**
 * A running dispatcher with nothing it may send waits (for a commit, its timer or its poll)
 * instead of cycling: neither a delivery in flight nor one held back by a disabled endpoint
 * keeps it busy. One that was never started sends only when drained.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createHook, deliveriesOf, eventually, removeHook, SECOND, verified } from './support.ts';

/** More passes than this in half a second is a busy loop; a commit or two explain a few. */
const IDLE_PASSES = 10;
const WINDOW_MS = 500;
/**
 * Arrivals these tests only set up with. Generous: on PostgreSQL a transaction open elsewhere
 * on the cluster holds new events back (see delivery-payloads.test.ts).
 */
const SETUP_MS = 15_000;

let server: TestServer;
let receiver: Receiver;
let admin: Author;
let passes = 0;

before(async () => {
  server = await startTestServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' }, dispatcher: true });
  receiver = await startReceiver();
  admin = await makeAuthor(server, 'idle_admin', { admin: true });
  server.clock.advance(SECOND);
  const dispatcher = server.dispatcher;
  const runOnce = dispatcher.runOnce.bind(dispatcher);
  dispatcher.runOnce = () => {
    passes++;
    return runOnce();
  };
});
after(async () => {
  await server.close();
  await receiver.close();
});

/** Dispatcher passes during a window of wall time. */
async function passesDuring(ms: number): Promise<number> {
  const start = passes;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return passes - start;
}

test('a delivery in flight does not keep the dispatcher cycling', async (t) => {
  const hook = await createHook(server, admin, receiver.url('/slow'), ['article.published']);
  t.after(() => removeHook(server, hook));
  receiver.answerWith({ status: 200, delayMs: WINDOW_MS + 300 });
  t.after(() => receiver.answerWith({ status: 200 }));
  await postArticle(server, admin, { title: 'Take your time', published: true });
  await receiver.waitFor(1, { path: '/slow', timeoutMs: SETUP_MS });
  const counted = await passesDuring(WINDOW_MS);
  await eventually(
    async () => (await deliveriesOf(server, hook.id))[0]?.status === 'succeeded',
    'the slow delivery to finish',
  );
  verified(receiver.hits('/slow'), hook.secret);
  t.diagnostic(`${counted} dispatcher passes in ${WINDOW_MS} ms with one delivery in flight`);
  assert.ok(counted <= IDLE_PASSES, `${counted} passes in ${WINDOW_MS} ms`);
});

test('a pending delivery to a disabled endpoint does not keep the dispatcher cycling', async (t) => {
  const hook = await createHook(server, admin, receiver.url('/closing'), ['article.published']);
  t.after(() => removeHook(server, hook));
  receiver.enqueue({ status: 500 });
  await postArticle(server, admin, { title: 'Will be retried', published: true });
  await receiver.waitFor(1, { path: '/closing', timeoutMs: SETUP_MS });
  receiver.enqueue({ status: 410 });
  await postArticle(server, admin, { title: 'Gone', published: true });
  await receiver.waitFor(2, { path: '/closing', timeoutMs: SETUP_MS });
  await eventually(async () => {
    const endpoint = await server.ctx.database.db
      .selectFrom('webhook_endpoints')
      .select('disabled_at')
      .where('id', '=', hook.id)
      .executeTakeFirstOrThrow();
    return endpoint.disabled_at !== null;
  }, 'the 410 to disable the endpoint');
  // The first delivery's retry is now due, but its endpoint is disabled: nothing to send.
  server.clock.advance(60 * SECOND);
  server.dispatcher.wake();
  const counted = await passesDuring(WINDOW_MS);
  const pending = (await deliveriesOf(server, hook.id)).filter((d) => d.status === 'pending');
  assert.equal(pending.length, 1, 'the retry stays pending while the endpoint is disabled');
  assert.equal(receiver.hits('/closing').length, 2, 'and is not sent');
  verified(receiver.hits('/closing'), hook.secret);
  t.diagnostic(`${counted} dispatcher passes in ${WINDOW_MS} ms with nothing it may send`);
  assert.ok(counted <= IDLE_PASSES, `${counted} passes in ${WINDOW_MS} ms`);
});

test('a dispatcher that was never started sends nothing between drain() calls', async (t) => {
  const idle = await startTestServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_DELIVERY_RETRY_SCHEDULE: '0,1' },
  });
  t.after(() => idle.close());
  const owner = await makeAuthor(idle, 'never_started', { admin: true });
  idle.clock.advance(SECOND);
  const hook = await createHook(idle, owner, receiver.url('/idle'), ['article.published']);
  receiver.enqueue({ status: 500 });
  await postArticle(idle, owner, { title: 'Drained by hand', published: true });
  await idle.dispatcher.drain();
  assert.equal(receiver.hits('/idle').length, 1);
  assert.equal((await deliveriesOf(idle, hook.id))[0]?.status, 'pending');

  // The retry is due on the fake clock now, but nothing drains the dispatcher.
  idle.clock.advance(5 * SECOND);
  verified(receiver.hits('/idle'), hook.secret);
  await assert.rejects(
    receiver.waitFor(2, { path: '/idle', timeoutMs: 1500 }),
    /for 2 matching requests/,
    'the retry waits for the next drain()',
  );
});
