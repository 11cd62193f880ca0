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
import { serve } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { addWebhook, processSetup, publish } from '../helpers/quire-process.ts';

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
  const setup = await processSetup(db.url, 'busy', {
    QUIRE_SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT),
  });
  const server = await serve(setup.env);
  await addWebhook(setup, receiver.url('/hook'));
  // A slow receiver keeps deliveries in flight when the signal comes.
  receiver.answerWith({ status: 200, delayMs: 200 });

  let signalled = false;
  const answers: Answer[] = [];
  const failures: string[] = [];
  const writer = async (w: number) => {
    for (let i = 0; ; i++) {
      try {
        const res = await publish(setup, `Writer ${w} article ${i}`);
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
  // Webhooks go out while the writers write (they must not wait for a lull), and some are in
  // flight, held by the slow receiver, when the signal comes.
  await receiver.until((r) => r.length > 0, 'a delivery while sixteen writers write', 30_000);
  await sleep(500);
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
