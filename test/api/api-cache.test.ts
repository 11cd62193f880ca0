/**
 * The public API from the response cache: anonymous GETs are built once and then hits, with
 * ETag, 304 and compression; they carry the same JSON a caller with a key gets; a write drops
 * exactly the answers that show what it changed; and nobody's own answer (a draft) ever reaches
 * the cache.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let alpha: { id: number; path: string; slug: string };
let draft: { id: number };

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
  await postArticle(server, bob, {
    title: 'Beta',
    body_markdown: 'Second.',
    published: true,
    tags: ['beta'],
  });
  draft = await postArticle(server, ada, { title: 'Secret', body_markdown: 'Not yet.' });
});
after(() => server.close());

const anon = (path: string, headers: Record<string, string> = {}) =>
  server.client().get(path, { headers });
const status = async (path: string) => (await anon(path)).headers.get('cache-status');

const PUBLIC = () => [
  '/api/articles',
  '/api/articles?tag=alpha',
  '/api/articles?username=bob',
  '/api/articles/latest',
  `/api/articles/${alpha.id}`,
  `/api/articles/ada/${alpha.slug}`,
  '/api/tags',
  `/api/users/${bob.id}`,
  '/api/users/by_username?url=ada',
];

test('anonymous reads are built once, then served from the cache with validators', async () => {
  for (const path of PUBLIC()) {
    const first = await anon(path);
    assert.equal(first.status, 200, `${path}: ${first.text}`);
    assert.equal(first.headers.get('cache-status'), 'quire; fwd=miss', path);
    const again = await anon(path);
    assert.equal(again.headers.get('cache-status'), 'quire; hit', path);
    assert.equal(again.text, first.text);
    assert.match(again.headers.get('content-type') ?? '', /^application\/json/);
    const etag = again.headers.get('etag') ?? '';
    assert.match(etag, /^"[\w-]+"$/);
    const notModified = await anon(path, { 'if-none-match': etag });
    assert.equal(notModified.status, 304, path);
    assert.match(again.headers.get('cache-control') ?? '', /^public, max-age=0, s-maxage=\d+/);
    assert.match(again.headers.get('vary') ?? '', /Api-Key/);
  }
});

test('a cached answer is the JSON a caller with a key gets, compressed once', async () => {
  for (const path of PUBLIC()) {
    const cached = await anon(path);
    const keyed = await server.client().get(path, { key: bob.key });
    assert.equal(keyed.headers.get('cache-status'), null, `${path} is built for its caller`);
    assert.deepEqual(JSON.parse(cached.text), JSON.parse(keyed.text), path);
  }
  const res = await fetch(`${server.url}/api/articles`, {
    headers: { 'accept-encoding': 'gzip' },
  });
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  assert.ok(res.headers.get('cache-status'));
});

test('parameters a route does not read share the entry', async () => {
  await anon('/api/articles');
  assert.equal(await status('/api/articles?utm_source=x&foo=1'), 'quire; hit');
});

test("an author's draft is theirs alone: never cached, never shown to others", async () => {
  const own = await server.client().get(`/api/articles/${draft.id}`, { key: ada.key });
  assert.equal(own.status, 200);
  const other = await anon(`/api/articles/${draft.id}`);
  assert.equal(other.status, 404);
  assert.equal(other.headers.get('cache-status'), null, 'errors are not cached');
});

test('a write drops exactly the answers that show what changed', async () => {
  for (const path of PUBLIC()) await anon(path);
  server.clock.advance(60_000);
  const res = await server.client().put(`/api/articles/${alpha.id}`, {
    key: ada.key,
    json: { article: { title: 'Alpha, renamed' } },
  });
  assert.equal(res.status, 200, res.text);
  const rebuilt: string[] = [];
  for (const path of PUBLIC()) if ((await status(path)) !== 'quire; hit') rebuilt.push(path);
  assert.deepEqual(rebuilt, [
    '/api/articles',
    '/api/articles?tag=alpha',
    '/api/articles/latest',
    `/api/articles/${alpha.id}`,
    `/api/articles/ada/${alpha.slug}`,
  ]);
  const list = await anon('/api/articles');
  assert.match(list.text, /Alpha, renamed/);

  // A new tag changes the tag list, and the lists of that tag.
  await anon('/api/articles?tag=gamma');
  server.clock.advance(60_000);
  await postArticle(server, bob, {
    title: 'Gamma',
    body_markdown: 'Third.',
    published: true,
    tags: ['gamma'],
  });
  assert.equal(await status('/api/tags'), 'quire; fwd=miss');
  const gamma = await anon('/api/articles?tag=gamma');
  assert.equal(JSON.parse(gamma.text).length, 1);
  assert.equal(await status(`/api/users/${bob.id}`), 'quire; hit', 'profiles stay cached');
});

test('the gzip variant is the same JSON', async () => {
  const res = await fetch(`${server.url}/api/tags`, { headers: { 'accept-encoding': 'gzip' } });
  const plain = await anon('/api/tags');
  const bytes = Buffer.from(await res.arrayBuffer());
  // fetch decodes gzip itself; either way the JSON is the same.
  const text =
    res.headers.get('content-encoding') === 'gzip' && bytes[0] === 0x1f
      ? gunzipSync(bytes).toString('utf8')
      : bytes.toString('utf8');
  assert.deepEqual(JSON.parse(text), JSON.parse(plain.text));
});
