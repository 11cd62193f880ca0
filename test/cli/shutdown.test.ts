/**
 * SIGTERM to `quire serve` while sixteen writers publish and webhooks are being delivered: it
 * stops within QUIRE_SHUTDOWN_TIMEOUT with exit 0, every request that reached it gets a whole
 * answer (those on kept-alive connections after the signal a 503 with Connection: close), and
 * every write it acknowledged is in the database.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDatabaseUrl } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import { quire, serve } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/net.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { TEST_SECRET } from '../helpers/server.ts';

const WRITERS = 16;
const SHUTDOWN_TIMEOUT = 10;

let db: TestDatabase;
let receiver: Receiver;

before(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await db.drop();
});

interface Answer {
  status: number;
  id?: number;
  connection?: string | null;
  retryAfter?: string | null;
}

test('SIGTERM under sixteen writers: exit 0 in time, an answer to every request, no 2xx lost', async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: db.url,
    QUIRE_SECRET: TEST_SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    QUIRE_ALLOW_PRIVATE_URLS: '1',
    QUIRE_API_RATE_LIMIT: '1000000',
    QUIRE_WRITE_RATE_LIMIT: '1000000',
    QUIRE_SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT),
  };
  await quire(
    [
      'user',
      'create',
      '--username',
      'busy',
      '--email',
      'b@example.test',
      '--password',
      'long enough',
    ],
    env,
  );
  const key = (await quire(['apikey', 'create', '--username', 'busy'], env)).stdout
    .trimEnd()
    .split('\n')
    .at(-1);
  assert.ok(key);
  const server = await serve(env);
  const hook = await fetch(`${base}/api/webhooks`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({
      webhook_endpoint: { target_url: receiver.url('/hook'), events: ['article.published'] },
    }),
  });
  assert.equal(hook.status, 201, await hook.text());
  // A slow receiver keeps deliveries in flight when the signal comes.
  receiver.answerWith({ status: 200, delayMs: 200 });

  let signalled = false;
  const answers: Answer[] = [];
  const failures: string[] = [];
  const writer = async (w: number) => {
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(`${base}/api/articles`, {
          method: 'POST',
          headers: { 'api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify({
            article: { title: `Writer ${w} article ${i}`, body_markdown: 'Text.', published: true },
          }),
        });
        const body = await res.text();
        answers.push({
          status: res.status,
          id: res.status === 201 ? (JSON.parse(body) as { id: number }).id : undefined,
          connection: res.headers.get('connection'),
          retryAfter: res.headers.get('retry-after'),
        });
        if (res.status === 503) return;
      } catch (error) {
        // Refused at connect: the request was never sent, and the node is gone or going.
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (signalled && code === 'ECONNREFUSED') return;
        failures.push(`writer ${w}: ${(error as Error).message} (${code})`);
        return;
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await sleep(2000);
  const signalledAt = performance.now();
  signalled = true;
  server.child.kill('SIGTERM');
  const code = await server.exited;
  const tookMs = performance.now() - signalledAt;
  await Promise.all(writers);

  assert.equal(code, 0, 'a clean stop');
  assert.ok(
    tookMs < SHUTDOWN_TIMEOUT * 1000,
    `stopped within the timeout (${Math.round(tookMs)} ms)`,
  );
  assert.deepEqual(failures, [], 'every request sent got a complete answer');
  const odd = answers.filter((a) => a.status !== 201 && a.status !== 503);
  assert.deepEqual(odd, [], 'a write is either done or refused with 503');
  const refused = answers.filter((a) => a.status === 503);
  for (const a of refused) {
    assert.equal(a.connection, 'close', 'a refusal closes its connection');
    assert.ok(Number(a.retryAfter) > 0, 'a refusal says when to retry');
  }

  const acknowledged = answers.flatMap((a) => (a.id === undefined ? [] : [a.id]));
  assert.ok(acknowledged.length > 20, `writes went through (${acknowledged.length})`);
  const database = await connect(parseDatabaseUrl(db.url));
  try {
    const stored = await database.db
      .selectFrom('articles')
      .select('id')
      .where('id', 'in', acknowledged)
      .execute();
    assert.equal(stored.length, acknowledged.length, 'every acknowledged write is stored');
    const held = await database.db
      .selectFrom('deliveries')
      .select('id')
      .where('lease_owner', 'is not', null)
      .execute();
    assert.deepEqual(
      held,
      [],
      'the deliveries in flight were finished and recorded, none left leased',
    );
    const attempts = await database.db
      .selectFrom('delivery_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.ok(Number(attempts.n) > 0, 'deliveries were going on while it stopped');
  } finally {
    await database.close();
  }

  const logs = server.logs().map((l) => JSON.parse(l) as { msg: string; level: number });
  assert.ok(logs.some((l) => l.msg === 'stopped; database closed'));
  assert.deepEqual(
    logs.filter((l) => l.level >= 50).map((l) => l.msg),
    [],
    'nothing logged as an error on the way out',
  );
});
