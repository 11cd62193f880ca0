/**
 * A `quire serve` process killed with SIGKILL in the middle of spreading a publish to 10,000
 * followers: started again on the same database, it goes on from the last committed batch, and
 * every follower ends up with the article in its timeline and exactly one notification of it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { type AppContext, openContext } from '../../src/context.ts';
import { createApiKey } from '../../src/modules/apikeys/apikeys.service.ts';
import { createAccount } from '../../src/modules/users/users.service.ts';
import { type RunningQuire, serve } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/net.ts';
import { TEST_SECRET } from '../helpers/server.ts';
import { eventually } from './support.ts';

const FOLLOWERS = 10_000;
/** Small enough that the spread takes many transactions, so the kill lands between two. */
const BATCH = 20;

let db: TestDatabase;
let ctx: AppContext;
let env: Record<string, string>;
let key: string;
let authorId: number;
let followerIds: number[];

/** The followers, their follows and the author's count, written straight into the tables. */
async function seedFollowers(stamp: string): Promise<number[]> {
  const handle = ctx.database.db;
  for (let i = 0; i < FOLLOWERS; i += 500) {
    const rows = [];
    for (let n = i; n < Math.min(i + 500, FOLLOWERS); n++)
      rows.push({
        username: `fan_${n}`,
        name: `Fan ${n}`,
        email: `fan_${n}@example.test`,
        password_hash: 'x',
        role: 'user' as const,
        created_at: stamp,
        updated_at: stamp,
        following_users_count: 1,
      });
    await handle.insertInto('users').values(rows).execute();
  }
  const ids = (
    await handle
      .selectFrom('users')
      .select('id')
      .where('id', '!=', authorId)
      .orderBy('id')
      .execute()
  ).map((r) => r.id);
  for (let i = 0; i < ids.length; i += 500)
    await handle
      .insertInto('follows')
      .values(
        ids.slice(i, i + 500).map((id) => ({
          follower_id: id,
          followable_type: 'User' as const,
          followable_id: authorId,
          created_at: stamp,
        })),
      )
      .execute();
  await handle
    .updateTable('users')
    .set({ followers_count: ids.length })
    .where('id', '=', authorId)
    .execute();
  return ids;
}

before(async () => {
  db = await createTestDatabase();
  env = {
    DATABASE_URL: db.url,
    QUIRE_SECRET: TEST_SECRET,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    QUIRE_FANOUT_BATCH: String(BATCH),
  };
  ctx = await openContext(loadConfig(env), { migrate: true, logger: pino({ level: 'silent' }) });
  const author = await createAccount(ctx, {
    username: 'famous',
    email: 'famous@example.test',
    password: 'a-long-password',
  });
  authorId = author.id;
  key = (await createApiKey(ctx, author, 'test')).key;
  followerIds = await seedFollowers(new Date().toISOString());
});
after(async () => {
  await ctx.database.close();
  await db.drop();
});

const countOf = async (query: Promise<{ n: number | string | bigint }>) => Number((await query).n);

test('after kill -9 in the middle of a fan-out, a restarted process reaches every follower once', async (t) => {
  const base = `http://127.0.0.1:${env.PORT}`;
  const started: RunningQuire[] = [];
  t.after(async () => {
    for (const { child, exited } of started) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
  assert.equal(followerIds.length, FOLLOWERS);
  const first = await serve(env);
  started.push(first);

  const res = await fetch(`${base}/api/articles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'api-key': key },
    body: JSON.stringify({
      article: { title: 'To many', body_markdown: 'Hello.', published: true },
    }),
  });
  const body = await res.text();
  assert.equal(res.status, 201, body);
  const articleId = (JSON.parse(body) as { id: number }).id;

  const notified = () =>
    countOf(
      ctx.database.db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', 'article')
        .where('article_id', '=', articleId)
        .executeTakeFirstOrThrow(),
    );
  // Polled as fast as the database answers: the first committed batch is the moment to kill.
  const deadline = performance.now() + 30_000;
  let seen = 0;
  while (seen === 0) {
    if (performance.now() > deadline) throw new Error('the fan-out never began');
    seen = await notified();
  }
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(first.child.signalCode, 'SIGKILL');

  const atKill = await notified();
  const left = await ctx.database.db
    .selectFrom('fanouts')
    .selectAll()
    .where('finished_at', 'is', null)
    .execute();
  t.diagnostic(
    `${seen} notified when seen, ${atKill} after the kill; fan-outs left: ${left.length}`,
  );
  assert.ok(atKill > 0 && atKill < FOLLOWERS, `killed part-way: ${atKill} of ${FOLLOWERS}`);
  assert.equal(atKill % BATCH, 0, 'only whole batches were committed');
  assert.equal(left.length, 1, 'the fan-out is left to finish');
  assert.ok(Number(left[0]?.after_follow_id) > 0, 'and it records how far it got');

  const second = await serve(env);
  started.push(second);
  await eventually(
    async () =>
      (await ctx.database.db
        .selectFrom('fanouts')
        .select('id')
        .where('finished_at', 'is', null)
        .executeTakeFirst()) === undefined,
    'the fan-out finished after the restart',
    60_000,
  );

  const perFollower = await ctx.database.db
    .selectFrom('notifications')
    .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('kind', '=', 'article')
    .where('article_id', '=', articleId)
    .groupBy('user_id')
    .execute();
  assert.equal(perFollower.length, FOLLOWERS, 'every follower was notified');
  assert.deepEqual(
    perFollower.filter((r) => Number(r.n) !== 1),
    [],
    'no follower was notified twice',
  );
  const told = new Set(perFollower.map((r) => r.user_id));
  assert.ok(
    followerIds.every((id) => told.has(id)),
    'the notified are the followers',
  );
  const events = await ctx.database.db
    .selectFrom('notifications')
    .select('event_id')
    .distinct()
    .where('article_id', '=', articleId)
    .execute();
  assert.equal(events.length, 1, 'all from the one article.published event');

  const timeline = await ctx.database.db
    .selectFrom('timeline')
    .select(['user_id', 'author_id', 'via'])
    .where('article_id', '=', articleId)
    .execute();
  assert.equal(timeline.length, FOLLOWERS, 'one timeline row per follower');
  const listed = new Set(timeline.map((r) => r.user_id));
  assert.ok(followerIds.every((id) => listed.has(id)));
  assert.ok(timeline.every((r) => r.author_id === authorId && r.via === 1));
  assert.equal(
    await countOf(
      ctx.database.db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', authorId)
        .executeTakeFirstOrThrow(),
    ),
    0,
    'the author is not told of its own article',
  );

  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, 'the restarted process stops cleanly');
});
