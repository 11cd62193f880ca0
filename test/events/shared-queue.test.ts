/**
 * Two `quire worker` processes on one PostgreSQL database share the delivery queue: every
 * delivery arrives, none twice (the receiver always answers 200, so a second copy could only
 * come from two nodes holding the same delivery), and each has exactly one attempt.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { messageId } from '../../src/modules/webhooks/webhook-dispatch.ts';
import { QUIRE_BIN } from '../helpers/cli.ts';
import { dialect } from '../helpers/database.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.ts';
import { createHook, eventually, eventsOfType, type Hook, SECOND, verified } from './support.ts';

const ENDPOINTS = 4;
const ARTICLES = 50;
/**
 * Published before the workers start. Kept small: a claim's cost grows with the square of the
 * due deliveries (see backlog.test.ts), and a long claim holds back every database's outbox.
 */
const WAITING = 10;

interface Worker {
  child: ChildProcess;
  /** Delivery ids this worker logged as attempted. */
  sent(): number[];
  exited: Promise<number | null>;
}

/** Starts `quire worker` and resolves once it logs that it has started. */
function startWorker(env: Record<string, string>): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [QUIRE_BIN, 'worker'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const lines = () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; delivery?: number });
    const worker: Worker = {
      child,
      exited,
      sent: () =>
        lines()
          .filter((l) => l.msg === 'delivery attempted')
          .map((l) => Number(l.delivery)),
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"worker started"')) resolve(worker);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then((code) => reject(new Error(`quire worker exited early (${code}): ${err}`)));
  });
}

let server: TestServer;
let receiver: Receiver;
let admin: Author;
const hooks: Hook[] = [];

before(async () => {
  if (dialect !== 'postgres') return;
  // Without its own dispatcher: the two workers do all the sending.
  server = await startTestServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  receiver = await startReceiver();
  receiver.answerWith(() => ({ status: 200, delayMs: Math.floor(Math.random() * 15) }));
  admin = await makeAuthor(server, 'queue_admin', { admin: true });
  server.clock.advance(SECOND);
  for (let i = 0; i < ENDPOINTS; i++) {
    hooks.push(await createHook(server, admin, receiver.url(`/node-${i}`), ['article.published']));
  }
});
after(async () => {
  if (dialect !== 'postgres') return;
  await server.close();
  await receiver.close();
});

test(
  'two worker processes share the deliveries of many events, each delivered exactly once',
  { skip: dialect !== 'postgres' && 'several nodes share one database only on PostgreSQL' },
  async (t) => {
    const env = {
      DATABASE_URL: server.db.url,
      QUIRE_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      QUIRE_ALLOW_PRIVATE_URLS: '1',
    };
    // Some events are waiting when both start at once; the rest come while they run.
    for (let i = 0; i < WAITING; i++) {
      await postArticle(server, admin, { title: `Queued ${i}`, published: true });
    }
    const workers = await Promise.all([startWorker(env), startWorker(env)]);
    t.after(async () => {
      for (const w of workers) {
        if (w.child.exitCode === null) w.child.kill('SIGKILL');
        await w.exited;
      }
    });
    for (let i = WAITING; i < ARTICLES; i++) {
      await postArticle(server, admin, { title: `Live ${i}`, published: true });
    }

    const total = ENDPOINTS * ARTICLES;
    await receiver.waitFor(total, { timeoutMs: 20_000 });
    const db = server.ctx.database.db;
    await eventually(async () => {
      const open = await db
        .selectFrom('deliveries')
        .select('id')
        .where('status', '!=', 'succeeded')
        .execute();
      return open.length === 0;
    }, 'every delivery recorded as succeeded');
    for (const w of workers) w.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(workers.map((w) => w.exited)), [0, 0]);

    const published = await eventsOfType(server, ['article.published']);
    assert.equal(published.length, ARTICLES);
    const expected = hooks
      .flatMap((h, i) => published.map((e) => `/node-${i} ${messageId(Number(e.id))}`))
      .sort();
    const received = receiver.requests.map((r) => `${r.path} ${r.headers['webhook-id']}`).sort();
    assert.equal(receiver.requests.length, total, 'no request beyond one per delivery');
    assert.deepEqual(received, expected, 'every delivery arrived, none twice');
    for (const [i, hook] of hooks.entries()) verified(receiver.hits(`/node-${i}`), hook.secret);

    const perDelivery = await db
      .selectFrom('deliveries')
      .leftJoin('delivery_attempts', 'delivery_attempts.delivery_id', 'deliveries.id')
      .select(['deliveries.id', 'deliveries.attempts'])
      .select((eb) => eb.fn.count<number>('delivery_attempts.id').as('rows'))
      .groupBy(['deliveries.id', 'deliveries.attempts'])
      .execute();
    assert.equal(perDelivery.length, total);
    const off = perDelivery.filter((d) => d.attempts !== 1 || Number(d.rows) !== 1);
    assert.deepEqual(off, [], 'exactly one attempt per delivery');

    const [a, b] = workers.map((w) => w.sent());
    assert.ok(a && b);
    const both = a.filter((id) => b.includes(id));
    assert.deepEqual(both, [], 'no delivery was sent by both workers');
    assert.equal(a.length + b.length, total, 'each delivery was sent by one worker or the other');
    t.diagnostic(`worker one sent ${a.length}, worker two sent ${b.length} of ${total}`);
  },
);
