/**
 * Reading the outbox in commit-safe order. On PostgreSQL an event with a smaller id can commit
 * after one with a larger id; a reader must neither skip it nor see it out of order, and the
 * content version must move when it lands even though the newest id does not.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { advance, registerConsumer } from '../../src/events/consumers.ts';
import { settledEventsAfter, START } from '../../src/events/event-log.ts';
import { appendEvent } from '../../src/events/outbox.ts';
import { dialect } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const subjects = (rows: Array<{ subject: string }>) => rows.map((r) => r.subject);

async function append(subject: string) {
  await server.ctx.database.transaction((tx) =>
    appendEvent(tx, 'site.updated', subject, {}, server.clock.now()),
  );
}

test('settled events come in commit order after a position, and only once', async () => {
  await append('order:a');
  await append('order:b');
  const all = await settledEventsAfter(server.ctx.database, server.ctx.database.db, START, 100);
  const mine = all.filter((e) => e.subject.startsWith('order:'));
  assert.deepEqual(subjects(mine), ['order:a', 'order:b']);
  const [first] = mine;
  assert.ok(first);
  const rest = await settledEventsAfter(
    server.ctx.database,
    server.ctx.database.db,
    { txid: Number(first.txid), id: Number(first.id) },
    100,
  );
  assert.deepEqual(subjects(rest.filter((e) => e.subject.startsWith('order:'))), ['order:b']);
});

test(
  'a smaller id that commits later is neither skipped nor read early',
  { skip: dialect !== 'postgres' && 'SQLite commits one writer at a time, in id order' },
  async () => {
    const consumer = {
      name: 'order-test',
      seen: [] as string[],
      async handle(_ctx: unknown, _tx: unknown, events: Array<{ subject: string }>) {
        this.seen.push(...subjects(events).filter((s) => s.startsWith('late:')));
      },
    };
    await registerConsumer(server.ctx, consumer.name);
    const versionBefore = await server.ctx.eventHead.current();

    // The slow transaction takes its id first and commits last.
    const slow = new pg.Client({ connectionString: server.db.url });
    await slow.connect();
    try {
      await slow.query('begin');
      const stamp = server.clock.now().toISOString();
      const insert = `insert into events (type, subject, payload, created_at)
                      values ('site.updated', $1, '{}', $2) returning id`;
      const slowId = (await slow.query(insert, ['late:slow', stamp])).rows[0].id as number;
      await append('late:fast');

      await advance(server.ctx, consumer);
      assert.deepEqual(consumer.seen, [], 'nothing behind a running transaction is read');
      server.ctx.eventHead.invalidate();
      const versionMid = await server.ctx.eventHead.current();
      assert.notEqual(versionMid, versionBefore, 'the fast commit moves the version');

      await slow.query('commit');
      await advance(server.ctx, consumer);
      assert.deepEqual(consumer.seen, ['late:slow', 'late:fast']);
      const fast = await server.ctx.database.db
        .selectFrom('events')
        .select('id')
        .where('subject', '=', 'late:fast')
        .executeTakeFirstOrThrow();
      assert.ok(Number(fast.id) > Number(slowId), 'the late commit has the smaller id');

      server.ctx.eventHead.invalidate();
      const versionAfter = await server.ctx.eventHead.current();
      assert.notEqual(versionAfter, versionMid, 'the late commit moves the version too');
    } finally {
      await slow.end();
    }
  },
);

test('a consumer starts at the newest event and does not replay the past', async () => {
  await append('past:1');
  const consumer = {
    name: 'fresh-consumer',
    seen: [] as string[],
    async handle(_ctx: unknown, _tx: unknown, events: Array<{ subject: string }>) {
      this.seen.push(...subjects(events));
    },
  };
  await registerConsumer(server.ctx, consumer.name);
  await append('future:1');
  while ((await advance(server.ctx, consumer)) > 0);
  assert.deepEqual(consumer.seen, ['future:1']);
});
