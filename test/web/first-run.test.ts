/**
 * The HTML side of accounts: first-run setup on an empty instance, then the sign-up, sign-in and
 * sign-out forms, with their CSRF tokens, same-site check and error re-rendering.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { snapshot } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { formToken, signInWeb, submit, tokenFor } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'a sturdy passphrase';
const EVIL = 'https://evil.example';
const CROSS_SITE: Record<string, string>[] = [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }];

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const formSignIn = (login: string) => signInWeb(server, login, PASSWORD);

async function meOf(client: HttpClient) {
  return client.get('/api/users/me');
}

test('an empty instance shows the setup form on the home page', async () => {
  assert.equal((await snapshot(server)).users, 0);
  const home = await server.client().get('/');
  assert.equal(home.status, 200);
  assert.match(home.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(home.text, /<title>Set up Quire - Quire<\/title>/);
  assert.match(home.text, /<form method="post" action="\/setup"/);
  for (const name of ['_csrf', 'site_name', 'username', 'email', 'password']) {
    assert.match(home.text, new RegExp(`name="${name}"`), name);
  }
  assert.match(home.text, /type="password"/);
});

test('setup refuses a post without a valid CSRF token or from another site', async () => {
  const initial = await snapshot(server);
  const fields = {
    site_name: 'Hijacked',
    username: 'intruder',
    email: 'intruder@example.test',
    password: PASSWORD,
  };
  const client = server.client();
  const token = await tokenFor(client, '/', '/setup');
  const otherToken = await tokenFor(server.client(), '/', '/setup');

  assert.equal((await client.post('/setup', { form: fields })).status, 403, 'no token');
  const wrong = await client.post('/setup', { form: { ...fields, _csrf: `${token}x` } });
  assert.equal(wrong.status, 403, 'an altered token');
  const foreign = await client.post('/setup', { form: { ...fields, _csrf: otherToken } });
  assert.equal(foreign.status, 403, "another browser's token");
  const noCookie = await server.client().post('/setup', { form: { ...fields, _csrf: token } });
  assert.equal(noCookie.status, 403, 'a token without its cookie');
  for (const headers of CROSS_SITE) {
    const res = await client.post('/setup', { form: { ...fields, _csrf: token }, headers });
    assert.equal(res.status, 403, JSON.stringify(headers));
  }

  assert.deepEqual(await snapshot(server), initial);
  assert.equal(client.cookies.has('quire_session'), false);
  assert.match((await server.client().get('/')).text, /action="\/setup"/, 'still not set up');
});

test('setup errors re-render the form with each message by its field, keeping input but not the password', async () => {
  const initial = await snapshot(server);
  const client = server.client();
  const res = await submit(client, '/', '/setup', {
    site_name: 'Notes <&> more',
    username: 'ab',
    email: '"><script>alert(1)</script>',
    password: 'Pw7!xyz',
  });
  assert.equal(res.status, 422);
  assert.match(res.text, /action="\/setup"/);
  assert.match(
    res.text,
    /id="f-username-error">Username must be 3 to 30 characters of a-z, 0-9 and _</,
  );
  assert.match(res.text, /id="f-email-error">Email is not a valid address</);
  assert.match(
    res.text,
    /id="f-password-error">Password is too short \(minimum is 8 characters\)</,
  );
  assert.match(res.text, /name="site_name" type="text" value="Notes &#60;&#38;&#62; more"/);
  assert.match(res.text, /name="username" type="text" value="ab"/);
  assert.ok(!res.text.includes('<script>alert(1)'), 'typed input is escaped');
  assert.match(
    res.text,
    /name="email" type="email" value="&#34;&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;"/,
  );
  assert.ok(!res.text.includes('Pw7!xyz'), 'the password is never echoed');
  assert.deepEqual(await snapshot(server), initial);
  assert.equal(client.cookies.has('quire_session'), false);
});

test('setup creates the administrator, names the site and signs in', async () => {
  const client = server.client();
  const res = await submit(client, '/', '/setup', {
    site_name: 'Field Notes',
    username: 'founder',
    email: 'founder@example.test',
    password: PASSWORD,
  });
  assert.equal(res.status, 303, res.text);
  assert.equal(res.headers.get('location'), '/');
  assert.ok(client.cookies.has('quire_session'));

  const me = await meOf(client);
  assert.equal(me.status, 200);
  assert.equal(me.json().username, 'founder');
  assert.equal(me.json().role, 'admin');

  const home = await client.get('/');
  assert.equal(home.status, 200);
  assert.doesNotMatch(home.text, /action="\/setup"/);
  assert.match(home.text, /<title>Field Notes<\/title>/);
  assert.match(home.text, /Latest articles/);
  assert.match(home.text, /@founder/);
  const anonymousHome = await server.client().get('/');
  assert.doesNotMatch(anonymousHome.text, /action="\/setup"/);
  assert.match(anonymousHome.text, /class="brand" href="\/">Field Notes</);
});

test('after setup, POST /setup is refused with 409 and changes nothing', async () => {
  const founder = await formSignIn('founder');
  const initial = await snapshot(server);
  const anonymous = server.client();
  const token = await tokenFor(anonymous, '/signup', '/signup');
  const again = await anonymous.post('/setup', {
    form: {
      _csrf: token,
      site_name: 'Taken Over',
      username: 'usurper',
      email: 'usurper@example.test',
      password: PASSWORD,
    },
  });
  assert.equal(again.status, 409);
  assert.match(again.text, /already set up/);
  assert.equal(anonymous.cookies.has('quire_session'), false);

  const byAdmin = await founder.post('/setup', {
    form: {
      _csrf: await tokenFor(founder, '/', '/signout'),
      site_name: 'Renamed',
      username: 'second_admin',
      email: 'second_admin@example.test',
      password: PASSWORD,
    },
  });
  assert.equal(byAdmin.status, 409);

  assert.deepEqual(await snapshot(server), initial);
  assert.match((await server.client().get('/')).text, /<title>Field Notes<\/title>/);
});

test('the sign-up form creates an ordinary account and signs in', async () => {
  const client = server.client();
  const page = await client.get('/signup');
  assert.equal(page.status, 200);
  for (const name of ['username', 'name', 'email', 'password']) {
    assert.match(page.text, new RegExp(`name="${name}"`), name);
  }
  const res = await submit(client, '/signup', '/signup', {
    username: 'writer',
    name: 'A Writer',
    email: 'writer@example.test',
    password: PASSWORD,
  });
  assert.equal(res.status, 303, res.text);
  assert.equal(res.headers.get('location'), '/');
  const me = await meOf(client);
  assert.equal(me.json().username, 'writer');
  assert.equal(me.json().name, 'A Writer');
  assert.equal(me.json().role, 'user');
});

test('sign-up form errors keep what was typed and never echo the password', async () => {
  const initial = await snapshot(server);
  const typed = { name: 'Typed Name', email: 'typed@example.test', password: 'Secret-Pass-123' };

  const short = await submit(server.client(), '/signup', '/signup', { ...typed, username: 'ab' });
  assert.equal(short.status, 422);
  assert.match(
    short.text,
    /id="f-username-error">Username must be 3 to 30 characters of a-z, 0-9 and _</,
  );
  assert.match(short.text, /aria-invalid="true" aria-describedby="f-username-error"/);
  assert.match(short.text, /name="email" type="email" value="typed@example.test"/);
  assert.match(short.text, /name="name" type="text" value="Typed Name"/);
  assert.ok(!short.text.includes('Secret-Pass-123'));
  assert.match(short.text, /name="password" type="password" value=""/);

  const taken = await submit(server.client(), '/signup', '/signup', {
    ...typed,
    username: 'writer',
  });
  assert.equal(taken.status, 422);
  assert.match(taken.text, /id="f-username-error">Username has already been taken</);
  assert.ok(!taken.text.includes('Secret-Pass-123'));

  const reserved = await submit(server.client(), '/signup', '/signup', {
    ...typed,
    username: 'settings',
  });
  assert.equal(reserved.status, 422);
  assert.match(reserved.text, /id="f-username-error">Username [^<]*settings[^<]* is reserved</);

  const tooShort = await submit(server.client(), '/signup', '/signup', {
    ...typed,
    username: 'fine_name',
    password: 'seven77',
  });
  assert.equal(tooShort.status, 422);
  assert.match(tooShort.text, /id="f-password-error">Password is too short/);
  assert.match(tooShort.text, /name="username" type="text" value="fine_name"/);
  assert.ok(!tooShort.text.includes('seven77'));

  assert.deepEqual(await snapshot(server), initial);
});

test('the sign-in form signs in; a wrong password re-renders with the message and the login', async () => {
  const client = server.client();
  const wrong = await submit(client, '/enter', '/enter', {
    login: 'writer',
    password: 'Wrong-Pass-999',
  });
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /role="alert">Invalid username\/email or password</);
  assert.match(wrong.text, /name="login" type="text" value="writer"/);
  assert.ok(!wrong.text.includes('Wrong-Pass-999'));
  assert.equal(client.cookies.has('quire_session'), false);

  const unknown = await submit(client, '/enter', '/enter', {
    login: 'no_such_writer',
    password: 'Wrong-Pass-999',
  });
  assert.equal(unknown.status, 401);
  assert.match(unknown.text, /role="alert">Invalid username\/email or password</);

  const ok = await submit(client, '/enter', '/enter', {
    login: 'writer@example.test',
    password: PASSWORD,
  });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/');
  assert.equal((await meOf(client)).json().username, 'writer');
  assert.match((await client.get('/')).text, /@writer/);
});

test('the sign-out form needs its token and then ends the session', async () => {
  const client = await formSignIn('writer');
  const old = client.cookies.get('quire_session') ?? '';

  assert.equal((await client.post('/signout', { form: {} })).status, 403, 'no token');
  const token = await tokenFor(client, '/', '/signout');
  const crossSite = await client.post('/signout', {
    form: { _csrf: token },
    headers: { origin: EVIL },
  });
  assert.equal(crossSite.status, 403);
  assert.equal((await meOf(client)).status, 200, 'still signed in');

  const out = await client.post('/signout', { form: { _csrf: token } });
  assert.equal(out.status, 303);
  assert.equal(out.headers.get('location'), '/');
  assert.equal(client.cookies.has('quire_session'), false);
  const replay = await server
    .client()
    .get('/api/users/me', { headers: { cookie: `quire_session=${old}` } });
  assert.equal(replay.status, 401, 'the old cookie no longer works');
  const home = await client.get('/');
  assert.doesNotMatch(home.text, /@writer/);
  assert.match(home.text, /href="\/enter"/);
});

test('the sign-out-everywhere form ends every session of the account', async () => {
  const a = await formSignIn('writer');
  const b = await formSignIn('writer');
  const founder = await formSignIn('founder');
  const version = async () =>
    Number(
      (
        await server.ctx.database.db
          .selectFrom('users')
          .select('session_version')
          .where('username', '=', 'writer')
          .executeTakeFirstOrThrow()
      ).session_version,
    );
  const initialVersion = await version();

  assert.equal((await a.post('/signout_everywhere', { form: {} })).status, 403, 'no token');
  assert.equal((await b.get('/api/users/me')).status, 200);

  // The button is on the password settings page.
  const res = await submit(a, '/settings/password', '/signout_everywhere', {});
  assert.equal(res.status, 303);
  assert.equal((await meOf(a)).status, 401);
  assert.equal((await meOf(b)).status, 401, 'the other browser is signed out too');
  assert.equal((await meOf(founder)).status, 200, 'other accounts are not');
  assert.equal(await version(), initialVersion + 1);
});

test('cross-site posts of the account forms are refused', async () => {
  const initial = await snapshot(server);
  const signup = await submit(
    server.client(),
    '/signup',
    '/signup',
    { username: 'cross_site', email: 'cross@example.test', password: PASSWORD },
    { 'sec-fetch-site': 'cross-site' },
  );
  assert.equal(signup.status, 403);
  const client = server.client();
  const signin = await submit(
    client,
    '/enter',
    '/enter',
    { login: 'writer', password: PASSWORD },
    { origin: EVIL },
  );
  assert.equal(signin.status, 403);
  assert.equal(client.cookies.has('quire_session'), false);
  assert.deepEqual(await snapshot(server), initial);
});

test('a visitor signed in without a CSRF cookie still gets working forms', async () => {
  // E.g. the browser dropped the CSRF cookie (a session cookie) but kept the 30-day session.
  const client = server.client();
  const signin = await client.post('/api/auth/signin', {
    json: { login: 'writer', password: PASSWORD },
  });
  assert.equal(signin.status, 200);
  assert.equal(client.cookies.has('quire_csrf'), false);

  const enter = await client.get('/enter');
  const res = await client.post('/enter', {
    form: { _csrf: formToken(enter.text, '/enter'), login: 'founder', password: PASSWORD },
  });
  assert.equal(res.status, 303, 'the token of the sign-in form matches the cookie set with it');
  assert.equal((await meOf(client)).json().username, 'founder');
  const out = await client.post('/signout', { form: { _csrf: formToken(enter.text, '/signout') } });
  assert.equal(out.status, 303, 'and so does the token of the header sign-out form');
});

test('the sign-out form in the header of an error page works', async () => {
  const client = await formSignIn('writer');
  const missing = await client.get('/no_such_writer_here');
  assert.equal(missing.status, 404);
  const token = /action="\/signout"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]*)"/.exec(
    missing.text,
  )?.[1];
  assert.ok(token, 'the header sign-out form carries a CSRF token');
  const res = await client.post('/signout', { form: { _csrf: token } });
  assert.equal(res.status, 303);
  assert.equal((await meOf(client)).status, 401);
});

test('form posts count against the write limit, and the one over it gets a 429 page', async () => {
  const limited = await startTestServer({ env: { QUIRE_WRITE_RATE_LIMIT: '2' } });
  try {
    const client = limited.client();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await submit(client, '/enter', '/enter', { login: 'nobody', password: 'wrong' });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
        assert.ok(Number(res.headers.get('retry-after')) > 0);
      }
    }
    assert.deepEqual(statuses, [401, 401, 429]);
  } finally {
    await limited.close();
  }
});

test('a form posted after the session ended leads to sign-in, not back to a POST-only address', async () => {
  const client = server.client();
  const _csrf = await tokenFor(client, '/enter', '/enter');
  const res = await client.post('/settings', { form: { _csrf, name: 'Late' } });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/enter');
  const viaGet = await client.get('/settings');
  assert.equal(viaGet.headers.get('location'), '/enter?next=%2Fsettings');
});

test('behind a trusted proxy, each visitor has a write limit of their own; otherwise X-Forwarded-For is ignored', async () => {
  const post = async (target: TestServer, forwardedFor: string) => {
    const client = target.client();
    const headers = { 'x-forwarded-for': forwardedFor };
    const _csrf = await tokenFor(client, '/enter', '/enter');
    const res = await client.post('/enter', {
      form: { _csrf, login: 'nobody', password: 'wrong' },
      headers,
    });
    return res.status;
  };
  const env = { QUIRE_WRITE_RATE_LIMIT: '1' };
  const proxied = await startTestServer({ env: { ...env, QUIRE_TRUSTED_PROXIES: '127.0.0.1' } });
  try {
    assert.deepEqual(
      [await post(proxied, '203.0.113.1'), await post(proxied, '203.0.113.1')],
      [401, 429],
    );
    assert.equal(await post(proxied, '203.0.113.2'), 401, 'another visitor is not limited');
  } finally {
    await proxied.close();
  }
  const direct = await startTestServer({ env });
  try {
    assert.equal(await post(direct, '203.0.113.1'), 401);
    assert.equal(await post(direct, '203.0.113.2'), 429, 'a forged header changes nothing');
  } finally {
    await direct.close();
  }
});
