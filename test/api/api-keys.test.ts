/**
 * API keys: created with a session or a key, shown once, stored as a SHA-256 hash, accepted in
 * the `api-key` header and as a bearer token, refused once revoked, and private to their owner.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'keys-are-not-passwords';
const EVIL = 'https://evil.example';
const CROSS_SITE: Record<string, string>[] = [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }];
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let server: TestServer;
/** Signed in with a session cookie. */
let owner: HttpClient;
let ownerId: number;
/** Another account, with its own key. */
let mallory: Author;

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'instance_admin'); // the first account is admin; take it out of play
  owner = server.client();
  const res = await owner.post('/api/auth/signup', {
    json: { username: 'keyholder', email: 'keyholder@example.test', password: PASSWORD },
  });
  assert.equal(res.status, 201, res.text);
  ownerId = res.json().id;
  mallory = await makeAuthor(server, 'mallory');
});
after(() => server.close());

async function createKey(client: HttpClient, name?: string, key?: string) {
  const res = await client.post('/api/api_keys', {
    json: name === undefined ? {} : { name },
    ...(key && { key }),
  });
  assert.equal(res.status, 201, res.text);
  return res.json<{ id: number; key: string; prefix: string; name: string }>();
}

function keyRow(id: number) {
  return server.ctx.database.db
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

const me = (key: string) => server.client().get('/api/users/me', { key });

test('a new key is shown once, starts with quire_, and only its SHA-256 hash is stored', async () => {
  const res = await owner.post('/api/api_keys', { json: { name: 'laptop' } });
  assert.equal(res.status, 201, res.text);
  const created = res.json();
  assert.match(created.key, /^quire_[A-Za-z0-9_-]{20,}$/);
  assert.deepEqual(created, {
    id: created.id,
    name: 'laptop',
    prefix: created.key.slice(0, 12),
    created_at: '2026-03-01T12:00:00.000Z',
    last_used_at: null,
    revoked_at: null,
    key: created.key,
  });

  const row = await keyRow(created.id);
  assert.equal(Number(row.user_id), ownerId);
  assert.notEqual(row.key_hash, created.key);
  assert.equal(row.key_hash, sha256(created.key));
  for (const [column, value] of Object.entries(row)) {
    assert.ok(!String(value).includes(created.key), `api_keys.${column} holds the key`);
  }
  const events = await server.ctx.database.db.selectFrom('events').selectAll().execute();
  assert.ok(!JSON.stringify(events).includes(created.key), 'no event holds the key');

  const list = await owner.get('/api/api_keys');
  assert.equal(list.status, 200);
  assert.ok(!list.text.includes(created.key), 'the list never shows a key again');
  assert.ok(!list.text.includes(row.key_hash), 'nor its hash');
  const listed = list.json().find((k: { id: number }) => k.id === created.id);
  assert.deepEqual(listed, {
    id: created.id,
    name: 'laptop',
    prefix: created.key.slice(0, 12),
    created_at: '2026-03-01T12:00:00.000Z',
    last_used_at: null,
    revoked_at: null,
  });

  const second = await createKey(owner, 'desktop');
  assert.notEqual(second.key, created.key);
  assert.notEqual(second.prefix, created.prefix);
});

test('a key without a name gets a default one; over-long names are refused', async () => {
  const unnamed = await createKey(owner);
  assert.equal(unnamed.name, 'API key');
  const initial = await snapshot(server);
  for (const name of ['n'.repeat(101), 'n'.repeat(201)]) {
    const res = await owner.post('/api/api_keys', { json: { name } });
    assert.equal(res.status, 422, `name of ${name.length}`);
  }
  assert.deepEqual(await snapshot(server), initial);
});

test('the key is accepted in the api-key header and as a Bearer token', async () => {
  const { key } = await createKey(owner, 'cli');
  const byHeader = await me(key);
  assert.equal(byHeader.status, 200);
  assert.equal(byHeader.json().username, 'keyholder');

  for (const authorization of [`Bearer ${key}`, `bearer ${key}`]) {
    const res = await server.client().get('/api/users/me', { headers: { authorization } });
    assert.equal(res.status, 200, authorization.slice(0, 6));
    assert.equal(res.json().username, 'keyholder');
  }

  const write = await server.client().post('/api/api_keys', {
    headers: { authorization: `Bearer ${key}` },
    json: { name: 'made with a bearer token' },
  });
  assert.equal(write.status, 201);
  assert.equal(Number((await keyRow(write.json().id)).user_id), ownerId);
});

test('a wrong key is refused with 401, even on public GET routes', async () => {
  const { key } = await createKey(owner, 'to-mangle');
  const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  const anonymous = server.client();
  assert.equal((await anonymous.get('/api/articles')).status, 200, 'public without a key');
  for (const path of ['/api/articles', '/api/tags', '/api/users/by_username?url=keyholder']) {
    for (const wrong of ['quire_not-a-real-key', flipped, 'x']) {
      assert.equal((await anonymous.get(path, { key: wrong })).status, 401, `${path} ${wrong}`);
      const bearer = await anonymous.get(path, { headers: { authorization: `Bearer ${wrong}` } });
      assert.equal(bearer.status, 401, `${path} Bearer ${wrong}`);
    }
  }
  assert.equal((await me(flipped)).status, 401);
  // A wrong key does not fall back to the session that comes with it.
  assert.equal((await owner.get('/api/users/me', { key: flipped })).status, 401);
});

test('last_used_at is set when the key is used', async () => {
  const { id, key } = await createKey(owner, 'usage');
  assert.equal((await keyRow(id)).last_used_at, null);

  assert.equal((await me(key)).status, 200);
  const first = server.clock.now().toISOString();
  assert.equal((await keyRow(id)).last_used_at, first);

  server.clock.advance(5 * 60_000);
  assert.equal((await server.client().get('/api/articles', { key })).status, 200);
  const second = server.clock.now().toISOString();
  assert.equal((await keyRow(id)).last_used_at, second);
  const listed = (await owner.get('/api/api_keys')).json().find((k: { id: number }) => k.id === id);
  assert.equal(listed.last_used_at, second);
});

test('a revoked key is refused', async () => {
  const { id, key } = await createKey(owner, 'to-revoke');
  assert.equal((await me(key)).status, 200);

  const del = await owner.delete(`/api/api_keys/${id}`);
  assert.equal(del.status, 204);
  assert.equal((await me(key)).status, 401);
  assert.equal((await server.client().get('/api/articles', { key })).status, 401);
  const row = await keyRow(id);
  assert.equal(row.revoked_at, server.clock.now().toISOString());
  const listed = (await owner.get('/api/api_keys')).json().find((k: { id: number }) => k.id === id);
  assert.equal(listed.revoked_at, row.revoked_at);
  assert.equal((await owner.delete(`/api/api_keys/${id}`)).status, 404, 'already revoked');

  // A key may revoke itself.
  const self = await createKey(owner, 'self-revoking');
  const gone = await server.client().delete(`/api/api_keys/${self.id}`, { key: self.key });
  assert.equal(gone.status, 204);
  assert.equal((await me(self.key)).status, 401);
});

test("one user cannot see or revoke another user's keys", async () => {
  const mine = await createKey(owner, 'private');
  const initial = await snapshot(server);
  const attempt = await server.client().delete(`/api/api_keys/${mine.id}`, { key: mallory.key });
  assert.equal(attempt.status, 404);
  assert.equal((await keyRow(mine.id)).revoked_at, null);
  assert.equal((await me(mine.key)).status, 200, 'the key still works');
  assert.deepEqual(await snapshot(server), initial);

  const theirs = await server.client().get('/api/api_keys', { key: mallory.key });
  assert.equal(theirs.status, 200);
  const ownerIds = (await owner.get('/api/api_keys')).json().map((k: { id: number }) => k.id);
  for (const k of theirs.json()) assert.ok(!ownerIds.includes(k.id), 'no shared keys');
  assert.equal(theirs.json().length, 1, "mallory's own fixture key only");

  assert.equal((await owner.delete('/api/api_keys/999999')).status, 404);
  assert.equal((await owner.delete('/api/api_keys/not-a-number')).status, 404);
});

test('keys are managed with a session cookie only from the same site', async () => {
  const target = await createKey(owner, 'cross-site-target');
  const initial = await snapshot(server);
  for (const headers of CROSS_SITE) {
    const post = await owner.post('/api/api_keys', { headers, json: { name: 'evil' } });
    assert.equal(post.status, 403, JSON.stringify(headers));
    const del = await owner.delete(`/api/api_keys/${target.id}`, { headers });
    assert.equal(del.status, 403, JSON.stringify(headers));
  }
  assert.deepEqual(await snapshot(server), initial);
  assert.equal((await keyRow(target.id)).revoked_at, null);
  assert.equal((await me(target.key)).status, 200);

  const same = await owner.post('/api/api_keys', {
    headers: { origin: server.url, 'sec-fetch-site': 'same-origin' },
    json: { name: 'same-site' },
  });
  assert.equal(same.status, 201);

  // A key is not an ambient credential: a script elsewhere holding it may use it.
  const withKey = await server.client().post('/api/api_keys', {
    key: target.key,
    headers: { origin: EVIL },
    json: { name: 'from a tool' },
  });
  assert.equal(withKey.status, 201);
});

test('without credentials, or with a signed-out session, key routes answer 401', async () => {
  const initial = await snapshot(server);
  const anonymous = server.client();
  assert.equal((await anonymous.get('/api/api_keys')).status, 401);
  assert.equal((await anonymous.post('/api/api_keys', { json: { name: 'x' } })).status, 401);
  assert.equal((await anonymous.delete('/api/api_keys/1')).status, 401);

  const session = server.client();
  const signin = await session.post('/api/auth/signin', {
    json: { login: 'keyholder', password: PASSWORD },
  });
  assert.equal(signin.status, 200);
  const cookie = `quire_session=${session.cookies.get('quire_session')}`;
  assert.equal((await session.post('/api/auth/signout')).status, 204);
  const stale = await server.client().get('/api/api_keys', { headers: { cookie } });
  assert.equal(stale.status, 401);
  const staleWrite = await server
    .client()
    .post('/api/api_keys', { headers: { cookie }, json: { name: 'x' } });
  assert.equal(staleWrite.status, 401);
  assert.deepEqual(await snapshot(server), initial);
});
