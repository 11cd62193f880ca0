/**
 * Following from the pages, as a browser without script does: the Follow / Unfollow forms on
 * profile and tag pages, the counts they show, and what a follow does to cached pages: the
 * followed profile's page is rebuilt, every other page (another profile, home, articles) stays
 * a hit.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { signInWeb, submit } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let cyd: Author;
let bobWeb: HttpClient;
let article: { id: number; path: string };

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'page_ada');
  bob = await makeAuthor(server, 'page_bob');
  cyd = await makeAuthor(server, 'page_cyd');
  article = await postArticle(server, ada, {
    title: 'Followed writing',
    body_markdown: 'Words.',
    published: true,
    tags: ['gardens'],
  });
  server.clock.advance(2 * 86_400_000);
  bobWeb = await signInWeb(server, bob.username);
});
after(() => server.close());

const anonymous = (path: string) => server.client().get(path);
const status = async (path: string) => (await anonymous(path)).headers.get('cache-status');

/** The follow counts a page shows, as text. */
function countsOf(page: string): string {
  const match = /<p class="follow-counts">([\s\S]*?)<\/p>/.exec(page);
  assert.ok(match?.[1], 'no follow counts on the page');
  return match[1].replace(/<[^>]+>/g, '').trim();
}

test('a profile shows its counts, and "Sign in to follow" to a visitor', async () => {
  const res = await anonymous('/page_ada');
  assert.equal(res.status, 200);
  assert.equal(countsOf(res.text), '0 followers · 0 following · 0 tags followed');
  assert.match(
    res.text,
    /<a class="button" href="\/enter\?next=%2Fpage_ada">Sign in to follow<\/a>/,
  );
  assert.doesNotMatch(res.text, /action="\/follow"/);
});

test('following and unfollowing an account with the button, without script', async () => {
  const page = await bobWeb.get('/page_ada');
  assert.equal(page.headers.get('cache-control'), 'private, no-store');
  assert.match(page.text, /<button type="submit">Follow<\/button>/);
  const res = await submit(bobWeb, '/page_ada', '/follow', { user_id: String(ada.id) });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/page_ada');
  const after = await bobWeb.get('/page_ada');
  assert.match(after.text, /<button type="submit" aria-pressed="true">Unfollow<\/button>/);
  assert.equal(countsOf(after.text), '1 follower · 0 following · 0 tags followed');
  assert.equal(
    countsOf((await bobWeb.get('/page_bob')).text),
    '0 followers · 1 following · 0 tags followed',
  );
  // One's own profile has counts and no button.
  assert.doesNotMatch((await bobWeb.get('/page_bob')).text, /action="\/(un)?follow"/);
  const undo = await submit(bobWeb, '/page_ada', '/unfollow', { user_id: String(ada.id) });
  assert.equal(undo.status, 303);
  const again = await bobWeb.get('/page_ada');
  assert.match(again.text, /<button type="submit">Follow<\/button>/);
  assert.equal(countsOf(again.text), '0 followers · 0 following · 0 tags followed');
});

test('a tag page: its followers, and the button', async () => {
  const visitor = await anonymous('/t/gardens');
  assert.equal(countsOf(visitor.text), '0 followers');
  assert.match(visitor.text, /href="\/enter\?next=%2Ft%2Fgardens">Sign in to follow/);
  const res = await submit(bobWeb, '/t/gardens', '/follow', { tag: 'gardens' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/t/gardens');
  const page = await bobWeb.get('/t/gardens');
  assert.equal(countsOf(page.text), '1 follower');
  assert.match(
    page.text,
    /name="tag" value="gardens">\s*<button type="submit" aria-pressed="true">Unfollow/,
  );
  assert.equal(countsOf((await anonymous('/t/gardens')).text), '1 follower');
  assert.equal(
    countsOf((await bobWeb.get('/page_bob')).text),
    '0 followers · 0 following · 1 tag followed',
  );
  assert.equal((await submit(bobWeb, '/t/gardens', '/unfollow', { tag: 'gardens' })).status, 303);
  assert.equal(countsOf((await anonymous('/t/gardens')).text), '0 followers');
});

test('refused follows say why and change nothing', async () => {
  const db = server.ctx.database.db;
  const before = await db.selectFrom('follows').selectAll().execute();
  const page = await bobWeb.get('/page_ada');
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const own = await bobWeb.post('/follow', { form: { _csrf, user_id: String(bob.id) } });
  assert.equal(own.status, 422);
  assert.match(own.text, /cannot follow yourself/);
  assert.match(own.text, /<a href="\/page_bob">Go back<\/a>/);
  const bad = await bobWeb.post('/follow', { form: { _csrf, tag: 'no-dash' } });
  assert.equal(bad.status, 422);
  const noToken = await bobWeb.post('/follow', { form: { user_id: String(ada.id) } });
  assert.equal(noToken.status, 403);
  const visitor = await server.client().post('/follow', { form: { user_id: String(ada.id) } });
  assert.equal(visitor.status, 403);
  assert.deepEqual(await db.selectFrom('follows').selectAll().execute(), before);
});

test('a follow rebuilds the followed profile only: other pages stay cached', async () => {
  const pages = ['/', '/page_ada', '/page_cyd', article.path, '/t/gardens'];
  for (const path of pages) await anonymous(path);
  for (const path of pages) assert.equal(await status(path), 'quire; hit', path);
  // Bob follows Cyd: Ada's profile, home, the article and the tag page stay hits.
  const res = await submit(bobWeb, '/page_cyd', '/follow', { user_id: String(cyd.id) });
  assert.equal(res.status, 303);
  for (const path of ['/', '/page_ada', article.path, '/t/gardens'])
    assert.equal(await status(path), 'quire; hit', path);
  const cydPage = await anonymous('/page_cyd');
  assert.equal(cydPage.headers.get('cache-status'), 'quire; fwd=miss');
  assert.equal(countsOf(cydPage.text), '1 follower · 0 following · 0 tags followed');
  // Now a follow of Ada: her profile is rebuilt with the new count.
  await submit(bobWeb, '/page_ada', '/follow', { user_id: String(ada.id) });
  const adaPage = await anonymous('/page_ada');
  assert.equal(adaPage.headers.get('cache-status'), 'quire; fwd=miss');
  assert.equal(countsOf(adaPage.text), '1 follower · 0 following · 0 tags followed');
  assert.equal(await status('/page_ada'), 'quire; hit');
  for (const path of ['/', article.path, '/t/gardens'])
    assert.equal(await status(path), 'quire; hit', path);
});
