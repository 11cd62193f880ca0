/**
 * After a long outage of several endpoints the queue holds many due deliveries: claims take the
 * oldest of each endpoint, never more than its cap in flight, across nodes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { advance } from '../../src/events/consumers.ts';
import { claimDue } from '../../src/events/deliveries.ts';
import { appendEvent } from '../../src/events/outbox.ts';
import { webhookFanOut } from '../../src/modules/webhooks/webhook-dispatch.ts';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import type { TestServer } from '../helpers/server.ts';
import { createHook, SECOND, startFakeClockServer } from './support.ts';

const ENDPOINTS = 4;
const EVENTS = 300;
/** QUIRE_DELIVERY_CONCURRENCY's default. */
const CAP = 4;

let server: TestServer;
let admin: Author;

before(async () => {
  server = await startFakeClockServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  admin = await makeAuthor(server, 'backlog_admin', { admin: true });
  server.clock.advance(SECOND);
  for (let i = 0; i < ENDPOINTS; i++) {
    await createHook(server, admin, `http://127.0.0.1:9/backlog-${i}`, ['article.published']);
  }
  server.clock.advance(SECOND);
  await server.ctx.database.transaction(async (tx) => {
    for (let i = 1; i <= EVENTS; i++) {
      const data = { id: i, title: `Backlog ${i}` };
      await appendEvent(
        tx,
        { type: 'article.published', subject: `article:${i}`, data: data, ownerId: null, keys: [] },
        server.clock.now(),
      );
    }
  });
  let fannedOut: number;
  do fannedOut = await advance(server.ctx, webhookFanOut);
  while (fannedOut > 0);
});
after(() => server.close());

test(`a backlog of ${ENDPOINTS * EVENTS} due deliveries is claimed within each endpoint's cap`, async () => {
  const due = await server.ctx.database.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  assert.equal(Number(due.n), ENDPOINTS * EVENTS);

  const first = await claimDue(server.ctx, 'backlog-a', 100);
  const perTarget = new Map<string, number>();
  for (const d of first) perTarget.set(d.target, (perTarget.get(d.target) ?? 0) + 1);
  assert.equal(first.length, ENDPOINTS * CAP, 'as many as the caps allow, no more');
  assert.deepEqual([...perTarget.values()], Array(ENDPOINTS).fill(CAP));
  for (const target of perTarget.keys()) {
    const oldest = await server.ctx.database.db
      .selectFrom('deliveries')
      .select('id')
      .where('target', '=', target)
      .orderBy('id')
      .limit(CAP)
      .execute();
    assert.deepEqual(
      first
        .filter((d) => d.target === target)
        .map((d) => d.id)
        .sort((a, b) => a - b),
      oldest.map((d) => d.id),
      'each endpoint gives its oldest deliveries first',
    );
  }

  const second = await claimDue(server.ctx, 'backlog-b', 100);
  assert.equal(second.length, 0, 'another node gets nothing while the caps are full');

  server.clock.advance(SECOND * 120);
  const afterLease = await claimDue(server.ctx, 'backlog-b', 100);
  assert.equal(afterLease.length, ENDPOINTS * CAP, 'expired leases free the caps again');
  assert.deepEqual(
    afterLease.map((d) => d.id).sort((a, b) => a - b),
    first.map((d) => d.id).sort((a, b) => a - b),
    'the same oldest deliveries, now held by the other node',
  );
});
