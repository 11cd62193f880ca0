/**
 * Search answers from the cache of search answers: a repeated search (the API's and the page's)
 * is a hit with validators; the writes that change what a search finds drop it (a publish, an
 * edit of the text, an unpublish, a schedule going live, an account created or renamed, a new
 * tag), the others leave it (a comment, a reaction, a draft saved); refused queries and signed-in
 * pages are never kept; and however many queries are made up, the cache's own budget keeps them
 * from pushing the site's pages out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { searchCacheOf } from '../../src/http/shared-response-cache.ts';
import { findUserById } from '../../src/modules/users/users.repository.ts';
import { updateProfile } from '../../src/modules/users/users.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { signInWeb } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { scrape, total } from '../metrics/support.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let wombat: { id: number };

before(async () => {
  // A small budget for search answers, which the last test fills.
  server = await startTestServer({ env: { QUIRE_SEARCH_CACHE_MB: '1' } });
  ada = await makeAuthor(server, 'scache_ada');
  bob = await makeAuthor(server, 'scache_bob');
  wombat = await postArticle(server, ada, {
    title: 'Wombats at dusk',
    body_markdown: 'Wombats dig burrows and leave square droppings.',
    published: true,
    tags: ['wombats'],
  });
  // Comments from accounts younger than a day are limited.
  server.clock.advance(2 * 86_400_000);
});
after(() => server.close());

const anon = (path: string, headers: Record<string, string> = {}) =>
  server.client().get(path, { headers });
const api = (q: string, extra = '') => anon(`/api/search?q=${encodeURIComponent(q)}${extra}`);
const status = async (path: string) => (await anon(path)).headers.get('cache-status');
const apiStatus = (q: string, extra = '') =>
  status(`/api/search?q=${encodeURIComponent(q)}${extra}`);
const titles = async (q: string) =>
  (await api(q)).json<Array<{ title: string }>>().map((a) => a.title);

/** Searches that a write must not drop, each asked once so it is cached. */
const KEPT = ['/api/search?q=wombats', '/search?q=wombats', '/api/search?q=scache&type=people'];
async function cacheAll(paths: string[]) {
  for (const path of paths) {
    const res = await anon(path);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
  }
}

test('a repeated search is a hit, answers 304 to its ETag, and names its keys', async () => {
  const before = await scrape(server.url);
  for (const path of ['/api/search?q=wombats', '/search?q=wombats']) {
    const first = await anon(path);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('cache-status'), 'quire; fwd=miss', path);
    const again = await anon(path);
    assert.equal(again.headers.get('cache-status'), 'quire; hit', path);
    assert.equal(again.text, first.text);
    assert.match(again.headers.get('cache-control') ?? '', /^public, max-age=0, s-maxage=\d+/);
    const etag = again.headers.get('etag') ?? '';
    assert.match(etag, /^"[\w-]+"$/);
    const notModified = await anon(path, { 'if-none-match': etag });
    assert.equal(notModified.status, 304, path);
    const keys = again.headers.get('surrogate-key')?.split(' ') ?? [];
    for (const key of ['site', 'search', `article:${wombat.id}`, `user:${ada.id}`])
      assert.ok(keys.includes(key), `${path} names ${key}: ${keys.join(' ')}`);
    // Counts on cards may lag: their keys are soft, and not sent.
    assert.ok(!keys.includes(`discussion:${wombat.id}`), keys.join(' '));
  }
  const after = await scrape(server.url);
  const delta = (name: string, cache: string) =>
    total(after, name, { cache }) - total(before, name, { cache });
  assert.equal(delta('quire_response_cache_misses_total', 'search'), 2);
  assert.equal(delta('quire_response_cache_hits_total', 'search'), 4, 'two hits, two 304s');
  assert.equal(delta('quire_response_cache_hits_total', 'page'), 0, 'not the pages cache');

  // What cannot change the answer shares the entry: case, accents, spacing in the API; the page
  // shows the query, so only spacing.
  assert.equal(await apiStatus('  WOMBATS '), 'quire; hit');
  assert.equal(await status('/search?q=%20wombats%20%20'), 'quire; hit');
  assert.equal(await status('/search?q=Wombats'), 'quire; fwd=miss');
  const page = await anon('/search?q=%20wombats%20%20');
  assert.match(page.text, /<input type="search" id="search-q" name="q" value="wombats"/);
  assert.match(page.text, /<meta name="robots" content="noindex">/);
});

test('a new matching article, an edit that makes one match, and an unpublish are seen at once', async () => {
  await cacheAll(['/api/search?q=burrows', '/search?q=burrows']);
  server.clock.advance(1000);
  const badger = await postArticle(server, bob, {
    title: 'Badgers',
    body_markdown: 'Badgers dig burrows too.',
    published: true,
    tags: ['badgers'],
  });
  assert.deepEqual((await titles('burrows')).sort(), ['Badgers', 'Wombats at dusk']);
  assert.match((await anon('/search?q=burrows')).text, /Badgers/);

  // An article that did not match is edited to match.
  const otter = await postArticle(server, bob, {
    title: 'Otters',
    body_markdown: 'Otters swim.',
    published: true,
  });
  assert.ok(!(await titles('burrows')).includes('Otters'));
  server.clock.advance(1000);
  const edit = await server.client().put(`/api/articles/${otter.id}`, {
    key: bob.key,
    json: { article: { body_markdown: 'Otters swim, and some live in burrows.' } },
  });
  assert.equal(edit.status, 200, edit.text);
  assert.ok((await titles('burrows')).includes('Otters'));

  server.clock.advance(1000);
  const unpublish = await server.client().put(`/api/articles/${badger.id}`, {
    key: bob.key,
    json: { article: { published: false } },
  });
  assert.equal(unpublish.status, 200, unpublish.text);
  assert.ok(!(await titles('burrows')).includes('Badgers'));
  assert.doesNotMatch((await anon('/search?q=burrows')).text, /Badgers/);
});

test('a comment, a reaction and a draft saved leave cached searches as they are', async () => {
  await cacheAll(KEPT);
  const comment = await server.client().post('/api/comments', {
    key: bob.key,
    json: { comment: { body_markdown: 'Wombats are great.', article_id: wombat.id } },
  });
  assert.equal(comment.status, 201, comment.text);
  const reaction = await server
    .client()
    .post(`/api/reactions/toggle?category=like&reactable_id=${wombat.id}&reactable_type=Article`, {
      key: bob.key,
    });
  assert.ok(reaction.status < 300, reaction.text);
  const draft = await postArticle(server, ada, { title: 'Wombats, a draft', body_markdown: 'x' });
  const saved = await server.client().put(`/api/articles/${draft.id}`, {
    key: ada.key,
    json: { article: { body_markdown: 'More about wombats, not yet public.' } },
  });
  assert.equal(saved.status, 200, saved.text);
  for (const path of KEPT) assert.equal(await status(path), 'quire; hit', path);
});

test('a scheduled article is found once its time comes', async () => {
  await cacheAll(['/api/search?q=platypus']);
  const at = new Date(server.clock.now().getTime() + 3_600_000).toISOString();
  const res = await server.client().post('/api/articles', {
    key: ada.key,
    json: {
      article: { title: 'Platypus', body_markdown: 'Eggs.', published: true, published_at: at },
    },
  });
  assert.equal(res.status, 201, res.text);
  const waiting = await api('platypus');
  assert.deepEqual(waiting.json(), []);
  // Built again with the schedule as its expiry: a shared cache keeps it no longer either.
  assert.equal(waiting.headers.get('cache-status'), 'quire; fwd=miss');
  assert.equal(await apiStatus('platypus'), 'quire; hit');
  server.clock.advance(3_600_000);
  assert.deepEqual(await titles('platypus'), ['Platypus']);
});

test('people and tag searches follow accounts and tags', async () => {
  await cacheAll(['/api/search?q=scache&type=people', '/api/search?q=wom&type=tags']);
  const people = async (q: string) =>
    (await api(q, '&type=people')).json<Array<{ username: string }>>().map((p) => p.username);
  await makeAuthor(server, 'scache_cy');
  assert.deepEqual(await people('scache'), ['scache_ada', 'scache_bob', 'scache_cy']);

  assert.deepEqual(await people('Grace'), []);
  const user = await findUserById(server.ctx.database.db, bob.id);
  assert.ok(user);
  const profile = { summary: '', website_url: '', profile_image: '' };
  await updateProfile(server.ctx, user, { name: 'Grace Hopper', ...profile });
  assert.deepEqual(await people('Grace'), ['scache_bob']);
  // Another field of a profile changes only the answers that show the account.
  await cacheAll(['/api/search?q=scache_a&type=people']);
  await updateProfile(server.ctx, user, {
    ...profile,
    name: 'Grace Hopper',
    summary: 'Compilers',
  });
  assert.equal(await apiStatus('scache_a', '&type=people'), 'quire; hit');

  assert.equal(await apiStatus('wom', '&type=tags'), 'quire; hit');
  await postArticle(server, bob, {
    title: 'Womble',
    body_markdown: 'x',
    published: true,
    tags: ['wombles'],
  });
  const tags = (await api('wom', '&type=tags')).json<Array<{ name: string }>>();
  assert.deepEqual(tags.map((t) => t.name).sort(), ['wombats', 'wombles']);
});

test('refused queries and signed-in pages are never kept', async () => {
  const long = 'x'.repeat(300);
  for (let i = 0; i < 2; i++) {
    const refused = await api(long);
    assert.equal(refused.status, 422);
    assert.equal(refused.headers.get('cache-status'), null);
    const page = await anon(`/search?q=${long}`);
    assert.equal(page.status, 422);
    assert.equal(page.headers.get('cache-status'), null);
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
  }
  const signedIn = await signInWeb(server, 'scache_ada');
  await cacheAll(['/search?q=wombats']);
  for (let i = 0; i < 2; i++) {
    const own = await signedIn.get('/search?q=wombats');
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('cache-status'), null);
    assert.equal(own.headers.get('cache-control'), 'private, no-store');
    // A session cookie that no longer signs anyone in keeps the page out of the cache too.
    const stale = await anon('/search?q=wombats', { cookie: 'quire_session=gone' });
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('cache-status'), null);
  }
});

test('made-up queries past the budget evict searches only: the home page stays a hit', async () => {
  // Bodies large enough that a few dozen answers outweigh the 1 MiB budget.
  const filler = 'Aardvarks forage at night. '.repeat(200);
  for (let i = 0; i < 20; i++)
    await postArticle(server, ada, {
      title: `Aardvark ${i}`,
      body_markdown: `${filler} Variant ${i}.`,
      published: true,
    });
  assert.equal((await api('aardvarks', '&per_page=100')).status, 200);
  assert.equal(await apiStatus('aardvarks', '&per_page=100'), 'quire; hit');
  assert.equal((await anon('/')).status, 200);
  assert.equal(await status('/'), 'quire; hit');
  const cache = searchCacheOf(server.ctx);
  let evicted = false;
  for (let made = 0; made < 500 && !evicted; made++) {
    const entries = cache.size;
    // Each query excludes a word no article has: the same articles, another entry.
    const res = await api(`aardvarks -made${made}up`, '&per_page=100');
    assert.equal(res.status, 200);
    assert.equal(res.json<unknown[]>().length, 20);
    evicted = cache.size <= entries;
    assert.ok(cache.bytes <= 1024 * 1024, `within the budget: ${cache.bytes}`);
  }
  assert.ok(evicted, 'the budget was reached');
  assert.equal(await apiStatus('aardvarks', '&per_page=100'), 'quire; fwd=miss', 'the oldest left');
  assert.equal(await status('/'), 'quire; hit', 'the home page was not');
});
