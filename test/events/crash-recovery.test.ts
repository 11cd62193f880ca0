/**
 * A `quire serve` process killed with SIGKILL while deliveries are in flight: started again on
 * the same database, it sends every event once the dead process's leases run out, so the
 * receiver ends up with each at least once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { type AppContext, openContext } from '../../src/context.ts';
import { messageId } from '../../src/modules/webhooks/webhook-dispatch.ts';
import { createApiKey } from '../../src/modules/apikeys/apikeys.service.ts';
import { createAccount } from '../../src/modules/users/users.service.ts';
import { createEndpoint } from '../../src/modules/webhooks/webhooks.service.ts';
import { serve } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/net.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { TEST_SECRET } from '../helpers/server.ts';
import { eventually, verified } from './support.ts';

const ARTICLES = 6;

let db: TestDatabase;
let ctx: AppContext;
let receiver: Receiver;
let env: Record<string, string>;
let key: string;
let secret: string;

before(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
  env = {
    DATABASE_URL: db.url,
    QUIRE_SECRET: TEST_SECRET,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    QUIRE_ALLOW_PRIVATE_URLS: '1',
    QUIRE_DELIVERY_TIMEOUT: '2',
    QUIRE_DELIVERY_LEASE: '3',
    QUIRE_DELIVERY_RETRY_SCHEDULE: '0,1,1,1,1,1,1,1,1,1',
  };
  ctx = await openContext(loadConfig(env), { migrate: true, logger: pino({ level: 'silent' }) });
  const admin = await createAccount(ctx, {
    username: 'crash_admin',
    email: 'crash@example.test',
    password: 'a-long-password',
    admin: true,
  });
  key = (await createApiKey(ctx, admin, 'test')).key;
  ({ secret } = await createEndpoint(ctx, admin, {
    target_url: receiver.url('/hook'),
    events: ['article.published'],
  }));
});
after(async () => {
  await ctx.database.close();
  await receiver.close();
  await db.drop();
});

async function publish(base: string, title: string): Promise<void> {
  const res = await fetch(`${base}/api/articles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'api-key': key },
    body: JSON.stringify({ article: { title, published: true } }),
  });
  assert.equal(res.status, 201, await res.text());
}

test('after kill -9 with deliveries in flight, a restarted process delivers every event', async (t) => {
  const base = `http://127.0.0.1:${env.PORT}`;
  receiver.answerWith({ hold: true });
  const started: Array<Awaited<ReturnType<typeof serve>>> = [];
  t.after(async () => {
    for (const { child, exited } of started) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
  const first = await serve(env);
  started.push(first);

  for (let i = 1; i <= ARTICLES; i++) await publish(base, `In flight ${i}`);
  // Four at once to one endpoint (QUIRE_DELIVERY_CONCURRENCY): all of them held open.
  const held = await receiver.waitFor(4, { timeoutMs: 5000 });
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(first.child.signalCode, 'SIGKILL');
  const inFlight = new Set(held.map((r) => r.headers['webhook-id']));
  const leased = await ctx.database.db
    .selectFrom('deliveries')
    .select(['message_id', 'lease_owner', 'status'])
    .where('lease_owner', 'is not', null)
    .execute();
  assert.ok(leased.length >= 1, 'the killed process left leases behind');
  assert.ok(
    leased.every((d) => d.status === 'pending'),
    'nothing in flight was recorded as sent',
  );

  receiver.answerWith({ status: 200 });
  const restarted = performance.now();
  const second = await serve(env);
  started.push(second);
  const events = await ctx.database.db
    .selectFrom('events')
    .select('id')
    .where('type', '=', 'article.published')
    .execute();
  const expected = events.map((e) => messageId(Number(e.id)));
  assert.equal(expected.length, ARTICLES);
  const accepted = () =>
    new Set(
      receiver.requests
        .filter((r) => r.answered && r.answeredStatus === 200)
        .map((r) => r.headers['webhook-id']),
    );
  await receiver.until(
    () => expected.every((id) => accepted().has(id)),
    `all ${ARTICLES} events accepted`,
    30_000,
  );
  const recoveredMs = Math.round(performance.now() - restarted);
  for (const id of inFlight) assert.ok(accepted().has(id), `${id}, in flight at the kill, arrives`);
  verified(receiver.requests, secret);

  const statuses = () =>
    ctx.database.db.selectFrom('deliveries').select(['message_id', 'status']).execute();
  await eventually(
    async () => (await statuses()).every((d) => d.status === 'succeeded'),
    'every delivery recorded as succeeded',
  );
  assert.equal((await statuses()).length, ARTICLES);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, 'the restarted process stops cleanly');
  t.diagnostic(
    `${inFlight.size} in flight at the kill; all ${ARTICLES} accepted ${recoveredMs} ms after the restart began; ${receiver.requests.length} requests in all`,
  );
});
