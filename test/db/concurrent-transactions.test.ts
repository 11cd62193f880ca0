/**
 * Transactions started at the same time: on SQLite they share one COMMIT (group commit), on
 * PostgreSQL they run on their own connections. Either way each succeeds or fails whole, its
 * commit hooks run only when it committed, and a failing one undoes nothing of the others.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { QUIRE_WRITE_RATE_LIMIT: '100000' } });
});
after(() => server.close());

const tagNamed = (name: string) =>
  server.ctx.database.db
    .selectFrom('tags')
    .select('name')
    .where('name', '=', name)
    .executeTakeFirst();

test('concurrent transactions each commit or roll back alone', async () => {
  const hooked: string[] = [];
  const outcomes = await Promise.allSettled(
    Array.from({ length: 40 }, (_, i) =>
      server.ctx.database.transaction(async (tx) => {
        tx.onCommit(() => hooked.push(`group_${i}`));
        await tx.db
          .insertInto('tags')
          .values({ name: `group_${i}`, created_at: 'x' })
          .execute();
        // Every third one fails after writing: its row must go, the others' stay.
        if (i % 3 === 0) throw new Error(`failed ${i}`);
        return i;
      }),
    ),
  );
  for (const [i, outcome] of outcomes.entries()) {
    if (i % 3 === 0) {
      assert.equal(outcome.status, 'rejected', `transaction ${i}`);
      assert.equal(await tagNamed(`group_${i}`), undefined, `transaction ${i} left its row`);
    } else {
      assert.deepEqual(outcome, { status: 'fulfilled', value: i });
      assert.ok(await tagNamed(`group_${i}`), `transaction ${i} lost its row`);
    }
  }
  assert.deepEqual(
    hooked.sort(),
    outcomes
      .map((_, i) => i)
      .filter((i) => i % 3 !== 0)
      .map((i) => `group_${i}`)
      .sort(),
    'commit hooks run for the committed transactions only',
  );
});

test('a transaction that breaks a constraint fails alone among concurrent ones', async () => {
  await server.ctx.database.transaction((tx) =>
    tx.db.insertInto('tags').values({ name: 'taken', created_at: 'x' }).execute(),
  );
  const outcomes = await Promise.allSettled(
    ['free_a', 'taken', 'free_b'].map((name) =>
      server.ctx.database.transaction((tx) =>
        tx.db.insertInto('tags').values({ name, created_at: 'x' }).execute(),
      ),
    ),
  );
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.ok(server.ctx.database.isUniqueViolation((outcomes[1] as PromiseRejectedResult).reason));
  assert.ok(await tagNamed('free_a'));
  assert.ok(await tagNamed('free_b'));
});

test('a read after a transaction returns sees its write', async () => {
  const results = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      await server.ctx.database.transaction((tx) =>
        tx.db
          .insertInto('tags')
          .values({ name: `seen_${i}`, created_at: 'x' })
          .execute(),
      );
      return tagNamed(`seen_${i}`);
    }),
  );
  assert.deepEqual(
    results.map((r) => r?.name),
    Array.from({ length: 10 }, (_, i) => `seen_${i}`),
  );
});
