/**
 * The administrator's page over HTTP: hidden (404) from everyone but administrators, the site's
 * name and description saved with their rules (a new name reaches the cached home page at once),
 * the accounts listed 50 to a page with their article counts, and forged posts refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAccount } from '../../src/modules/users/users.service.ts';
import { siteSettings } from '../../src/modules/site/site.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { AUTHOR_PASSWORD, signInWeb, submit, tokenFor } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertForgeriesRefused, stateOf } from './settings-support.ts';

let server: TestServer;
let writer: Author;
let admin: HttpClient;

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'chief', { admin: true });
  writer = await makeAuthor(server, 'writer');
  await postArticle(server, writer, { title: 'One', published: true });
  await postArticle(server, writer, { title: 'Two (a draft)' });
  admin = await signInWeb(server, 'chief');
});
after(() => server.close());

test('visitors are sent to sign in; other accounts get the same 404 as a missing page', async () => {
  const visitor = await server.client().get('/admin');
  assert.equal(visitor.status, 303);
  assert.equal(visitor.headers.get('location'), '/enter?next=%2Fadmin');

  const client = await signInWeb(server, 'writer');
  const page = await client.get('/admin');
  assert.equal(page.status, 404);
  const missing = await client.get('/no/such/page/here');
  assert.equal(missing.status, 404);
  const title = (text: string) => /<title>([^<]*)<\/title>/.exec(text)?.[1];
  assert.equal(title(page.text), title(missing.text));
  assert.doesNotMatch(page.text, /Administration|site_name/);

  const before = await stateOf(server);
  const token = await tokenFor(client, '/settings', '/settings');
  const post = await client.post('/admin/site', {
    form: { _csrf: token, site_name: 'Taken over', site_description: '' },
  });
  assert.equal(post.status, 404);
  assert.deepEqual(await stateOf(server), before);
});

test('the site form saves name and description, and the new name is on the home page at once', async () => {
  const anonymous = server.client();
  // Built and cached before the change.
  assert.match((await anonymous.get('/')).text, /<title>Quire<\/title>/);
  const page = await admin.get('/admin');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cache-control'), 'private, no-store');
  assert.equal((page.text.match(/<h1[ >]/g) ?? []).length, 1);
  assert.match(page.text, /name="site_name" type="text" value="Quire"/);

  const res = await submit(admin, '/admin', '/admin/site', {
    site_name: 'Engine Room',
    site_description: 'Notes from the machine shop',
  });
  assert.equal(res.status, 303, res.text);
  assert.equal(res.headers.get('location'), '/admin?done=saved');
  const saved = await admin.get('/admin?done=saved');
  assert.match(saved.text, /role="status">Saved</);
  assert.match(saved.text, /name="site_name" type="text" value="Engine Room"/);
  assert.match(saved.text, />Notes from the machine shop<\/textarea>/);
  assert.deepEqual(await siteSettings(server.ctx), {
    site_name: 'Engine Room',
    site_description: 'Notes from the machine shop',
  });
  const event = await server.ctx.database.db
    .selectFrom('events')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  assert.equal(event.type, 'site.updated');

  const home = await anonymous.get('/');
  assert.equal(home.status, 200);
  assert.match(home.text, /<title>Engine Room<\/title>/);
  assert.match(home.text, /class="brand" href="\/">Engine Room</);
  assert.match(home.text, /<meta name="description" content="Notes from the machine shop">/);
  const feed = await anonymous.get('/feed');
  assert.match(feed.text, /<description>Notes from the machine shop<\/description>/);
});

test('rule violations show beside their fields with the text kept, and nothing changes', async () => {
  const before = await stateOf(server);
  const description = 'd'.repeat(301);
  const res = await submit(admin, '/admin', '/admin/site', {
    site_name: '   ',
    site_description: description,
  });
  assert.equal(res.status, 422);
  assert.match(res.text, /id="f-site_name-error">Site name must be 1 to 100 characters</);
  assert.match(res.text, /aria-describedby="f-site_name-error"/);
  assert.match(
    res.text,
    /id="f-site_description-error">Site description is too long \(maximum is 300 characters\)</,
  );
  assert.ok(res.text.includes(`>${description}</textarea>`), 'the description is kept');
  assert.match(res.text, /<h2 id="accounts-heading">Accounts<\/h2>/, 'the page is whole');

  const long = await submit(admin, '/admin', '/admin/site', {
    site_name: 'n'.repeat(101),
    site_description: '',
  });
  assert.equal(long.status, 422);
  assert.match(long.text, /id="f-site_name-error"/);
  assert.deepEqual(await stateOf(server), before);
});

test('accounts are listed 50 to a page with role, joined date and article count', async () => {
  for (let i = 1; i <= 50; i++) {
    await createAccount(server.ctx, {
      username: `reader_${String(i).padStart(2, '0')}`,
      email: `reader_${i}@example.test`,
      password: AUTHOR_PASSWORD,
    });
  }
  // chief, writer, then 50 readers: 52 accounts, oldest first.
  const first = await admin.get('/admin');
  const rows = first.text.match(/<tr>\s*<th scope="row">/g) ?? [];
  assert.equal(rows.length, 50);
  assert.match(
    first.text,
    /<th scope="row"><a href="\/chief">@chief<\/a><\/th>\s*<td>chief<\/td>\s*<td>Administrator<\/td>\s*<td><time datetime="2026-03-01T12:00:00.000Z">Mar 1, 2026<\/time><\/td>\s*<td class="number">0<\/td>/,
  );
  assert.match(
    first.text,
    /<a href="\/writer">@writer<\/a><\/th>\s*<td>writer<\/td>\s*<td>Author<\/td>\s*<td>[^\n]*<\/td>\s*<td class="number">2<\/td>/,
  );
  assert.match(first.text, /@reader_48</);
  assert.doesNotMatch(first.text, /@reader_49</);
  assert.match(first.text, /rel="next" href="\/admin\?page=2"/);
  assert.doesNotMatch(first.text, /rel="prev"/);

  const second = await admin.get('/admin?page=2');
  assert.equal((second.text.match(/<tr>\s*<th scope="row">/g) ?? []).length, 2);
  assert.match(second.text, /@reader_49<[\s\S]*@reader_50</);
  assert.doesNotMatch(second.text, /rel="next"/);
  assert.match(second.text, /rel="prev" href="\/admin\?page=1"/);
});

test('forged posts are refused', async () => {
  await assertForgeriesRefused(server, admin, '/admin', '/admin/site', {
    site_name: 'Forged',
    site_description: '',
  });
});
