/**
 * A commit on one node wakes the dispatcher of another at once, through PostgreSQL's NOTIFY:
 * the other node polls only once an hour here, so a delivery within a second can only come
 * from the wake-up.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { type AppContext, openContext } from '../../src/context.ts';
import type { Dispatcher } from '../../src/events/dispatcher.ts';
import { createDispatcher } from '../../src/background.ts';
import { dialect } from '../helpers/database.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { TEST_SECRET, type TestServer } from '../helpers/server.ts';
import { createHook, type Hook, SECOND, startFakeClockServer, verified } from './support.ts';

const PROMISED_MS = 1000;
const skip = dialect !== 'postgres' && 'NOTIFY is PostgreSQL’s; SQLite runs one node per file';

let server: TestServer;
let receiver: Receiver;
let author: Author;
let hook: Hook;
let other: AppContext;
let otherDispatcher: Dispatcher;

before(async () => {
  if (skip) return;
  // This node writes; its own dispatcher never runs.
  server = await startFakeClockServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  receiver = await startReceiver();
  author = await makeAuthor(server, 'wake_admin', { admin: true });
  server.clock.advance(SECOND);
  hook = await createHook(server, author, receiver.url('/other'), ['article.published']);
  other = await openContext(
    loadConfig({
      DATABASE_URL: server.db.url,
      QUIRE_SECRET: TEST_SECRET,
      QUIRE_ALLOW_PRIVATE_URLS: '1',
      QUIRE_DISPATCH_POLL: '3600',
      LOG_LEVEL: 'silent',
    }),
    { clock: server.clock, logger: pino({ level: 'silent' }) },
  );
  otherDispatcher = createDispatcher(other);
  await otherDispatcher.start();
});

after(async () => {
  if (skip) return;
  await otherDispatcher.stop();
  other.eventHead.stop();
  await other.database.close();
  await server.close();
  await receiver.close();
});

test('a publish on one node is delivered by another within a second', { skip }, async () => {
  // Let the other node's first cycle finish and go to sleep on its hour-long poll.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await postArticle(server, author, { title: 'Heard elsewhere', published: true });
  const written = performance.now();
  const [request] = await receiver.waitFor(1, { path: '/other', timeoutMs: 5 * PROMISED_MS });
  assert.ok(request);
  const latency = request.arrivedAt - written;
  assert.ok(latency < PROMISED_MS, `arrived ${Math.round(latency)} ms after the write`);
  const [payload] = verified([request], hook.secret);
  assert.equal(payload?.data.title, 'Heard elsewhere');
});
