/**
 * Finished deliveries and their attempts are kept for QUIRE_DELIVERY_RETENTION (30 days by
 * default), then deleted by a dispatcher job; pending ones are never touched.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  attemptsOf,
  createHook,
  DAY,
  deliveriesOf,
  drainAll,
  SECOND,
  startFakeClockServer,
  step,
} from './support.ts';

let server: TestServer;
let receiver: Receiver;
let admin: Author;

before(async () => {
  server = await startFakeClockServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_DELIVERY_RETRY_SCHEDULE: '0,86400' },
  });
  receiver = await startReceiver();
  admin = await makeAuthor(server, 'retention_admin', { admin: true });
  server.clock.advance(SECOND);
});
after(async () => {
  await server.close();
  await receiver.close();
});

test('finished deliveries go after 30 days; pending ones stay', async () => {
  const ok = await createHook(server, admin, receiver.url('/ok'), ['article.published']);
  const failing = await createHook(server, admin, receiver.url('/failing'), ['article.published']);
  receiver.answerWith((r) => ({ status: r.path === '/failing' ? 500 : 200 }));
  await postArticle(server, admin, { title: 'Kept a while', published: true });
  await drainAll(server);
  const [done] = await deliveriesOf(server, ok.id);
  const [waiting] = await deliveriesOf(server, failing.id);
  assert.ok(done);
  assert.equal(done.status, 'succeeded');
  assert.equal(waiting?.status, 'pending', 'its second attempt is a day away');
  assert.equal((await attemptsOf(server, done.id)).length, 1);

  // One jump of the clock: the failing one's retry, due after a day, is sent now and fails.
  await step(server, 29 * DAY);
  assert.equal((await deliveriesOf(server, ok.id)).length, 1, 'kept for 29 days');
  assert.equal((await deliveriesOf(server, failing.id))[0]?.status, 'dead');

  await step(server, 1 * DAY + SECOND);
  assert.equal((await deliveriesOf(server, ok.id)).length, 0, 'gone after 30 days');
  assert.equal((await attemptsOf(server, done.id)).length, 0, 'with its attempts');
  assert.equal((await deliveriesOf(server, failing.id)).length, 1, 'the dead one died later');

  await step(server, 29 * DAY);
  assert.equal((await deliveriesOf(server, failing.id)).length, 0);
});
