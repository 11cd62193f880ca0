/**
 * Following accounts and tags through the API: Forem's two lists in Forem's shapes, Quire's
 * writes (idempotent, refused for oneself, a suspended account or a bad tag, with nothing
 * changed), someone else's follow answered 404, and the kept counts equal to the rows under
 * concurrent follows and unfollows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suspendAccount, userById } from '../../src/modules/users/users.service.ts';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let cyd: Author;
let admin: Author;

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'fol_ada');
  bob = await makeAuthor(server, 'fol_bob');
  cyd = await makeAuthor(server, 'fol_cyd');
  admin = await makeAuthor(server, 'fol_admin', { admin: true });
  server.clock.advance(2 * 86_400_000);
});
after(() => server.close());

const api = () => server.client();
const db = () => server.ctx.database.db;

const followUser = (who: Author, userId: number) =>
  api().post('/api/follows', { key: who.key, json: { user_id: userId } });
const followTag = (who: Author, tag: string) =>
  api().post('/api/follows', { key: who.key, json: { tag } });

async function counts(id: number) {
  return db()
    .selectFrom('users')
    .select(['followers_count', 'following_users_count', 'following_tags_count'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function rows(where: { follower?: number; type?: 'User' | 'Tag'; followed?: number }) {
  let q = db()
    .selectFrom('follows')
    .select((eb) => eb.fn.countAll<number>().as('n'));
  if (where.follower !== undefined) q = q.where('follower_id', '=', where.follower);
  if (where.type !== undefined) q = q.where('followable_type', '=', where.type);
  if (where.followed !== undefined) q = q.where('followable_id', '=', where.followed);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Everything a follow could change: rows, every count, events. */
async function state() {
  const follows = await db().selectFrom('follows').selectAll().orderBy('id').execute();
  const users = await db()
    .selectFrom('users')
    .select(['id', 'followers_count', 'following_users_count', 'following_tags_count'])
    .orderBy('id')
    .execute();
  const tags = await db()
    .selectFrom('tags')
    .select(['id', 'name', 'followers_count'])
    .orderBy('id')
    .execute();
  const events = await db()
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return JSON.stringify({ follows, users, tags, events: Number(events.n) });
}

test('following an account: 201, then 200 with the same follow; counts move once', async () => {
  const first = await followUser(ada, bob.id);
  assert.equal(first.status, 201, first.text);
  const follow = first.json();
  assert.equal(follow.type_of, 'follow');
  assert.equal(follow.followable_type, 'User');
  assert.equal(follow.followable_id, bob.id);
  assert.equal(follow.name, 'fol_bob');
  const again = await followUser(ada, bob.id);
  assert.equal(again.status, 200);
  assert.equal(again.json().id, follow.id);
  assert.equal((await counts(bob.id)).followers_count, 1);
  assert.equal((await counts(ada.id)).following_users_count, 1);
  const events = await db()
    .selectFrom('events')
    .select(['type', 'owner_id', 'cache_keys'])
    .where('type', 'like', 'follow.%')
    .execute();
  assert.equal(events.length, 1);
  assert.equal(events[0]?.type, 'follow.created');
  assert.equal(events[0]?.owner_id, bob.id);
  assert.deepEqual(events[0]?.cache_keys?.split(' ').sort(), [
    `followers:${ada.id}`,
    `followers:${bob.id}`,
  ]);
});

test("Forem's followers list, and the accounts one follows", async () => {
  await followUser(cyd, bob.id);
  const res = await api().get('/api/followers/users', { key: bob.key });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'private, no-store');
  const list = res.json();
  assert.deepEqual(
    list.map((f: { username: string }) => f.username),
    ['fol_cyd', 'fol_ada'],
  );
  const [newest] = list;
  assert.deepEqual(Object.keys(newest).sort(), [
    'created_at',
    'id',
    'name',
    'path',
    'profile_image',
    'type_of',
    'user_id',
    'username',
  ]);
  assert.equal(newest.type_of, 'user_follower');
  assert.equal(newest.user_id, cyd.id);
  assert.equal(newest.path, '/fol_cyd');
  assert.match(newest.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const paged = await api().get('/api/followers/users?per_page=1&page=2', { key: bob.key });
  assert.deepEqual(
    paged.json().map((f: { username: string }) => f.username),
    ['fol_ada'],
  );
  const following = await api().get('/api/follows/users', { key: ada.key });
  assert.deepEqual(
    following.json().map((f: { type_of: string; user_id: number }) => [f.type_of, f.user_id]),
    [['user_following', bob.id]],
  );
  const me = await api().get('/api/users/me', { key: bob.key });
  assert.equal(me.json().followers_count, 2);
  const anonymous = await api().get('/api/followers/users');
  assert.equal(anonymous.status, 401);
});

test("following tags: Forem's list of followed tags, normalized names, idempotent", async () => {
  assert.equal((await followTag(ada, 'rust')).status, 201);
  assert.equal((await followTag(ada, '#Rust')).status, 200);
  assert.equal((await followTag(ada, 'neverused')).status, 201);
  const res = await api().get('/api/follows/tags', { key: ada.key });
  assert.equal(res.status, 200);
  const list = res.json();
  assert.deepEqual(
    list.map((t: { name: string; points: number }) => [t.name, t.points]),
    [
      ['neverused', 1],
      ['rust', 1],
    ],
  );
  assert.deepEqual(Object.keys(list[0]).sort(), ['id', 'name', 'points']);
  assert.equal((await counts(ada.id)).following_tags_count, 2);
  const tag = await db()
    .selectFrom('tags')
    .select('followers_count')
    .where('name', '=', 'rust')
    .executeTakeFirstOrThrow();
  assert.equal(tag.followers_count, 1);
  const event = await db()
    .selectFrom('events')
    .select(['owner_id', 'cache_keys'])
    .where('type', '=', 'follow.created')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  assert.equal(event.owner_id, null);
  assert.deepEqual(event.cache_keys?.split(' ').sort(), [
    `followers:${ada.id}`,
    'tag-followers:neverused',
  ]);
});

test('unfollowing: only the follower; anyone else gets 404 and nothing changes', async () => {
  const follow = (await followUser(cyd, ada.id)).json();
  const before = await state();
  for (const who of [bob, ada, admin]) {
    const res = await api().delete(`/api/follows/${follow.id}`, { key: who.key });
    assert.equal(res.status, 404, `${who.username}: ${res.text}`);
  }
  assert.equal((await api().delete('/api/follows/999999', { key: cyd.key })).status, 404);
  assert.equal(await state(), before);
  const res = await api().delete(`/api/follows/${follow.id}`, { key: cyd.key });
  assert.equal(res.status, 204);
  assert.equal((await counts(ada.id)).followers_count, 0);
  assert.equal(await rows({ type: 'User', followed: ada.id }), 0);
  const gone = await api().delete(`/api/follows/${follow.id}`, { key: cyd.key });
  assert.equal(gone.status, 404);
  const event = await db()
    .selectFrom('events')
    .select(['type', 'owner_id'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  assert.deepEqual(event, { type: 'follow.deleted', owner_id: ada.id });
});

test('refused: oneself, a suspended account, an unknown one, bad tags, both or neither', async () => {
  const gone = await makeAuthor(server, 'fol_gone');
  const adminRow = await userById(server.ctx, admin.id);
  assert.ok(adminRow);
  await suspendAccount(server.ctx, adminRow, gone.id);
  const before = await state();
  const cases: Array<[string, unknown, number]> = [
    ['oneself', { user_id: ada.id }, 422],
    ['a suspended account', { user_id: gone.id }, 404],
    ['no such account', { user_id: 987654 }, 404],
    ['a tag with a dash', { tag: 'no-dash' }, 422],
    ['an empty tag', { tag: '' }, 422],
    ['a tag too long', { tag: 'a'.repeat(31) }, 422],
    ['a tag with a space', { tag: 'two words' }, 422],
    ['both', { user_id: bob.id, tag: 'rust' }, 422],
    ['neither', {}, 422],
    ['an id that is text', { user_id: 'bob' }, 422],
    ['an unknown field', { user: bob.id }, 422],
  ];
  for (const [what, json, status] of cases) {
    const res = await api().post('/api/follows', { key: ada.key, json });
    assert.equal(res.status, status, `${what}: ${res.text}`);
  }
  // A suspended account may not follow either.
  const res = await followUser(gone, bob.id);
  assert.equal(res.status, 403);
  assert.equal((await api().post('/api/follows', { json: { user_id: bob.id } })).status, 401);
  assert.equal(await state(), before);
});

test('32 concurrent follows and unfollows of one account leave counts equal to the rows', async () => {
  const target = await makeAuthor(server, 'fol_popular');
  const fans: Author[] = [];
  for (let i = 0; i < 16; i++) fans.push(await makeAuthor(server, `fol_fan_${i}`));
  // Half follow first, so the storm both adds and removes.
  const ids = new Map<number, number>();
  for (const fan of fans.slice(0, 8)) ids.set(fan.id, (await followUser(fan, target.id)).json().id);
  for (let round = 0; round < 3; round++) {
    const requests = fans.flatMap((fan) => {
      const id = ids.get(fan.id);
      // Each fan sends two at once: a follow and an unfollow, or two follows (one a no-op).
      return id !== undefined
        ? [
            api().delete(`/api/follows/${id}`, { key: fan.key }),
            followUser(fan, target.id).then((r) => r),
          ]
        : [followUser(fan, target.id), followTag(fan, 'stormy')];
    });
    assert.equal(requests.length, 32);
    const answers = await Promise.all(requests);
    for (const res of answers) assert.ok([200, 201, 204, 404].includes(res.status), res.text);
    ids.clear();
    for (const row of await db()
      .selectFrom('follows')
      .select(['id', 'follower_id'])
      .where('followable_type', '=', 'User')
      .where('followable_id', '=', target.id)
      .execute())
      ids.set(row.follower_id, row.id);
    assert.equal((await counts(target.id)).followers_count, ids.size);
    for (const fan of fans) {
      const c = await counts(fan.id);
      assert.equal(c.following_users_count, await rows({ follower: fan.id, type: 'User' }));
      assert.equal(c.following_tags_count, await rows({ follower: fan.id, type: 'Tag' }));
    }
    const tag = await db()
      .selectFrom('tags')
      .select(['id', 'followers_count'])
      .where('name', '=', 'stormy')
      .executeTakeFirstOrThrow();
    assert.equal(tag.followers_count, await rows({ type: 'Tag', followed: tag.id }));
    // Every row is one follow.created more than follow.deleted events about it.
    const events = await db()
      .selectFrom('events')
      .select(['type', 'payload'])
      .where('type', 'in', ['follow.created', 'follow.deleted'])
      .execute();
    let net = 0;
    for (const e of events) {
      const data = JSON.parse(e.payload).data;
      if (data.followable_type !== 'User' || data.followable_id !== target.id) continue;
      net += e.type === 'follow.created' ? 1 : -1;
    }
    assert.equal(net, ids.size);
  }
});
