/**
 * Accounts over JSON: sign up, sign in, sessions and their cookie, sign out (here and
 * everywhere), failed-login throttling, and refusal of cross-site writes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { snapshot } from '../helpers/fixtures.ts';
import type { HttpClient, Response } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery staple';
const EVIL = 'https://evil.example';
const CROSS_SITE: Record<string, string>[] = [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }];

function sessionCookieLine(res: Response): string {
  const line = res.headers.getSetCookie().find((l) => l.startsWith('quire_session='));
  assert.ok(
    line,
    `expected a quire_session Set-Cookie, got ${res.headers.getSetCookie().join(' | ')}`,
  );
  return line;
}

function signup(
  client: HttpClient,
  username: string,
  extra: Record<string, unknown> = {},
): Promise<Response> {
  return client.post('/api/auth/signup', {
    json: { username, email: `${username}@example.test`, password: PASSWORD, ...extra },
  });
}

async function signedUp(server: TestServer, username: string): Promise<HttpClient> {
  const client = server.client();
  const res = await signup(client, username);
  assert.equal(res.status, 201, res.text);
  return client;
}

async function signedIn(server: TestServer, login: string): Promise<HttpClient> {
  const client = server.client();
  const res = await client.post('/api/auth/signin', { json: { login, password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
  return client;
}

async function userRow(server: TestServer, username: string) {
  return server.ctx.database.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
}

/** A client that sends only the given raw session cookie value. */
function withCookie(server: TestServer, value: string) {
  return server.client().get('/api/users/me', { headers: { cookie: `quire_session=${value}` } });
}

describe('accounts over JSON', () => {
  let server: TestServer;

  before(async () => {
    // Throttling is tested on its own server below; here failures must not lock anyone out.
    server = await startTestServer({ env: { QUIRE_LOGIN_MAX_FAILURES: '1000' } });
  });
  after(() => server.close());

  test('the first account on an empty instance becomes admin, the second does not', async () => {
    assert.equal((await snapshot(server)).users, 0);
    const first = await signup(server.client(), 'first_admin');
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json().role, 'admin');
    const second = await signup(server.client(), 'second_user');
    assert.equal(second.status, 201, second.text);
    assert.equal(second.json().role, 'user');
    assert.equal((await userRow(server, 'first_admin')).role, 'admin');
    assert.equal((await userRow(server, 'second_user')).role, 'user');
  });

  test('sign-up cannot make its own account an administrator', async () => {
    const client = server.client();
    const res = await signup(client, 'sneaky', { admin: true, role: 'admin' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json().role, 'user');
    assert.equal((await userRow(server, 'sneaky')).role, 'user');
    assert.equal((await client.get('/api/users/me')).json().role, 'user');
  });

  test('sign-up answers 201 with the MyUser shape and signs in', async () => {
    const client = server.client();
    const res = await client.post('/api/auth/signup', {
      json: {
        username: 'alice',
        email: 'Alice@Example.TEST',
        password: PASSWORD,
        name: 'Alice Liddell',
      },
    });
    assert.equal(res.status, 201, res.text);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), [
      'badge_ids',
      'email',
      'followers_count',
      'github_username',
      'id',
      'joined_at',
      'location',
      'name',
      'profile_image',
      'role',
      'summary',
      'twitter_username',
      'type_of',
      'username',
      'website_url',
    ]);
    const row = await userRow(server, 'alice');
    assert.deepEqual(body, {
      type_of: 'user',
      id: row.id,
      username: 'alice',
      name: 'Alice Liddell',
      twitter_username: null,
      github_username: null,
      summary: null,
      location: null,
      website_url: null,
      joined_at: 'Mar 1, 2026',
      profile_image: `${server.url}/avatar/alice.svg`,
      email: 'alice@example.test',
      role: 'user',
      followers_count: 0,
      badge_ids: [],
    });

    const me = await client.get('/api/users/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.json(), body);

    const noName = await signup(server.client(), 'nameless');
    assert.equal(noName.status, 201);
    assert.equal(noName.json().name, 'nameless', 'the name defaults to the username');
  });

  test('the session cookie is HttpOnly, SameSite=Lax, Path=/, signed, and not Secure over http', async () => {
    const client = server.client();
    const res = await signup(client, 'cookie_jar');
    const line = sessionCookieLine(res);
    assert.match(line, /;\s*HttpOnly(;|$)/i);
    assert.match(line, /;\s*SameSite=Lax(;|$)/i);
    assert.match(line, /;\s*Path=\/(;|$)/);
    assert.doesNotMatch(line, /;\s*Secure/i);

    const value = decodeURIComponent(client.cookies.get('quire_session') ?? '');
    const dot = value.lastIndexOf('.');
    assert.ok(dot > 0, 'a signed cookie is value.signature');
    const token = value.slice(0, dot);
    const user = await userRow(server, 'cookie_jar');
    const sessions = await server.ctx.database.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    assert.equal(sessions.length, 1);
    assert.notEqual(sessions[0]?.id, token, 'the database does not hold the token itself');
    assert.equal(sessions[0]?.id, createHash('sha256').update(token).digest('hex'));
  });

  test('a tampered or unsigned session cookie counts as signed out', async () => {
    const client = await signedUp(server, 'tamper_me');
    const raw = client.cookies.get('quire_session') ?? '';
    assert.equal((await withCookie(server, raw)).status, 200, 'the real cookie works');

    const flipped = (raw[0] === 'a' ? 'b' : 'a') + raw.slice(1);
    const tampered = await withCookie(server, flipped);
    assert.equal(tampered.status, 401);

    const decoded = decodeURIComponent(raw);
    const token = decoded.slice(0, decoded.lastIndexOf('.'));
    assert.equal((await withCookie(server, token)).status, 401, 'an unsigned token is refused');

    const badSig = (await withCookie(server, `${token}.${'A'.repeat(43)}`)).status;
    assert.equal(badSig, 401, 'a made-up signature is refused');

    const home = await server.client().get('/', {
      headers: { cookie: `quire_session=${flipped}` },
    });
    assert.equal(home.status, 200);
    assert.doesNotMatch(home.text, /@tamper_me/);
    assert.match(home.text, /href="\/enter"/);
  });

  test('usernames must be 3 to 30 characters of a-z, 0-9 and _', async () => {
    const initial = await snapshot(server);
    for (const username of [
      'ab',
      'a'.repeat(31),
      'has-dash',
      'has space',
      'dot.name',
      'émile',
      'semi;colon',
      '',
    ]) {
      const res = await signup(server.client(), username, {
        email: `u${username.length}x@example.test`,
      });
      assert.equal(res.status, 422, `username ${JSON.stringify(username)}: ${res.text}`);
      assert.deepEqual(
        res.json().errors.map((e: { field: string }) => e.field),
        ['username'],
      );
    }
    assert.deepEqual(await snapshot(server), initial, 'refused sign-ups store nothing');

    for (const username of ['abc', 'z'.repeat(30), 'under_score_99']) {
      const res = await signup(server.client(), username);
      assert.equal(res.status, 201, `username ${username}: ${res.text}`);
      assert.equal(res.json().username, username);
    }
  });

  test('usernames that collide with routes are reserved', async () => {
    const initial = await snapshot(server);
    const reserved = [
      'api',
      'feed',
      'new',
      'settings',
      'dashboard',
      'enter',
      't',
      'search',
      'admin',
      'signup',
      'signin',
      'signout',
      'signout_everywhere',
      'setup',
      'static',
      'avatar',
      'healthz',
      'readyz',
      'metrics',
      'Admin',
    ];
    for (const username of reserved) {
      const res = await signup(server.client(), username, {
        email: `reserved_${username.toLowerCase()}@example.test`,
      });
      assert.equal(res.status, 422, `username ${username}: ${res.text}`);
      const [error] = res.json().errors;
      assert.equal(error.field, 'username');
      if (username.length >= 3) assert.match(error.message, /reserved/);
    }
    assert.deepEqual(await snapshot(server), initial);
  });

  test('a taken username or email is refused with 422', async () => {
    assert.equal((await signup(server.client(), 'taken_name')).status, 201);
    const initial = await snapshot(server);

    const sameName = await signup(server.client(), 'taken_name', {
      email: 'someone_else@example.test',
    });
    assert.equal(sameName.status, 422, sameName.text);
    assert.deepEqual(sameName.json().errors, [
      { field: 'username', message: 'Username has already been taken' },
    ]);

    const sameEmail = await signup(server.client(), 'other_name', {
      email: 'TAKEN_NAME@Example.Test',
    });
    assert.equal(sameEmail.status, 422, sameEmail.text);
    assert.deepEqual(sameEmail.json().errors, [
      { field: 'email', message: 'Email has already been taken' },
    ]);

    const badEmail = await signup(server.client(), 'bad_email', { email: 'not-an-email' });
    assert.equal(badEmail.status, 422);
    assert.equal(badEmail.json().errors[0].field, 'email');
    assert.deepEqual(await snapshot(server), initial);
  });

  test('passwords must be 8 to 1024 characters', async () => {
    const initial = await snapshot(server);
    for (const length of [0, 7, 1025]) {
      const res = await signup(server.client(), `pw_${length}`, {
        password: 'p'.repeat(length),
      });
      assert.equal(res.status, 422, `password of ${length}: ${res.text}`);
      assert.deepEqual(
        res.json().errors.map((e: { field: string }) => e.field),
        ['password'],
      );
    }
    assert.deepEqual(await snapshot(server), initial);

    for (const length of [8, 1024]) {
      const password = `${'q'.repeat(length - 1)}!`;
      const res = await signup(server.client(), `pw_${length}`, { password });
      assert.equal(res.status, 201, `password of ${length}: ${res.text}`);
      const signin = await server
        .client()
        .post('/api/auth/signin', { json: { login: `pw_${length}`, password } });
      assert.equal(signin.status, 200, `sign-in with a password of ${length}`);
    }
  });

  test('the password is stored as an argon2id PHC hash and never in clear', async () => {
    const res = await signup(server.client(), 'hashed');
    assert.equal(res.status, 201);
    assert.ok(!res.text.includes(PASSWORD), 'the answer does not echo the password');
    assert.ok(!res.text.includes('argon2'), 'the answer does not show the hash');

    const row = await userRow(server, 'hashed');
    assert.match(
      row.password_hash,
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/,
    );
    for (const [column, value] of Object.entries(row)) {
      assert.ok(!String(value).includes(PASSWORD), `users.${column} holds the password`);
    }
    const events = await server.ctx.database.db.selectFrom('events').selectAll().execute();
    assert.ok(events.length > 0);
    assert.ok(!JSON.stringify(events).includes(PASSWORD), 'no event holds the password');
    assert.ok(!JSON.stringify(events).includes('argon2'), 'no event holds the hash');

    await signup(server.client(), 'hashed_too');
    const other = await userRow(server, 'hashed_too');
    assert.notEqual(other.password_hash, row.password_hash, 'each hash has its own salt');
  });

  test('sign-in by username or email, in any case, starts a new session', async () => {
    const alice = await userRow(server, 'alice');
    const count = async () =>
      (
        await server.ctx.database.db
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', alice.id)
          .execute()
      ).length;
    const initial = await count();
    for (const login of ['alice', 'ALICE', 'alice@example.test', ' Alice@EXAMPLE.test ']) {
      const client = server.client();
      const res = await client.post('/api/auth/signin', { json: { login, password: PASSWORD } });
      assert.equal(res.status, 200, `login ${login}: ${res.text}`);
      assert.equal(res.json().username, 'alice');
      assert.equal(res.json().email, 'alice@example.test');
      sessionCookieLine(res);
      assert.equal((await client.get('/api/users/me')).json().id, alice.id);
    }
    assert.equal(await count(), initial + 4);
  });

  test('a wrong password answers 401 and does not reveal whether the account exists', async () => {
    const initial = await snapshot(server);
    const attempt = (login: string, password: string) =>
      server.client().post('/api/auth/signin', { json: { login, password } });

    const wrong = await attempt('alice', 'not the password');
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.headers.getSetCookie(), []);
    const unknown = await attempt('nobody_here', 'not the password');
    const unknownEmail = await attempt('nobody@example.test', PASSWORD);
    for (const res of [unknown, unknownEmail]) {
      assert.equal(res.status, wrong.status);
      assert.deepEqual(res.json(), wrong.json());
      assert.deepEqual(res.headers.getSetCookie(), []);
    }
    assert.ok(!wrong.text.includes('not the password'));
    const tooLong = await attempt('alice', 'x'.repeat(2000));
    assert.equal(tooLong.status, 401);
    assert.deepEqual(await snapshot(server), initial, 'no session was started');
  });

  test('sign-out ends that session only', async () => {
    const a = await signedUp(server, 'bob');
    const b = await signedIn(server, 'bob');
    const old = a.cookies.get('quire_session') ?? '';

    const out = await a.post('/api/auth/signout');
    assert.equal(out.status, 204);
    assert.match(sessionCookieLine(out), /quire_session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    assert.equal(a.cookies.has('quire_session'), false);
    assert.equal((await a.get('/api/users/me')).status, 401);
    assert.equal((await withCookie(server, old)).status, 401, 'the old cookie is revoked');
    const again = await server
      .client()
      .post('/api/auth/signout', { headers: { cookie: `quire_session=${old}` } });
    assert.equal(again.status, 401);

    const other = await b.get('/api/users/me');
    assert.equal(other.status, 200, 'the other session is untouched');
    assert.equal(other.json().username, 'bob');
    assert.equal((await server.client().post('/api/auth/signout')).status, 401);
  });

  test('sign out everywhere ends every session of the account and bumps session_version', async () => {
    const a = await signedUp(server, 'carol');
    const b = await signedIn(server, 'carol');
    const bystander = await signedUp(server, 'dave');
    const carol = await userRow(server, 'carol');
    assert.equal((await b.get('/api/users/me')).status, 200);

    const res = await a.post('/api/auth/signout_everywhere');
    assert.equal(res.status, 204);
    assert.equal((await a.get('/api/users/me')).status, 401);
    assert.equal((await b.get('/api/users/me')).status, 401, 'the other browser is out too');
    assert.equal((await bystander.get('/api/users/me')).status, 200, 'other accounts stay in');

    const updated = await userRow(server, 'carol');
    assert.equal(Number(updated.session_version), Number(carol.session_version) + 1);
    const left = await server.ctx.database.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', carol.id)
      .execute();
    assert.equal(left.length, 0);

    const back = await signedIn(server, 'carol');
    assert.equal((await back.get('/api/users/me')).json().username, 'carol');
    assert.equal((await server.client().post('/api/auth/signout_everywhere')).status, 401);
  });

  test('cross-site writes with a session cookie are refused with 403', async () => {
    const client = await signedUp(server, 'erin');
    const erin = await userRow(server, 'erin');
    const initial = await snapshot(server);

    for (const headers of CROSS_SITE) {
      const out = await client.post('/api/auth/signout', { headers });
      assert.equal(out.status, 403, JSON.stringify(headers));
      const everywhere = await client.post('/api/auth/signout_everywhere', { headers });
      assert.equal(everywhere.status, 403, JSON.stringify(headers));
      const key = await client.post('/api/api_keys', { headers, json: { name: 'x' } });
      assert.equal(key.status, 403, JSON.stringify(headers));
    }
    assert.deepEqual(await snapshot(server), initial);
    assert.equal((await client.get('/api/users/me')).status, 200, 'still signed in');
    assert.equal(
      Number((await userRow(server, 'erin')).session_version),
      Number(erin.session_version),
    );

    // Nor may another site sign someone in or up (login CSRF).
    const signin = await server.client().post('/api/auth/signin', {
      headers: { origin: EVIL },
      json: { login: 'erin', password: PASSWORD },
    });
    assert.equal(signin.status, 403);
    assert.deepEqual(signin.headers.getSetCookie(), []);
    const signupX = await server.client().post('/api/auth/signup', {
      headers: { 'sec-fetch-site': 'cross-site' },
      json: { username: 'cross_site', email: 'cross@example.test', password: PASSWORD },
    });
    assert.equal(signupX.status, 403);
    assert.deepEqual(await snapshot(server), initial);

    // The same writes from this site go through.
    const same = await client.post('/api/auth/signout', {
      headers: { origin: server.url, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(same.status, 204);
  });

  test('a session lapses after 30 days', async () => {
    const client = await signedUp(server, 'short_lived');
    server.clock.advance(29 * 86_400_000);
    assert.equal((await client.get('/api/users/me')).status, 200);
    server.clock.advance(86_400_000 + 1000);
    assert.equal((await client.get('/api/users/me')).status, 401);
  });
});

describe('failed sign-ins are throttled', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      env: { QUIRE_LOGIN_MAX_FAILURES: '3', QUIRE_LOGIN_WINDOW_SECONDS: '600' },
    });
    await signedUp(server, 'victim');
    await signedUp(server, 'victim_two');
  });
  after(() => server.close());

  const json = (login: string, password: string) =>
    server.client().post('/api/auth/signin', { json: { login, password } });

  test('the JSON route answers 429 with Retry-After after too many failures', async () => {
    // Fewer failures than the limit do not lock anyone out.
    for (let i = 0; i < 2; i++) assert.equal((await json('victim', 'wrong-password')).status, 401);
    assert.equal((await json('victim', PASSWORD)).status, 200);
    server.clock.advance(601_000);

    for (let i = 0; i < 3; i++) assert.equal((await json('victim', 'wrong-password')).status, 401);
    const locked = await json('victim', PASSWORD);
    assert.equal(locked.status, 429, 'even the right password is refused');
    assert.equal(locked.headers.get('retry-after'), '600');
    assert.deepEqual(locked.headers.getSetCookie(), []);
    assert.equal(locked.json().status, 429);
    assert.ok(!('username' in locked.json()));

    server.clock.advance(300_000);
    const later = await json('victim', PASSWORD);
    assert.equal(later.status, 429);
    assert.equal(later.headers.get('retry-after'), '300');

    server.clock.advance(301_000);
    const open = await json('victim', PASSWORD);
    assert.equal(open.status, 200, open.text);
    assert.equal(open.json().username, 'victim');
    sessionCookieLine(open);
  });

  test('the sign-in form is throttled the same way', async () => {
    server.clock.advance(601_000);
    const client = server.client();
    const post = async (password: string) =>
      client.post('/enter', {
        form: { _csrf: await client.csrfToken('/enter'), login: 'victim_two', password },
      });
    for (let i = 0; i < 3; i++) {
      const res = await post('wrong-password');
      assert.equal(res.status, 401);
      assert.match(res.text, /Invalid username\/email or password/);
    }
    const locked = await post(PASSWORD);
    assert.equal(locked.status, 429);
    assert.equal(locked.headers.get('retry-after'), '600');
    assert.match(locked.text, /Too many failed sign-in attempts/);
    assert.equal(client.cookies.has('quire_session'), false);
    assert.equal((await json('victim_two', PASSWORD)).status, 429, 'the JSON route agrees');

    server.clock.advance(601_000);
    const open = await post(PASSWORD);
    assert.equal(open.status, 303);
    assert.equal((await client.get('/api/users/me')).json().username, 'victim_two');
  });

  test('an unknown account is throttled like a real one', async () => {
    server.clock.advance(601_000);
    const real: number[] = [];
    const ghost: number[] = [];
    for (let i = 0; i < 4; i++) real.push((await json('victim', 'wrong-password')).status);
    server.clock.advance(601_000);
    for (let i = 0; i < 4; i++) ghost.push((await json('ghost_user', 'wrong-password')).status);
    assert.deepEqual(real, [401, 401, 401, 429]);
    assert.deepEqual(ghost, real);
  });
});

describe('over https', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { QUIRE_BASE_URL: 'https://quire.example' } });
  });
  after(() => server.close());

  test('session and CSRF cookies are Secure when the base URL is https', async () => {
    const client = server.client();
    const res = await signup(client, 'secure_user');
    assert.equal(res.status, 201, res.text);
    const line = sessionCookieLine(res);
    assert.match(line, /;\s*Secure(;|$)/i);
    assert.match(line, /;\s*HttpOnly(;|$)/i);
    assert.match(line, /;\s*SameSite=Lax(;|$)/i);
    assert.match(line, /;\s*Path=\/(;|$)/);
    assert.equal(res.json().profile_image, 'https://quire.example/avatar/secure_user.svg');

    const form = await server.client().get('/enter');
    const csrf = form.headers.getSetCookie().find((l) => l.startsWith('quire_csrf='));
    assert.ok(csrf);
    assert.match(csrf, /;\s*Secure(;|$)/i);

    const out = await client.post('/api/auth/signout', {
      headers: { origin: 'https://quire.example' },
    });
    assert.equal(out.status, 204);
    assert.match(sessionCookieLine(out), /;\s*Secure(;|$)/i);
  });

  test('a write from another origin is still refused', async () => {
    const client = await signedUp(server, 'secure_two');
    const res = await client.post('/api/auth/signout', { headers: { origin: EVIL } });
    assert.equal(res.status, 403);
    assert.equal((await client.get('/api/users/me')).status, 200);
  });
});
