/**
 * A change drops exactly the cached answers built from what it touched: each public page and feed
 * is asked for again after a write and must say `Cache-Status: quire; hit` unless the write
 * changed something it shows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findUserById } from '../../src/modules/users/users.repository.ts';
import { updateProfile } from '../../src/modules/users/users.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let alpha: { id: number; path: string };
let beta: { id: number; path: string };
let gamma: { id: number; path: string };
let draftId: number;

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'ada');
  bob = await makeAuthor(server, 'bob');
  alpha = await postArticle(server, ada, {
    title: 'Alpha',
    body_markdown: 'First.',
    published: true,
    tags: ['alpha'],
  });
  beta = await postArticle(server, ada, {
    title: 'Beta',
    body_markdown: 'Second.',
    published: true,
    tags: ['beta'],
  });
  gamma = await postArticle(server, bob, {
    title: 'Gamma',
    body_markdown: 'Third.',
    published: true,
    tags: ['gamma'],
  });
  const draft = await postArticle(server, ada, {
    title: 'Draft',
    body_markdown: 'Not yet.',
    published: false,
    tags: ['alpha'],
  });
  draftId = draft.id;
});
after(() => server.close());

const PAGES = () => ({
  home: '/',
  alphaPage: alpha.path,
  betaPage: beta.path,
  gammaPage: gamma.path,
  adaProfile: '/ada',
  bobProfile: '/bob',
  alphaTag: '/t/alpha',
  betaTag: '/t/beta',
  gammaTag: '/t/gamma',
  siteFeed: '/feed',
  siteAtom: '/feed.atom',
  adaFeed: '/feed/ada',
  bobFeed: '/feed/bob.json',
  gammaFeed: '/feed/tag/gamma',
  betaFeed: '/feed/tag/beta',
});
type Name = keyof ReturnType<typeof PAGES>;

/** Each answer's Cache-Status, after asking once more so every one is cached again after. */
async function statuses(): Promise<Record<Name, string>> {
  const out = {} as Record<Name, string>;
  for (const [name, path] of Object.entries(PAGES()) as Array<[Name, string]>) {
    const res = await server.client().get(path);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    out[name] = res.headers.get('cache-status') ?? '(none)';
    const again = await server.client().get(path);
    assert.equal(again.headers.get('cache-status'), 'quire; hit', `${path} is cached once built`);
  }
  return out;
}

/** Which answers were built anew (a miss) since they were last cached. */
async function rebuilt(): Promise<Name[]> {
  const now = await statuses();
  return (Object.keys(now) as Name[]).filter((name) => now[name] !== 'quire; hit').sort();
}

async function edit(author: Author, id: number, article: Record<string, unknown>) {
  server.clock.advance(60_000);
  const res = await server.client().put(`/api/articles/${id}`, {
    key: author.key,
    json: { article },
  });
  assert.equal(res.status, 200, res.text);
}

test('every answer names its keys and says whether it came from the cache', async () => {
  await statuses();
  const page = await server.client().get(alpha.path);
  assert.equal(page.headers.get('cache-status'), 'quire; hit');
  const keys = page.headers.get('surrogate-key')?.split(' ') ?? [];
  assert.ok(keys.includes(`article:${alpha.id}`), keys.join(' '));
  assert.ok(keys.includes(`user:${ada.id}`), keys.join(' '));
  assert.ok(keys.includes('site'), keys.join(' '));
  assert.deepEqual(await rebuilt(), [], 'nothing changed, nothing is rebuilt');
});

test('editing a draft rebuilds nothing public', async () => {
  await statuses();
  await edit(ada, draftId, { body_markdown: 'Still not yet, but longer.' });
  assert.deepEqual(await rebuilt(), []);
});

test("editing one article rebuilds what shows it, and leaves other articles, tags and authors' pages cached", async () => {
  await statuses();
  await edit(ada, alpha.id, { body_markdown: 'First, edited.' });
  assert.deepEqual(await rebuilt(), [
    'adaFeed',
    'adaProfile',
    'alphaPage',
    'alphaTag',
    'home',
    'siteAtom',
    'siteFeed',
  ]);
  const page = await server.client().get(alpha.path);
  assert.match(page.text, /First, edited\./);
});

test('adding a tag to an article rebuilds that tag and what shows the article, and leaves the rest', async () => {
  await statuses();
  await edit(bob, gamma.id, { tags: ['gamma', 'beta'] });
  assert.deepEqual(await rebuilt(), [
    'betaFeed',
    'betaTag',
    'bobFeed',
    'bobProfile',
    'gammaFeed',
    'gammaPage',
    'gammaTag',
    'home',
    'siteAtom',
    'siteFeed',
  ]);
  const tag = await server.client().get('/t/beta');
  assert.match(tag.text, /Gamma/);
});

test("publishing rebuilds the lists it enters and its author's, not other authors' or tags'", async () => {
  await statuses();
  server.clock.advance(60_000);
  await postArticle(server, bob, {
    title: 'Delta',
    body_markdown: 'Fourth.',
    published: true,
    tags: ['beta'],
  });
  assert.deepEqual(await rebuilt(), [
    'betaFeed',
    'betaTag',
    'bobFeed',
    'bobProfile',
    'home',
    'siteAtom',
    'siteFeed',
  ]);
});

test("a profile change rebuilds every answer that shows the author's name, and no other", async () => {
  await statuses();
  const user = await findUserById(server.ctx.database.db, ada.id);
  assert.ok(user);
  await updateProfile(server.ctx, user, {
    name: 'Ada L.',
    summary: '',
    website_url: '',
    profile_image: '',
  });
  const changed = await rebuilt();
  for (const name of ['alphaPage', 'betaPage', 'adaProfile', 'adaFeed'] as const)
    assert.ok(changed.includes(name), `${name} rebuilt: ${changed.join(', ')}`);
  for (const name of ['gammaPage', 'bobProfile', 'gammaTag', 'bobFeed'] as const)
    assert.ok(!changed.includes(name), `${name} stays cached: ${changed.join(', ')}`);
});
