/**
 * The account settings pages over HTTP, as a browser without script drives them: the sign-in
 * gate and navigation, the profile (a new name reaches every cached page and feed), the password
 * (other browsers signed out) and API keys (shown once). Every form refuses forgeries, shows rule
 * violations beside their fields, and answers someone else's resource with 404. Feed sources and
 * webhooks have their own files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { AUTHOR_PASSWORD, signInWeb, submit, tokenFor } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertForgeriesRefused, stateOf } from './settings-support.ts';

let server: TestServer;
let ana: Author;

before(async () => {
  // Wrong passwords below count as failed sign-ins from 127.0.0.1: no lockout here.
  server = await startTestServer({ env: { QUIRE_LOGIN_MAX_FAILURES: '1000' } });
  // The first account is the administrator, whose endpoints hear everyone: keep it out of the way.
  await makeAuthor(server, 'settings_admin');
  ana = await makeAuthor(server, 'ana');
  await makeAuthor(server, 'bob');
});
after(() => server.close());

const db = () => server.ctx.database.db;
const anonymous = () => server.client();
const me = (client: HttpClient) => client.get('/api/users/me');

/** The first capture of `pattern` in `text`, failing when there is none. */
function capture(text: string, pattern: RegExp): string {
  const found = pattern.exec(text)?.[1];
  assert.ok(found, `no match for ${pattern}`);
  return found;
}

describe('every settings page', () => {
  test('sends visitors to sign in first, and comes back afterwards', async () => {
    for (const path of [
      '/settings',
      '/settings/password',
      '/settings/keys',
      '/settings/feeds',
      '/settings/webhooks',
      '/settings/webhooks/1',
    ]) {
      const res = await anonymous().get(path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), `/enter?next=${encodeURIComponent(path)}`);
    }
  });

  test('shows the settings navigation, one h1, and is kept by no cache', async () => {
    const client = await signInWeb(server, 'ana');
    for (const [path, current] of [
      ['/settings', 'Profile'],
      ['/settings/password', 'Password'],
      ['/settings/keys', 'API keys'],
      ['/settings/feeds', 'Feed sources'],
      ['/settings/webhooks', 'Webhooks'],
    ] as const) {
      const res = await client.get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.text, /<nav aria-label="Settings"/);
      assert.match(res.text, new RegExp(`href="${path}" aria-current="page">${current}<`));
      assert.equal((res.text.match(/<h1[ >]/g) ?? []).length, 1, `${path}: one h1`);
      assert.equal(res.headers.get('cache-control'), 'private, no-store', path);
    }
  });

  test('the header links to the settings, and to the admin page only for administrators', async () => {
    const page = await (await signInWeb(server, 'ana')).get('/');
    assert.match(page.text, /<a href="\/settings">Settings<\/a>/);
    assert.doesNotMatch(page.text, /href="\/admin"/);
    const admin = await (await signInWeb(server, 'settings_admin')).get('/');
    assert.match(admin.text, /<a href="\/admin">Admin<\/a>/);
  });
});

describe('profile', () => {
  test("a new name shows on the author's article, profile and feed at the next request", async () => {
    const article = await postArticle(server, ana, { title: 'Notes on engines', published: true });
    const paths = [article.path, '/ana', '/feed/ana'];
    // Each is built and cached before the change.
    for (const path of paths) {
      const res = await anonymous().get(path);
      assert.equal(res.status, 200, path);
      assert.doesNotMatch(res.text, /Ada Byron/, path);
    }
    const feedBefore = await anonymous().get('/feed/ana');
    server.clock.advance(5_000);
    const client = await signInWeb(server, 'ana');
    const res = await submit(client, '/settings', '/settings', {
      name: 'Ada Byron',
      summary: 'Writes about engines',
      website_url: 'https://ada.example/',
      profile_image: 'https://ada.example/me.png',
    });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.get('location'), '/settings?done=saved');

    const saved = await client.get('/settings?done=saved');
    assert.match(saved.text, /<p class="notice" role="status">Saved<\/p>/);
    assert.match(saved.text, /name="name" type="text" value="Ada Byron"/);
    assert.match(saved.text, />Writes about engines<\/textarea>/);
    assert.match(saved.text, /name="website_url" type="url" value="https:\/\/ada.example\/"/);

    for (const path of paths) {
      const page = await anonymous().get(path);
      assert.equal(page.status, 200, path);
      assert.match(page.text, /Ada Byron/, path);
    }
    assert.match((await anonymous().get('/feed/ana')).text, /<dc:creator>Ada Byron<\/dc:creator>/);
    // A reader that revalidates by date alone must not be told the renamed feed is unchanged.
    const byDate = await anonymous().get('/feed/ana', {
      headers: { 'if-modified-since': feedBefore.headers.get('last-modified') ?? '' },
    });
    assert.equal(byDate.status, 200);
    const api = (await anonymous().get('/api/users/ana')).json();
    assert.equal(api.summary, 'Writes about engines');
    assert.equal(api.profile_image, 'https://ada.example/me.png');
    const event = await db()
      .selectFrom('events')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    assert.equal(event.type, 'user.updated');
    assert.equal(event.subject, `user:${ana.id}`);
    assert.equal(JSON.parse(event.payload).data.name, 'Ada Byron');
  });

  test('empty optional fields are cleared', async () => {
    const client = await signInWeb(server, 'ana');
    const res = await submit(client, '/settings', '/settings', {
      name: 'Ada Byron',
      summary: '',
      website_url: '',
      profile_image: '',
    });
    assert.equal(res.status, 303, res.text);
    const row = await db()
      .selectFrom('users')
      .select(['summary', 'website_url', 'profile_image'])
      .where('id', '=', ana.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...row }, { summary: null, website_url: null, profile_image: null });
  });

  test('rule violations show beside their fields with the text kept, and nothing changes', async () => {
    const client = await signInWeb(server, 'ana');
    const before = await stateOf(server);
    const res = await submit(client, '/settings', '/settings', {
      name: '   ',
      summary: `${'long '.repeat(40)}!`,
      website_url: 'javascript:alert(1)',
      profile_image: 'ftp://ada.example/me.png',
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /id="f-name-error">Name must be 1 to 80 characters</);
    assert.match(
      res.text,
      /id="f-summary-error">Summary is too long \(maximum is 200 characters\)</,
    );
    assert.match(res.text, /id="f-website_url-error">Website url must be an http or https URL</);
    assert.match(
      res.text,
      /id="f-profile_image-error">Profile image must be an http or https URL</,
    );
    assert.match(res.text, /aria-describedby="f-website_url-error"/);
    assert.match(res.text, /name="website_url" type="url" value="javascript:alert\(1\)"/);
    assert.match(res.text, /name="profile_image" type="url" value="ftp:\/\/ada.example\/me.png"/);
    assert.match(res.text, /long long long !<\/textarea>/);
    assert.doesNotMatch(res.text, /role="status">Saved/);
    assert.deepEqual(await stateOf(server), before);
  });

  test('forged posts are refused', async () => {
    const client = await signInWeb(server, 'ana');
    await assertForgeriesRefused(server, client, '/settings', '/settings', {
      name: 'Forged Name',
      summary: '',
      website_url: '',
      profile_image: '',
    });
  });
});

describe('password', () => {
  const NEW_PASSWORD = 'a-brand-new-passphrase';
  let carol: Author;
  before(async () => {
    carol = await makeAuthor(server, 'carol');
  });
  const change = (client: HttpClient, fields: Record<string, string>) =>
    submit(client, '/settings/password', '/settings/password', fields);

  test('a wrong current password and a short new one show beside their fields', async () => {
    const client = await signInWeb(server, 'carol');
    const before = await stateOf(server);
    const res = await change(client, {
      current_password: 'not-my-password',
      new_password: 'short',
      new_password_confirmation: 'short',
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /id="f-current_password-error">Current password is incorrect</);
    assert.match(res.text, /aria-describedby="f-current_password-error"/);
    assert.match(
      res.text,
      /id="f-new_password-error">Password is too short \(minimum is 8 characters\)</,
    );
    assert.ok(!res.text.includes('not-my-password'), 'passwords are never echoed');
    const mismatch = await change(client, {
      current_password: AUTHOR_PASSWORD,
      new_password: NEW_PASSWORD,
      new_password_confirmation: `${NEW_PASSWORD}x`,
    });
    assert.equal(mismatch.status, 422);
    assert.match(
      mismatch.text,
      /id="f-new_password_confirmation-error">Confirmation does not match/,
    );
    assert.doesNotMatch(mismatch.text, /f-current_password-error/);
    assert.ok(!mismatch.text.includes(NEW_PASSWORD));
    assert.deepEqual(await stateOf(server), before);
    assert.equal((await me(client)).status, 200, 'still signed in');
    const counted = await db()
      .selectFrom('login_failures')
      .select('failures')
      .where('key', '=', 'user:carol')
      .executeTakeFirst();
    assert.equal(counted?.failures, 1, 'a wrong current password counts as a failed sign-in');
  });

  test('forged posts are refused', async () => {
    const client = await signInWeb(server, 'carol');
    await assertForgeriesRefused(server, client, '/settings/password', '/settings/password', {
      current_password: AUTHOR_PASSWORD,
      new_password: NEW_PASSWORD,
      new_password_confirmation: NEW_PASSWORD,
    });
  });

  test('a change signs out every other browser, keeps this one, and only the new password works', async () => {
    const other = await signInWeb(server, 'carol');
    const client = await signInWeb(server, 'carol');
    const oldCookie = client.cookies.get('quire_session');
    const versionBefore = await sessionVersion(carol.id);
    const res = await change(client, {
      current_password: AUTHOR_PASSWORD,
      new_password: NEW_PASSWORD,
      new_password_confirmation: NEW_PASSWORD,
    });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.get('location'), '/settings/password?done=password');
    assert.notEqual(client.cookies.get('quire_session'), oldCookie, 'a new session');
    assert.equal((await me(client)).status, 200, 'this browser stays signed in');
    assert.equal((await me(other)).status, 401, 'the other browser is signed out');
    const stale = await anonymous().get('/api/users/me', {
      headers: { cookie: `quire_session=${oldCookie}` },
    });
    assert.equal(stale.status, 401, "this browser's old session ended too");
    assert.equal(await sessionVersion(carol.id), versionBefore + 1);
    const page = await client.get('/settings/password?done=password');
    assert.match(page.text, /role="status">Password changed/);

    const withOld = await submit(anonymous(), '/enter', '/enter', {
      login: 'carol',
      password: AUTHOR_PASSWORD,
    });
    assert.equal(withOld.status, 401, 'the old password no longer signs in');
    const withNew = await submit(anonymous(), '/enter', '/enter', {
      login: 'carol',
      password: NEW_PASSWORD,
    });
    assert.equal(withNew.status, 303, 'the new one does');
    assert.equal((await carolKeyStillWorks()).status, 200, 'API keys are not sessions');
  });

  async function sessionVersion(id: number): Promise<number> {
    const row = await db()
      .selectFrom('users')
      .select('session_version')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.session_version);
  }
  const carolKeyStillWorks = () => anonymous().get('/api/users/me', { key: carol.key });
});

describe('API keys', () => {
  test('a new key is shown once, works, is listed without itself, and stops working when revoked', async () => {
    const client = await signInWeb(server, 'ana');
    const res = await submit(client, '/settings/keys', '/settings/keys', { name: 'deploy bot' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const key = capture(
      res.text,
      /<code class="secret" id="new-key">(quire_[A-Za-z0-9_-]+)<\/code>/,
    );
    assert.match(res.text, /it will not be shown again/);
    assert.match(res.text, /Your new API key &#34;deploy bot&#34;/);

    const viaKey = await anonymous().get('/api/users/me', { key });
    assert.equal(viaKey.status, 200);
    assert.equal(viaKey.json().username, 'ana');

    const list = await client.get('/settings/keys');
    assert.ok(!list.text.includes(key), 'the list never shows a key');
    const row = await db()
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', ana.id)
      .where('name', '=', 'deploy bot')
      .executeTakeFirstOrThrow();
    const entry = capture(list.text, new RegExp(`(<tr id="key-${row.id}">[\\s\\S]*?</tr>)`));
    assert.match(entry, /<th scope="row">deploy bot<\/th>/);
    assert.match(entry, /<time datetime="[^"]+">/, 'last used is recorded');
    assert.match(entry, /Active/);

    const revoke = await submit(client, '/settings/keys', `/settings/keys/${row.id}/revoke`, {});
    assert.equal(revoke.status, 303);
    assert.equal(revoke.headers.get('location'), '/settings/keys?done=revoked');
    assert.equal((await anonymous().get('/api/users/me', { key })).status, 401);
    const after = await client.get('/settings/keys?done=revoked');
    assert.match(after.text, /role="status">The key is revoked/);
    const revoked = capture(after.text, new RegExp(`(<tr id="key-${row.id}">[\\s\\S]*?</tr>)`));
    assert.match(revoked, /Revoked <time/);
    assert.doesNotMatch(revoked, /action="\/settings\/keys\/\d+\/revoke"/);
  });

  test('a name too long shows beside its field, kept, and no key is made', async () => {
    const client = await signInWeb(server, 'ana');
    const before = await stateOf(server);
    const name = 'n'.repeat(101);
    const res = await submit(client, '/settings/keys', '/settings/keys', { name });
    assert.equal(res.status, 422);
    assert.match(res.text, /id="f-name-error">Name is too long \(maximum is 100 characters\)</);
    assert.match(res.text, new RegExp(`name="name" type="text" value="${name}"`));
    assert.doesNotMatch(res.text, /class="secret"/);
    assert.deepEqual(await stateOf(server), before);
  });

  test("someone else's key is not found and keeps working", async () => {
    const anaKey = await db()
      .selectFrom('api_keys')
      .select('id')
      .where('user_id', '=', ana.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    const bobs = await signInWeb(server, 'bob');
    const before = await stateOf(server);
    const token = await tokenFor(bobs, '/settings/keys', '/settings/keys');
    const res = await bobs.post(`/settings/keys/${anaKey.id}/revoke`, { form: { _csrf: token } });
    assert.equal(res.status, 404);
    for (const id of ['0', '99999999', 'x', '1e3', '123456789012345678901']) {
      const odd = await bobs.post(`/settings/keys/${id}/revoke`, { form: { _csrf: token } });
      assert.equal(odd.status, 404, id);
    }
    assert.deepEqual(await stateOf(server), before);
    assert.equal((await anonymous().get('/api/users/me', { key: ana.key })).status, 200);
  });

  test('forged posts are refused', async () => {
    const client = await signInWeb(server, 'ana');
    await assertForgeriesRefused(server, client, '/settings/keys', '/settings/keys', {
      name: 'forged',
    });
    const row = await db()
      .selectFrom('api_keys')
      .select('id')
      .where('user_id', '=', ana.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    const action = `/settings/keys/${row.id}/revoke`;
    await assertForgeriesRefused(server, client, '/settings/keys', action, {});
  });
});
