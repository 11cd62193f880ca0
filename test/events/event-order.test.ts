/**
 * Reading the outbox in order. Event ids must commit in increasing order, or a reader that has
 * passed id N would for ever miss a smaller id committed later. On PostgreSQL a transaction that
 * appends events holds the outbox lock until it commits, so a second one waits for it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { advance, registerConsumer } from '../../src/events/consumers.ts';
import { eventsAfter } from '../../src/events/events.repository.ts';
import { appendEvent } from '../../src/events/outbox.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const subjects = (rows: Array<{ subject: string }>) => rows.map((r) => r.subject);

async function append(subject: string) {
  await server.ctx.database.transaction((tx) =>
    appendEvent(
      tx,
      { type: 'site.updated', subject: subject, data: {}, ownerId: null, keys: [] },
      server.clock.now(),
    ),
  );
}

test('events after an id come oldest first, each once', async () => {
  await append('order:a');
  await append('order:b');
  const all = await eventsAfter(server.ctx.database.db, 0, 100);
  const mine = all.filter((e) => e.subject.startsWith('order:'));
  assert.deepEqual(subjects(mine), ['order:a', 'order:b']);
  const rest = await eventsAfter(server.ctx.database.db, Number(mine[0]?.id), 100);
  assert.deepEqual(subjects(rest.filter((e) => e.subject.startsWith('order:'))), ['order:b']);
});

test('a transaction that appended events holds back the next until it commits', async () => {
  let releaseSlow = () => {};
  const slowMayCommit = new Promise<void>((resolve) => (releaseSlow = resolve));
  let slowAppended = () => {};
  const slowHasAppended = new Promise<void>((resolve) => (slowAppended = resolve));
  const order: string[] = [];

  const slow = server.ctx.database.transaction(async (tx) => {
    await appendEvent(
      tx,
      { type: 'site.updated', subject: 'late:slow', data: {}, ownerId: null, keys: [] },
      server.clock.now(),
    );
    slowAppended();
    await slowMayCommit;
    order.push('slow commits');
  });
  await slowHasAppended;
  const fast = append('late:fast').then(() => order.push('fast committed'));
  // Give the second writer every chance to overtake; it must not.
  await new Promise((resolve) => setTimeout(resolve, 100));
  order.push('slow released');
  releaseSlow();
  await Promise.all([slow, fast]);

  assert.deepEqual(order, ['slow released', 'slow commits', 'fast committed']);
  const rows = await server.ctx.database.db
    .selectFrom('events')
    .select(['id', 'subject'])
    .where('subject', 'in', ['late:slow', 'late:fast'])
    .orderBy('id')
    .execute();
  assert.deepEqual(subjects(rows), ['late:slow', 'late:fast'], 'ids follow commit order');
});

test('the content version moves with every commit', async () => {
  const before = await server.ctx.eventHead.current();
  await append('version:1');
  const after = await server.ctx.eventHead.current();
  assert.ok(after > before, `${after} > ${before}`);
});

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
