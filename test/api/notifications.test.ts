/**
 * Notifications through the API, written by the outbox consumer and the fan-out after the
 * dispatcher drains: a follower, a comment, a reply, gathered reactions, a followed author's new
 * article (and a tag's, in the timeline only), mentions; settings and muted threads that stop
 * them; marking read; and a redelivered batch of events that changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  followingPage,
  muteThread,
  updateNotificationSettings,
} from '../../src/modules/notifications/notifications.service.ts';
import { KINDS } from '../../src/modules/notifications/notifications.rules.ts';
import { userById } from '../../src/modules/users/users.service.ts';
import { drainAll } from '../helpers/dispatch.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Json = any;

let server: TestServer;
let ada: Author;
let bob: Author;
let cyd: Author;
let dee: Author;

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'ntf_ada');
  bob = await makeAuthor(server, 'ntf_bob');
  cyd = await makeAuthor(server, 'ntf_cyd');
  dee = await makeAuthor(server, 'ntf_dee');
  server.clock.advance(2 * 86_400_000);
});
after(() => server.close());

const api = () => server.client();
const db = () => server.ctx.database.db;

async function inbox(who: Author, query = ''): Promise<Json[]> {
  await drainAll(server);
  const res = await api().get(`/api/notifications${query}`, { key: who.key });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('cache-control'), 'private, no-store');
  return res.json<Json[]>();
}

async function unread(who: Author): Promise<number> {
  const res = await api().get('/api/notifications/unread_count', { key: who.key });
  assert.equal(res.status, 200, res.text);
  return res.json<Json>().unread_count;
}

async function markRead(who: Author, ids?: number[]) {
  const res = await api().post('/api/notifications/read', {
    key: who.key,
    json: ids ? { ids } : {},
  });
  assert.equal(res.status, 200, res.text);
  return res.json<Json>();
}

const follow = async (who: Author, json: Json) => {
  const res = await api().post('/api/follows', { key: who.key, json });
  assert.ok(res.status === 201 || res.status === 200, res.text);
  return res.json<Json>();
};

const comment = async (who: Author, article_id: number, body: string, parent_id?: string) => {
  const res = await api().post('/api/comments', {
    key: who.key,
    json: { comment: { body_markdown: body, article_id, ...(parent_id && { parent_id }) } },
  });
  assert.equal(res.status, 201, res.text);
  return res.json<Json>();
};

const toggle = async (who: Author, category: string, id: number, type = 'Article') => {
  const res = await api().post(
    `/api/reactions/toggle?category=${category}&reactable_id=${id}&reactable_type=${type}`,
    { key: who.key },
  );
  assert.ok(res.status === 200 || res.status === 201, res.text);
};

const publish = (who: Author, title: string, extra: Json = {}) =>
  postArticle(server, who, { title, body_markdown: `About ${title}.`, published: true, ...extra });

test('a follow tells the account followed, once, and no one else', async () => {
  await drainAll(server);
  await markRead(ada);
  await follow(bob, { user_id: ada.id });
  const [first, ...rest] = await inbox(ada);
  assert.equal(rest.filter((n) => n.unread).length, 0);
  assert.equal(first.kind, 'follower');
  assert.equal(first.unread, true);
  assert.equal(first.actor.username, 'ntf_bob');
  assert.equal(first.message, 'ntf_bob followed you');
  assert.equal(first.path, '/ntf_bob');
  assert.equal(await unread(ada), 1);
  assert.equal((await inbox(bob)).length, 0, 'the follower is told nothing');
});

test('a comment tells the article’s author; a reply tells the parent’s author, once each', async () => {
  const article = await publish(ada, 'Threads');
  await drainAll(server);
  await markRead(ada);
  await markRead(bob);
  const top = await comment(bob, article.id, 'First!');
  let mine = await inbox(ada, '?unread=true');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].kind, 'comment');
  assert.equal(mine[0].message, 'ntf_bob commented on "Threads"');
  assert.equal(mine[0].path, `${article.path}#comment-${top.id_code}`);
  assert.equal(mine[0].article.id, article.id);

  // Cyd answers Bob on Ada's article: Bob hears of a reply, Ada of a comment.
  await comment(cyd, article.id, 'Agreed.', top.id_code);
  const bobs = await inbox(bob, '?unread=true');
  assert.deepEqual(
    bobs.map((n) => [n.kind, n.actor.username]),
    [['reply', 'ntf_cyd']],
  );
  mine = await inbox(ada, '?unread=true');
  assert.deepEqual(
    mine.map((n) => n.kind),
    ['comment', 'comment'],
  );

  // Ada answers Bob on her own article: Bob hears of a reply, Ada of nothing.
  await markRead(ada);
  await markRead(bob);
  await comment(ada, article.id, 'Thanks.', top.id_code);
  assert.deepEqual(
    (await inbox(bob, '?unread=true')).map((n) => n.kind),
    ['reply'],
  );
  assert.equal(await unread(ada), 0);
});

test('reactions to one item gather while unread, each person once; read, the next opens another', async () => {
  const article = await publish(ada, 'Gathered');
  await drainAll(server);
  await markRead(ada);
  await toggle(bob, 'like', article.id);
  await toggle(cyd, 'like', article.id);
  await toggle(cyd, 'unicorn', article.id);
  await toggle(dee, 'readinglist', article.id);
  let mine = await inbox(ada, '?unread=true');
  assert.equal(mine.length, 1, JSON.stringify(mine));
  assert.equal(mine[0].kind, 'reaction');
  assert.equal(mine[0].actors_count, 2);
  assert.equal(mine[0].actor.username, 'ntf_cyd');
  assert.equal(mine[0].message, 'ntf_cyd and 1 other reacted to "Gathered"');

  await toggle(dee, 'like', article.id);
  mine = await inbox(ada, '?unread=true');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].message, 'ntf_dee and 2 others reacted to "Gathered"');

  await markRead(ada, [mine[0].id]);
  await toggle(bob, 'fire', article.id);
  mine = await inbox(ada, '?unread=true');
  assert.equal(mine.length, 1);
  assert.notEqual(mine[0].id, undefined);
  assert.equal(mine[0].actors_count, 1);
  assert.equal(mine[0].message, 'ntf_bob reacted to "Gathered"');

  // A reaction to a comment tells the comment's author.
  const said = await comment(bob, article.id, 'A comment worth a like.');
  await markRead(bob);
  await toggle(cyd, 'like', Number.parseInt(said.id_code, 26), 'Comment');
  const bobs = await inbox(bob, '?unread=true');
  assert.equal(bobs.length, 1);
  assert.equal(bobs[0].message, 'ntf_cyd reacted to your comment on "Gathered"');
  // One's own reaction tells no one.
  await markRead(ada);
  await toggle(ada, 'like', article.id);
  assert.equal(await unread(ada), 0);
});

test('a followed author’s article notifies and joins the timeline; a followed tag’s only joins it', async () => {
  await follow(cyd, { user_id: bob.id });
  await follow(cyd, { tag: 'ntfrust' });
  await follow(cyd, { tag: 'ntfgo' });
  await drainAll(server);
  await markRead(cyd);
  const byBob = await publish(bob, 'By Bob', { tags: ['ntfrust', 'ntfgo'] });
  const tagged = await publish(dee, 'Tagged', { tags: ['ntfrust'] });
  const mine = await inbox(cyd, '?unread=true');
  assert.deepEqual(
    mine.map((n) => [n.kind, n.article?.id]),
    [['article', byBob.id]],
  );
  assert.equal(mine[0].message, 'ntf_bob published "By Bob"');
  const reader = await userById(server.ctx, cyd.id);
  assert.ok(reader);
  const { items } = await followingPage(server.ctx, reader, 1);
  const ids = items.map((i) => i.article.id);
  assert.deepEqual(ids.slice(0, 2), [tagged.id, byBob.id], 'newest first, each once');
  assert.equal(new Set(ids).size, ids.length);

  // Unfollowing a tag keeps what another followed tag or the author still brings.
  const rustFollow = (
    await db()
      .selectFrom('follows')
      .innerJoin('tags', 'tags.id', 'follows.followable_id')
      .select('follows.id')
      .where('follows.follower_id', '=', cyd.id)
      .where('follows.followable_type', '=', 'Tag')
      .where('tags.name', '=', 'ntfrust')
      .executeTakeFirstOrThrow()
  ).id;
  const res = await api().delete(`/api/follows/${rustFollow}`, { key: cyd.key });
  assert.equal(res.status, 204, res.text);
  await drainAll(server);
  const after = (await followingPage(server.ctx, reader, 1)).items.map((i) => i.article.id);
  assert.ok(after.includes(byBob.id), 'still by a followed author and a followed tag');
  assert.ok(!after.includes(tagged.id), 'came only through the tag left');
});

test('following backfills the newest articles; an old article published now notifies no one', async () => {
  await publish(dee, 'Before the follow');
  await follow(ada, { user_id: dee.id });
  await drainAll(server);
  const reader = await userById(server.ctx, ada.id);
  assert.ok(reader);
  const titles = (await followingPage(server.ctx, reader, 1)).items.map((i) => i.article.title);
  assert.ok(titles.includes('Before the follow'));
  await markRead(ada);
  await publish(dee, 'Written long ago', { published_at: '2020-01-01T00:00:00Z' });
  await drainAll(server);
  assert.equal(await unread(ada), 0, 'old news');
  const later = (await followingPage(server.ctx, reader, 1)).items.map((i) => i.article.title);
  assert.ok(later.includes('Written long ago'), 'but it is in the timeline');
});

test('a mention tells the account named, in an article or a comment; a reply that mentions is one notice', async () => {
  await markRead(dee);
  await markRead(bob);
  const article = await publish(ada, 'Shout-outs', {
    body_markdown: 'Thanks @ntf_dee and @nobody_here.',
  });
  let dees = await inbox(dee, '?unread=true');
  assert.deepEqual(
    dees.map((n) => [n.kind, n.message]),
    [['mention', 'ntf_ada mentioned you in "Shout-outs"']],
  );
  await markRead(dee);
  const top = await comment(bob, article.id, 'Nice.');
  await markRead(bob);
  await comment(dee, article.id, 'Hey @ntf_bob and @ntf_cyd, see `@ntf_ada`.', top.id_code);
  const bobs = await inbox(bob, '?unread=true');
  assert.deepEqual(
    bobs.map((n) => n.kind),
    ['reply'],
  );
  const cyds = (await inbox(cyd, '?unread=true')).filter((n) => n.kind === 'mention');
  assert.equal(cyds.length, 1);
  assert.equal(cyds[0].message, 'ntf_dee mentioned you in a comment on "Shout-outs"');
  dees = await inbox(dee, '?unread=true');
  assert.equal(dees.length, 0, 'one does not hear of oneself');
});

test('a kind turned off and a muted thread are not heard of', async () => {
  const reader = await userById(server.ctx, ada.id);
  assert.ok(reader);
  const article = await publish(ada, 'Quiet please');
  await drainAll(server);
  await markRead(ada);
  await updateNotificationSettings(server.ctx, reader, {
    on: KINDS.map((k) => k.kind).filter((k) => k !== 'comment'),
    digest: false,
  });
  await comment(bob, article.id, 'Nobody hears this.');
  assert.equal((await inbox(ada, '?unread=true')).length, 0);
  await toggle(bob, 'like', article.id);
  assert.equal((await inbox(ada, '?unread=true')).length, 1, 'reactions still on');
  await markRead(ada);

  await updateNotificationSettings(server.ctx, reader, {
    on: KINDS.map((k) => k.kind),
    digest: false,
  });
  await muteThread(server.ctx, reader, article.id, true);
  await comment(cyd, article.id, 'Muted.');
  await toggle(cyd, 'like', article.id);
  assert.equal((await inbox(ada, '?unread=true')).length, 0);
  await muteThread(server.ctx, reader, article.id, false);
  await comment(dee, article.id, 'Heard again.');
  assert.equal((await inbox(ada, '?unread=true')).length, 1);
});

test('marking read: the ones named (others’ ignored), or all; the count follows', async () => {
  await markRead(bob);
  await follow(ada, { user_id: bob.id });
  await follow(dee, { user_id: bob.id });
  const mine = await inbox(bob, '?unread=true');
  assert.equal(mine.length, 2);
  const theirs = (await inbox(ada)).map((n) => n.id);
  const answer = await markRead(bob, [mine[0].id, ...theirs]);
  assert.equal(answer.unread_count, 1);
  assert.ok(
    (await inbox(ada)).some((n) => n.unread),
    'another reader’s are untouched',
  );
  const all = await inbox(bob);
  assert.equal(all[0].unread, true, 'unread first');
  assert.equal(all[1].unread, false);
  assert.ok(all[1].read_at);
  assert.equal((await markRead(bob)).unread_count, 0);
});

test('bad input is refused and changes nothing', async () => {
  const before = await db().selectFrom('notifications').selectAll().orderBy('id').execute();
  const anonymous = await api().get('/api/notifications');
  assert.equal(anonymous.status, 401);
  const tooMany = await api().post('/api/notifications/read', {
    key: ada.key,
    json: { ids: Array.from({ length: 1001 }, (_, i) => i + 1) },
  });
  assert.equal(tooMany.status, 422, tooMany.text);
  const junk = await api().post('/api/notifications/read', {
    key: ada.key,
    json: { ids: ['x'] },
  });
  assert.equal(junk.status, 422, junk.text);
  const page = await api().get('/api/notifications?per_page=1000', { key: ada.key });
  assert.equal(page.status, 422, page.text);
  assert.deepEqual(
    await db().selectFrom('notifications').selectAll().orderBy('id').execute(),
    before,
  );
});

test('events handled again (a consumer moved back) change no notification or timeline', async () => {
  const article = await publish(dee, 'Again and again', { tags: ['ntfgo'] });
  await comment(bob, article.id, 'Once @ntf_cyd.');
  await toggle(ada, 'like', article.id);
  await toggle(cyd, 'like', article.id);
  await follow(bob, { user_id: dee.id });
  await drainAll(server);
  const state = async () =>
    JSON.stringify({
      n: await db().selectFrom('notifications').selectAll().orderBy('id').execute(),
      a: await db()
        .selectFrom('notification_actors')
        .selectAll()
        .orderBy('notification_id')
        .orderBy('actor_id')
        .execute(),
      t: await db()
        .selectFrom('timeline')
        .selectAll()
        .orderBy('user_id')
        .orderBy('article_id')
        .execute(),
    });
  const before = await state();
  await db()
    .updateTable('consumers')
    .set({ position: 0 })
    .where('name', '=', 'notifications')
    .execute();
  await drainAll(server);
  assert.equal(await state(), before);
  assert.equal(
    Number(
      (
        await db()
          .selectFrom('fanouts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('finished_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    ),
    0,
  );
});

test('a deleted article leaves every inbox and timeline', async () => {
  const article = await publish(bob, 'Short-lived');
  await comment(cyd, article.id, 'Quick, before it goes.');
  await drainAll(server);
  const count = async (table: 'notifications' | 'timeline') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('article_id', '=', article.id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  assert.ok((await count('notifications')) > 0);
  assert.ok((await count('timeline')) > 0);
  const res = await api().delete(`/api/articles/${article.id}`, { key: bob.key });
  assert.ok(res.status === 204 || res.status === 200, res.text);
  await drainAll(server);
  assert.equal(await count('notifications'), 0);
  assert.equal(await count('timeline'), 0);
});
