/**
 * The notifications consumer read again from an earlier time (`quire events rewind`): follows,
 * comments, replies, reactions (gathered ones too, some already read), a publish spread to
 * followers and a mention, all handled a second time, leave notifications, their actors and
 * receipts, and timelines exactly as they were. And the command refuses what it cannot do.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { UserRow } from '../../src/db/schema.ts';
import { createComment } from '../../src/modules/comments/comments.service.ts';
import { follow } from '../../src/modules/follows/follows.service.ts';
import { markNotificationsRead } from '../../src/modules/notifications/notifications.service.ts';
import { react } from '../../src/modules/reactions/reactions.service.ts';
import { findUserById } from '../../src/modules/users/users.repository.ts';
import { quire } from '../helpers/cli.ts';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.ts';
import { MINUTE } from './support.ts';

let server: TestServer;
let env: Record<string, string>;

before(async () => {
  server = await startTestServer({ now: '2026-03-01T12:00:00.000Z' });
  env = { DATABASE_URL: server.db.url, QUIRE_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' };
});
after(() => server.close());

async function user(id: number): Promise<UserRow> {
  const row = await findUserById(server.ctx.database.db, id);
  if (!row) throw new Error(`no user ${id}`);
  return row;
}

/** Every row of the tables the consumer and the fan-out write, every column, in key order. */
async function tables() {
  const db = server.ctx.database.db;
  return {
    notifications: await db.selectFrom('notifications').selectAll().orderBy('id').execute(),
    notification_actors: await db
      .selectFrom('notification_actors')
      .selectAll()
      .orderBy('notification_id')
      .orderBy('actor_id')
      .execute(),
    notification_receipts: await db
      .selectFrom('notification_receipts')
      .selectAll()
      .orderBy('user_id')
      .orderBy('event_id')
      .execute(),
    timeline: await db
      .selectFrom('timeline')
      .selectAll()
      .orderBy('user_id')
      .orderBy('article_id')
      .execute(),
    fanouts: await db.selectFrom('fanouts').selectAll().orderBy('id').execute(),
  };
}

const position = async () =>
  Number(
    (
      await server.ctx.database.db
        .selectFrom('consumers')
        .select('position')
        .where('name', '=', 'notifications')
        .executeTakeFirstOrThrow()
    ).position,
  );

test('rewound to before everything, the notifications consumer changes nothing on a second reading', async (t) => {
  const { clock, ctx } = server;
  const tick = () => clock.advance(MINUTE);
  const since = clock.now().toISOString();
  tick();
  const ada = await makeAuthor(server, 'replay_ada');
  const bob = await makeAuthor(server, 'replay_bob');
  const cyd = await makeAuthor(server, 'replay_cyd');
  const dan = await makeAuthor(server, 'replay_dan');
  const eve = await makeAuthor(server, 'replay_eve');
  tick();
  const first = await postArticle(server, ada, {
    title: 'Before anyone followed',
    body_markdown: 'Old news.',
    tags: ['replay'],
    published: true,
  });
  tick();
  await follow(ctx, await user(bob.id), { user_id: ada.id });
  await follow(ctx, await user(dan.id), { user_id: ada.id });
  await follow(ctx, await user(cyd.id), { tag: 'replay' });
  await follow(ctx, await user(ada.id), { user_id: bob.id });
  await server.dispatcher.drain();
  tick();
  const second = await postArticle(server, ada, {
    title: 'To my followers',
    body_markdown: 'Thanks @replay_eve for the review.',
    tags: ['replay'],
    published: true,
  });
  await server.dispatcher.drain();
  tick();
  const comment = await createComment(ctx, await user(bob.id), {
    article_id: second.id,
    body_markdown: 'Nice one, cc @replay_dan.',
  });
  tick();
  await createComment(ctx, await user(cyd.id), {
    article_id: second.id,
    parent_id: comment.comment.id,
    body_markdown: 'Agreed.',
  });
  tick();
  for (const reader of [bob, cyd, dan]) {
    await react(
      ctx,
      await user(reader.id),
      { category: 'like', reactable_type: 'Article', reactable_id: second.id },
      'create',
    );
  }
  await react(
    ctx,
    await user(bob.id),
    { category: 'unicorn', reactable_type: 'Article', reactable_id: second.id },
    'create',
  );
  await react(
    ctx,
    await user(dan.id),
    { category: 'like', reactable_type: 'Comment', reactable_id: comment.comment.id },
    'create',
  );
  await react(
    ctx,
    await user(eve.id),
    { category: 'readinglist', reactable_type: 'Article', reactable_id: first.id },
    'create',
  );
  await server.dispatcher.drain();
  tick();

  // Ada reads everything: her gathering of likes closes; a later like opens another.
  assert.ok((await markNotificationsRead(ctx, await user(ada.id), null)) > 0);
  tick();
  await react(
    ctx,
    await user(eve.id),
    { category: 'fire', reactable_type: 'Article', reactable_id: second.id },
    'create',
  );
  await server.dispatcher.drain();
  tick();
  // Bob reads one of his.
  const bobs = await ctx.database.db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', bob.id)
    .orderBy('id')
    .execute();
  assert.ok(bobs.length >= 2, 'bob has a reply, a reaction and an article');
  await markNotificationsRead(ctx, await user(bob.id), [bobs[0]?.id ?? 0]);

  const before = await tables();
  const kinds = new Set(before.notifications.map((n) => n.kind));
  for (const kind of ['follower', 'comment', 'reply', 'reaction', 'article', 'mention'])
    assert.ok(kinds.has(kind as never), `the activity made a ${kind} notification`);
  assert.ok(
    before.notifications.some((n) => n.kind === 'reaction' && n.actors_count === 3),
    'three readers gathered in one notification',
  );
  assert.ok(
    before.notifications.some((n) => n.kind === 'reaction' && n.unread === 0) &&
      before.notifications.some((n) => n.kind === 'reaction' && n.unread === 1),
    'a read gathering and an open one',
  );
  assert.ok(before.timeline.length > 0 && before.notification_receipts.length > 0);
  assert.ok(
    before.fanouts.every((f) => f.finished_at !== null),
    'every fan-out finished',
  );

  const head = await position();
  const rewound = await quire(['events', 'rewind', 'notifications', '--since', since], env);
  assert.equal(rewound.code, 0, rewound.stderr);
  assert.match(rewound.stdout, /^notifications moved back from event \d+ to \d+/);
  const back = await position();
  assert.ok(back < head, `moved back from ${head} to ${back}`);
  const replayed = await ctx.database.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '>', back)
    .executeTakeFirstOrThrow();
  t.diagnostic(`${Number(replayed.n)} events handled again`);
  const firstAgain = await ctx.database.db
    .selectFrom('events')
    .select('created_at')
    .where('id', '>', back)
    .orderBy('id')
    .limit(1)
    .executeTakeFirstOrThrow();
  assert.ok(firstAgain.created_at >= since, 'no event before the time is read again');

  await server.dispatcher.drain();
  assert.equal(await position(), head, 'the consumer read up to where it was');
  assert.deepEqual(await tables(), before);
});

test('events rewind refuses an unknown consumer and a bad time, and changes nothing', async () => {
  const head = await position();
  const unknown = await quire(['events', 'rewind', 'notificatons', '--since', '2026-01-01'], env);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /^quire: no consumer named "notificatons"; there are .*notifications/,
  );
  assert.doesNotMatch(unknown.stderr, /\n\s+at /, 'no stack trace');
  for (const bad of ['yesterday', '2026-02-30', '2026-03-01T12:00:00']) {
    const result = await quire(['events', 'rewind', 'notifications', '--since', bad], env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^quire: since must be an ISO 8601 date/);
    assert.equal(result.stdout, '');
  }
  const empty = await quire(['events', 'rewind', 'notifications', '--since', ''], env);
  assert.equal(empty.code, 2, empty.stderr);
  assert.match(empty.stderr, /^quire: --since needs a time/);
  const missing = await quire(['events', 'rewind', 'notifications'], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing --since/);
  assert.equal(await position(), head, 'the position did not move');

  // A time after everything it read leaves it where it is.
  const later = await quire(
    ['events', 'rewind', 'notifications', '--since', '2030-01-01T00:00:00Z'],
    env,
  );
  assert.equal(later.code, 0, later.stderr);
  assert.match(later.stdout, /nothing to do/);
  assert.equal(await position(), head);
});
