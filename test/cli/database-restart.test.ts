/**
 * `quire serve` on PostgreSQL while the database crashes and comes back three times under
 * concurrent writers: the process stays up, answers 503 with Retry-After while the database is
 * gone, reconnects by itself, loses no acknowledged write and delivers every acknowledged publish.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { EVENTS_CHANNEL, PgListener } from '../../src/db/pg-listener.ts';
import { serve } from '../helpers/cli.ts';
import { dialect } from '../helpers/database.ts';
import { findPgBin, type PgCluster, startPgCluster } from '../helpers/pg-cluster.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../helpers/receiver.ts';
import { addWebhook, processSetup, publish } from '../helpers/quire-process.ts';

const skip =
  dialect !== 'postgres'
    ? 'a database server that restarts exists only on PostgreSQL'
    : !findPgBin()
      ? 'PostgreSQL binaries are missing'
      : false;

const WRITERS = 8;
const RESTARTS = 3;

let cluster: PgCluster | undefined;
let receiver: Receiver | undefined;

before(async () => {
  if (skip) return;
  cluster = await startPgCluster({ durable: true });
  receiver = await startReceiver();
});
after(async () => {
  cluster?.stop();
  await receiver?.close();
});

interface Outcome {
  status: number;
  id?: number;
  retryAfter?: string | null;
  body?: string;
}

test(
  'three crashes of PostgreSQL under writers: the node survives, recovers, loses nothing',
  { skip },
  async () => {
    assert.ok(cluster && receiver);
    const setup = await processSetup(cluster.url, 'crash', {
      QUIRE_DELIVERY_TIMEOUT: '5',
      QUIRE_DELIVERY_LEASE: '6',
      QUIRE_DISPATCH_POLL: '1',
      // A receiver slowed by a busy machine is retried within seconds, not after five minutes.
      QUIRE_DELIVERY_RETRY_SCHEDULE: Array.from({ length: 30 }, (_, i) => (i === 0 ? 0 : 1)).join(
        ',',
      ),
    });
    const { base } = setup;
    const server = await serve(setup.env);
    let exitedWith: number | null | undefined;
    void server.exited.then((code) => (exitedWith = code));
    try {
      await addWebhook(setup, receiver.url('/hook'));

      const outcomes: Outcome[] = [];
      const failures: string[] = [];
      let writing = true;
      const writer = async (w: number) => {
        for (let i = 0; writing; i++) {
          try {
            const res = await publish(setup, `Writer ${w} article ${i}`, {
              signal: AbortSignal.timeout(30_000),
            });
            const body = await res.text();
            outcomes.push(
              res.status === 201
                ? { status: 201, id: (JSON.parse(body) as { id: number }).id }
                : { status: res.status, retryAfter: res.headers.get('retry-after'), body },
            );
            if (res.status !== 201) await sleep(50);
          } catch (error) {
            failures.push(`writer ${w}: ${(error as Error).message}`);
            await sleep(50);
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      const stopWriters = async () => {
        writing = false;
        await Promise.all(writers);
      };
      try {
        const outages: Array<{ healthz: number; readyz: number; write: Outcome }> = [];
        for (let round = 0; round < RESTARTS; round++) {
          await sleep(1500);
          cluster.kill();
          const healthz = await fetch(`${base}/healthz`);
          const readyz = await fetch(`${base}/readyz`);
          const res = await publish(setup, 'During the outage', { published: false });
          outages.push({
            healthz: healthz.status,
            readyz: readyz.status,
            write: {
              status: res.status,
              retryAfter: res.headers.get('retry-after'),
              body: await res.text(),
            },
          });
          await sleep(700);
          cluster.start();
        }
        await sleep(1500);
        await stopWriters();

        assert.equal(exitedWith, undefined, 'the process never exits');
        assert.deepEqual(failures, [], 'every request got an answer');
        for (const outage of outages) {
          assert.equal(outage.healthz, 200, '/healthz stays 200 while the database is gone');
          assert.equal(outage.readyz, 503, '/readyz says not ready while the database is gone');
          assert.equal(outage.write.status, 503, outage.write.body);
          assert.ok(Number(outage.write.retryAfter) > 0, 'a 503 says when to retry');
          const problem = JSON.parse(outage.write.body ?? '{}') as {
            status: number;
            error: string;
          };
          assert.equal(problem.status, 503);
          assert.match(problem.error, /database/i);
        }
        const odd = outcomes.filter((o) => o.status !== 201 && o.status !== 503);
        assert.deepEqual(odd, [], 'a write is either done or refused with 503');
        for (const o of outcomes.filter((o) => o.status === 503))
          assert.ok(Number(o.retryAfter) > 0, 'every 503 carries Retry-After');

        const acknowledged = outcomes.flatMap((o) => (o.id === undefined ? [] : [o.id]));
        assert.ok(acknowledged.length > 50, `writes went through (${acknowledged.length})`);
        assert.ok(
          outcomes.some((o) => o.status === 201 && o.id === acknowledged.at(-1)),
          'writes succeed again after the last restart',
        );

        const ready = await fetch(`${base}/readyz`);
        assert.equal(ready.status, 200, 'ready again');

        const client = new pg.Client({ connectionString: cluster.url });
        await client.connect();
        try {
          const stored = await client.query<{ id: number }>(
            'select id from articles where id = any($1::bigint[])',
            [acknowledged],
          );
          assert.equal(stored.rowCount, acknowledged.length, 'every acknowledged write is stored');
        } finally {
          await client.end();
        }

        // Read each request once, as it comes, however many arrive.
        const delivered = new Set<number>();
        let read = 0;
        const deliveredAll = (requests: ReceivedRequest[]) => {
          for (; read < requests.length; read++) {
            const p = JSON.parse(requests[read]?.body ?? '{}') as {
              type: string;
              data: { id: number };
            };
            if (p.type === 'article.published') delivered.add(p.data.id);
          }
          return acknowledged.every((id) => delivered.has(id));
        };
        await receiver.until(
          deliveredAll,
          `article.published for all ${acknowledged.length} acknowledged articles`,
          60_000,
        );
      } finally {
        await stopWriters();
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  },
);

test(
  'the LISTEN connection comes back by itself after a crash and hears NOTIFY again',
  { skip },
  async () => {
    assert.ok(cluster);
    let heard = 0;
    const listener = new PgListener(cluster.url, () => heard++);
    try {
      // Each (re)connection wakes its listener once, for what was committed while it was away.
      await until(() => heard >= 1, 'the first connection');
      cluster.kill();
      await sleep(300);
      cluster.start();
      await until(() => heard >= 2, 'the reconnection');
      const before = heard;
      const other = new pg.Client({ connectionString: cluster.url });
      await other.connect();
      await other.query(`notify ${EVENTS_CHANNEL}`);
      await other.end();
      await until(() => heard > before, 'a notification after the reconnection');
    } finally {
      await listener.close();
    }
  },
);

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(50);
  }
}
