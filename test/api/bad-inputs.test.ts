/**
 * A table of bad requests: each one is refused with its exact status and an error body that
 * carries Forem's `error`/`status` and RFC 9457's fields (an error page for HTML routes), none of
 * them changes the database, and none is logged as an error.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { assertProblem, assertProblemPage, type ExpectedProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, postArticle, snapshot } from '../helpers/fixtures.ts';
import type { HttpClient, Response } from '../helpers/http.ts';
import { signInWeb } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
/** The server's log lines from warn up, as pino writes them. */
const logLines: string[] = [];
/** Owns the articles that others try to change. */
let alice: Author;
/** An ordinary user acting on alice's articles. */
let bob: Author;
let published: { id: number };
let draft: { id: number };
/** alice's webhook endpoint, whose deliveries are listed by page. */
let hook: { id: number };
/** Signed-in browsers: alice, and the administrator. */
let aliceWeb: HttpClient;
let adminWeb: HttpClient;

before(async () => {
  server = await startTestServer({
    logger: pino({ level: 'warn' }, { write: (line: string) => logLines.push(line) }),
  });
  await makeAuthor(server, 'first_admin'); // the first account becomes admin; keep alice and bob ordinary
  alice = await makeAuthor(server, 'alice');
  bob = await makeAuthor(server, 'bob');
  assert.equal(alice.role, 'user');
  assert.equal(bob.role, 'user');
  published = await postArticle(server, alice, {
    title: 'A published article',
    body_markdown: 'Hello readers.',
    published: true,
    tags: ['testing'],
  });
  draft = await postArticle(server, alice, { title: 'A draft', body_markdown: 'Not yet.' });
  const made = await server.client().post('/api/webhooks', {
    key: alice.key,
    json: {
      webhook_endpoint: {
        target_url: 'https://hooks.example.com/bad-inputs',
        events: ['article.published'],
      },
    },
  });
  assert.equal(made.status, 201, made.text);
  hook = made.json();
  aliceWeb = await signInWeb(server, 'alice');
  adminWeb = await signInWeb(server, 'first_admin');
  // Cached public pages and feeds are answered before routing (the fast path): a broken page
  // number must not be served page 1 from there.
  for (const path of ['/', '/t/testing', '/alice', '/feed', '/feed/alice', '/feed/tag/testing']) {
    assert.equal((await server.client().get(path)).status, 200, path);
  }
});
after(() => server.close());

const valid = { article: { title: 'A fine title', body_markdown: 'Fine body.' } };
const KIB = 1024;

interface Case {
  name: string;
  /** Runs before the "before" snapshot; for cases whose preparation itself writes. */
  setup?: () => Promise<void>;
  send: (client: HttpClient) => Promise<Response>;
  expect: ExpectedProblem;
  /** For an HTML route: the answer is an error page whose explanation matches this. */
  page?: RegExp;
}

/** POST /api/articles as bob with the given `article` object. */
const create = (article: unknown) => (c: HttpClient) =>
  c.post('/api/articles', { key: bob.key, json: { article } });
/** PUT alice's own published article with the given `article` object. */
const edit = (article: unknown) => (c: HttpClient) =>
  c.put(`/api/articles/${published.id}`, { key: alice.key, json: { article } });

const invalid = (field: string | RegExp): ExpectedProblem => ({
  status: 422,
  code: 'validation_failed',
  field,
});
const notFound: ExpectedProblem = { status: 404, code: 'not_found' };
const forbidden: ExpectedProblem = { status: 403, code: 'forbidden' };
const unauthorized: ExpectedProblem = { status: 401, code: 'unauthorized' };

let revokedKey = '';

const cases: Case[] = [
  // Bodies that are not a JSON object at all.
  {
    name: 'malformed JSON',
    send: (c) =>
      c.post('/api/articles', {
        key: bob.key,
        headers: { 'content-type': 'application/json' },
        body: '{"article": {"title": "oops",',
      }),
    expect: { status: 400, code: 'bad_request' },
  },
  {
    name: 'Content-Type text/plain',
    send: (c) =>
      c.post('/api/articles', {
        key: bob.key,
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(valid),
      }),
    expect: { status: 415, code: 'unsupported_media_type' },
  },
  {
    name: 'Content-Type application/xml',
    send: (c) =>
      c.post('/api/articles', {
        key: bob.key,
        headers: { 'content-type': 'application/xml' },
        body: '<article><title>x</title></article>',
      }),
    expect: { status: 415, code: 'unsupported_media_type' },
  },
  {
    name: 'an empty JSON body',
    send: (c) =>
      c.post('/api/articles', {
        key: bob.key,
        headers: { 'content-type': 'application/json' },
        body: '',
      }),
    expect: { status: 400, code: 'bad_request' },
  },
  {
    name: 'a 3 MiB body, over the 2 MiB HTTP limit',
    send: (c) =>
      c.post('/api/articles', {
        key: bob.key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify('x'.repeat(3 * KIB * KIB)),
      }),
    expect: { status: 413, code: 'payload_too_large' },
  },

  // Field checks on create.
  {
    name: 'five tags',
    send: create({ ...valid.article, tags: ['one', 'two', 'three', 'four', 'five'] }),
    expect: invalid('tags'),
  },
  {
    name: 'five tags as a comma-separated tag_list',
    send: create({ ...valid.article, tag_list: 'one, two, three, four, five' }),
    expect: invalid('tags'),
  },
  {
    name: 'a tag with symbols',
    send: create({ ...valid.article, tags: ['c++'] }),
    expect: invalid('tags'),
  },
  {
    name: 'a 129-character title',
    send: create({ ...valid.article, title: 't'.repeat(129) }),
    expect: invalid('title'),
  },
  {
    name: 'a missing title on create',
    send: create({ body_markdown: 'A body without any title.' }),
    expect: invalid('title'),
  },
  {
    name: 'a blank title on create',
    send: create({ ...valid.article, title: '   ' }),
    expect: invalid('title'),
  },
  {
    name: 'body_markdown one byte over 800 KiB',
    send: create({ title: 'Long', body_markdown: 'a'.repeat(800 * KIB + 1) }),
    expect: invalid('body_markdown'),
  },
  {
    name: 'body_markdown over 800 KiB in multi-byte characters',
    // 409,601 characters (well under 800 Ki of them), but 'é' is two bytes: 819,201 bytes.
    send: create({ title: 'Long', body_markdown: `${'é'.repeat(409_600)}a` }),
    expect: invalid('body_markdown'),
  },
  {
    name: 'canonical_url javascript:alert(1)',
    send: create({ ...valid.article, canonical_url: 'javascript:alert(1)' }),
    expect: invalid('canonical_url'),
  },
  {
    name: 'canonical_url javascript: in front matter',
    send: create({
      body_markdown: '---\ntitle: Sneaky\ncanonical_url: javascript:alert(1)\n---\nBody',
    }),
    expect: invalid('canonical_url'),
  },
  {
    name: 'invalid YAML front matter',
    send: create({ body_markdown: '---\ntitle: [unclosed\ntags: a, b\n---\nBody text' }),
    expect: invalid('body_markdown'),
  },
  {
    name: 'five tags in front matter',
    send: create({ body_markdown: '---\ntitle: Many tags\ntags: a, b, c, d, e\n---\nBody' }),
    expect: invalid('tags'),
  },
  {
    name: 'published: "maybe"',
    send: create({ ...valid.article, published: 'maybe' }),
    expect: invalid(/(^|\.)published$/),
  },
  {
    name: 'title as an object',
    send: create({ ...valid.article, title: { text: 'nested' } }),
    expect: invalid(/(^|\.)title$/),
  },
  {
    name: '`article` missing',
    send: (c) => c.post('/api/articles', { key: bob.key, json: { title: 'No wrapper' } }),
    expect: invalid('article'),
  },
  {
    name: '`article` is a string',
    send: (c) => c.post('/api/articles', { key: bob.key, json: { article: 'text' } }),
    expect: invalid('article'),
  },
  {
    name: 'a JSON array instead of an object',
    send: (c) => c.post('/api/articles', { key: bob.key, json: [valid] }),
    expect: { status: 422, code: 'validation_failed', field: /.+/ },
  },

  // Field checks on update: the article keeps its stored state.
  {
    name: 'PUT own article with a 129-character title',
    send: edit({ title: 'u'.repeat(129) }),
    expect: invalid('title'),
  },
  {
    name: 'PUT own article with five tags',
    send: edit({ tags: 'one, two, three, four, five' }),
    expect: invalid('tags'),
  },
  {
    name: 'PUT own article with canonical_url javascript:',
    send: edit({ canonical_url: 'javascript:alert(1)' }),
    expect: invalid('canonical_url'),
  },
  {
    name: 'PUT own article with invalid YAML front matter',
    send: edit({ body_markdown: '---\ntitle: "unterminated\n---\nBody' }),
    expect: invalid('body_markdown'),
  },
  {
    name: 'PUT own article with published: "maybe"',
    send: edit({ published: 'maybe' }),
    expect: invalid(/(^|\.)published$/),
  },

  // Ids that name nothing the caller may reach.
  {
    name: 'GET an unknown id',
    send: (c) => c.get('/api/articles/987654'),
    expect: notFound,
  },
  {
    name: 'PUT an unknown id',
    send: (c) => c.put('/api/articles/987654', { key: bob.key, json: valid }),
    expect: notFound,
  },
  {
    name: 'DELETE an unknown id',
    send: (c) => c.delete('/api/articles/987654', { key: bob.key }),
    expect: notFound,
  },
  {
    name: 'GET a non-numeric id',
    send: (c) => c.get('/api/articles/abc'),
    expect: notFound,
  },
  {
    name: 'PUT a non-numeric id',
    send: (c) => c.put('/api/articles/abc', { key: bob.key, json: valid }),
    expect: notFound,
  },
  {
    name: 'DELETE a non-numeric id',
    send: (c) => c.delete('/api/articles/abc', { key: bob.key }),
    expect: notFound,
  },
  {
    name: 'GET id 0',
    send: (c) => c.get('/api/articles/0'),
    expect: notFound,
  },
  {
    name: "PUT someone else's published article",
    send: (c) => c.put(`/api/articles/${published.id}`, { key: bob.key, json: valid }),
    expect: forbidden,
  },
  {
    name: "DELETE someone else's published article",
    send: (c) => c.delete(`/api/articles/${published.id}`, { key: bob.key }),
    expect: forbidden,
  },
  {
    name: "GET someone else's draft",
    send: (c) => c.get(`/api/articles/${draft.id}`, { key: bob.key }),
    expect: notFound,
  },
  {
    name: "PUT someone else's draft",
    send: (c) => c.put(`/api/articles/${draft.id}`, { key: bob.key, json: valid }),
    expect: notFound,
  },
  {
    name: "DELETE someone else's draft",
    send: (c) => c.delete(`/api/articles/${draft.id}`, { key: bob.key }),
    expect: notFound,
  },

  // Credentials.
  {
    name: 'POST without a key',
    send: (c) => c.post('/api/articles', { json: valid }),
    expect: unauthorized,
  },
  {
    name: 'PUT without a key',
    send: (c) => c.put(`/api/articles/${published.id}`, { json: valid }),
    expect: unauthorized,
  },
  {
    name: 'DELETE without a key',
    send: (c) => c.delete(`/api/articles/${published.id}`),
    expect: unauthorized,
  },
  {
    name: 'an unknown key',
    send: (c) => c.post('/api/articles', { key: 'quire_not-a-real-key-at-all', json: valid }),
    expect: unauthorized,
  },
  {
    name: 'a revoked key',
    setup: async () => {
      const c = server.client();
      const made = await c.post('/api/api_keys', { key: bob.key, json: { name: 'to revoke' } });
      assert.equal(made.status, 201, made.text);
      const { id, key } = made.json();
      const revoked = await c.delete(`/api/api_keys/${id}`, { key: bob.key });
      assert.equal(revoked.status, 204, revoked.text);
      revokedKey = key;
    },
    send: (c) => c.post('/api/articles', { key: revokedKey, json: valid }),
    expect: unauthorized,
  },
  {
    name: 'a revoked key on DELETE of its own article',
    setup: async () => {
      const c = server.client();
      const made = await c.post('/api/api_keys', { key: alice.key, json: {} });
      assert.equal(made.status, 201, made.text);
      const { id, key } = made.json();
      assert.equal((await c.delete(`/api/api_keys/${id}`, { key: alice.key })).status, 204);
      revokedKey = key;
    },
    send: (c) => c.delete(`/api/articles/${published.id}`, { key: revokedKey }),
    expect: unauthorized,
  },
  {
    name: 'Authorization: Bearer with no token',
    send: (c) => c.post('/api/articles', { headers: { authorization: 'Bearer' }, json: valid }),
    expect: unauthorized,
  },
  {
    name: 'Authorization with two tokens',
    send: (c) =>
      c.post('/api/articles', {
        headers: { authorization: `Bearer ${bob.key} ${bob.key}` },
        json: valid,
      }),
    expect: unauthorized,
  },
  {
    name: 'Authorization: Basic instead of a key',
    send: (c) =>
      c.post('/api/articles', {
        headers: {
          authorization: `Basic ${Buffer.from('bob:a-long-password').toString('base64')}`,
        },
        json: valid,
      }),
    expect: unauthorized,
  },
  {
    name: 'a wrong password on sign-in',
    send: (c) =>
      c.post('/api/auth/signin', { json: { login: 'bob', password: 'not-the-password' } }),
    expect: unauthorized,
  },
  {
    name: 'sign-in for an account that does not exist',
    send: (c) =>
      c.post('/api/auth/signin', { json: { login: 'nobody', password: 'a-long-password' } }),
    expect: unauthorized,
  },
];

// Numbers in URLs. Every route that reads a number from its query string (from the route files:
// articles, tags, webhooks, the site's pages and the feeds), given each kind of broken number.
const BROKEN_NUMBERS: Array<[kind: string, query: (name: string) => string]> = [
  ['Infinity', (n) => `${n}=Infinity`],
  ['-Infinity', (n) => `${n}=-Infinity`],
  ['1e309 (Infinity as a double)', (n) => `${n}=1e309`],
  ['negative', (n) => `${n}=-1`],
  ['huge', (n) => `${n}=99999999999999999999`],
  ['fractional', (n) => `${n}=1.5`],
  ['non-numeric', (n) => `${n}=abc`],
  ['hexadecimal', (n) => `${n}=0x10`],
  ['empty', (n) => `${n}=`],
  ['repeated', (n) => `${n}=1&${n}=2`],
];

interface NumericRoute {
  /** `{hook}` stands for alice's webhook endpoint, made before the tests. */
  path: string;
  params: string[];
  /** API routes: the key sent. */
  key?: () => string;
  /** Pages: the signed-in browser, if any. */
  as?: () => HttpClient;
  page?: true;
}

const paging = ['page', 'per_page'];
const numericRoutes: NumericRoute[] = [
  { path: '/api/articles', params: [...paging, 'top', 'collection_id'] },
  { path: '/api/articles/latest', params: paging },
  ...['me', 'me/published', 'me/unpublished', 'me/all'].map((list) => ({
    path: `/api/articles/${list}`,
    params: paging,
    key: () => alice.key,
  })),
  { path: '/api/tags', params: paging },
  { path: '/api/webhooks/{hook}/deliveries', params: paging, key: () => alice.key },
  ...['/', '/t/testing', '/alice'].map((path) => ({ path, params: ['page'], page: true as const })),
  { path: '/dashboard/drafts', params: ['page'], as: () => aliceWeb, page: true },
  { path: '/admin', params: ['page'], as: () => adminWeb, page: true },
  {
    path: '/settings/webhooks/{hook}',
    params: ['page', 'replayed'],
    as: () => aliceWeb,
    page: true,
  },
  ...['/feed', '/feed.atom', '/feed.json', '/rss', '/feed/alice', '/feed/tag/testing'].map(
    (path) => ({ path, params: ['page'], page: true as const }),
  ),
];

for (const route of numericRoutes) {
  for (const param of route.params) {
    for (const [kind, query] of BROKEN_NUMBERS) {
      cases.push({
        name: `GET ${route.path}?${param}= ${kind}`,
        send: (c) => {
          const url = `${route.path.replace('{hook}', String(hook.id))}?${query(param)}`;
          return (route.as?.() ?? c).get(url, route.key ? { key: route.key() } : {});
        },
        expect: { status: 422, code: 'validation_failed', field: param },
        ...(route.page && { page: new RegExp(`^Validation failed: ${param} (must|is) `) }),
      });
    }
  }
}

// Ids in paths are the same kind of number: a broken one names nothing (404), on both databases.
const BROKEN_IDS = ['Infinity', '-Infinity', '1e309', '99999999999999999999', '1.5', '0x10'];
const idRoutes: Array<[label: string, send: (c: HttpClient, id: string) => Promise<Response>]> = [
  ['GET /api/articles/{id}', (c, id) => c.get(`/api/articles/${id}`)],
  [
    'PUT /api/articles/{id}',
    (c, id) => c.put(`/api/articles/${id}`, { key: bob.key, json: valid }),
  ],
  ['DELETE /api/articles/{id}', (c, id) => c.delete(`/api/articles/${id}`, { key: bob.key })],
  ['DELETE /api/api_keys/{id}', (c, id) => c.delete(`/api/api_keys/${id}`, { key: bob.key })],
  [
    'DELETE /api/feed_sources/{id}',
    (c, id) => c.delete(`/api/feed_sources/${id}`, { key: bob.key }),
  ],
  [
    'POST /api/feed_sources/{id}/poll',
    (c, id) => c.post(`/api/feed_sources/${id}/poll`, { key: bob.key }),
  ],
  ['GET /api/webhooks/{id}', (c, id) => c.get(`/api/webhooks/${id}`, { key: alice.key })],
  [
    'POST /api/webhooks/{id}/deliveries/{delivery_id}/replay',
    (c, id) => c.post(`/api/webhooks/${hook.id}/deliveries/${id}/replay`, { key: alice.key }),
  ],
  ['GET /api/users/{id}', (c, id) => c.get(`/api/users/${id}`)],
];
for (const [label, send] of idRoutes) {
  for (const id of BROKEN_IDS) {
    cases.push({ name: `${label} with id ${id}`, send: (c) => send(c, id), expect: notFound });
  }
}

for (const c of cases) {
  test(`${c.name}: ${c.expect.status}, database unchanged, nothing logged as an error`, async () => {
    await c.setup?.();
    const client = server.client();
    const beforeSnap = await snapshot(server);
    const logged = logLines.length;
    const res = await c.send(client);
    if (c.page) assertProblemPage(res, c.expect.status, c.page);
    else assertProblem(res, c.expect);
    assert.deepEqual(await snapshot(server), beforeSnap);
    const errors = logLines.slice(logged).filter((line) => JSON.parse(line).level >= 50);
    assert.deepEqual(errors, [], 'no error-level log line');
    if (c.expect.status === 401 || c.expect.status === 403) {
      assert.equal(client.cookies.has('quire_session'), false, 'a refused request signs no one in');
    }
  });
}

test('the refused requests left both articles exactly as created', async () => {
  const c = server.client();
  const pub = await c.get(`/api/articles/${published.id}`);
  assert.equal(pub.status, 200);
  assert.equal(pub.json().title, 'A published article');
  assert.deepEqual(pub.json().tags, ['testing']);
  assert.equal(pub.json().canonical_url, pub.json().url);
  const mine = await c.get('/api/articles/me/all', { key: alice.key });
  assert.deepEqual(
    mine
      .json()
      .map((a: { id: number }) => a.id)
      .sort(),
    [published.id, draft.id].sort(),
  );
  const bobs = await c.get('/api/articles/me/all', { key: bob.key });
  assert.deepEqual(bobs.json(), []);
});
