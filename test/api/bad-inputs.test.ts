/**
 * A table of bad requests: each one is refused with its exact status and an error body that
 * carries Forem's `error`/`status` and RFC 9457's fields, and none of them changes the database.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, type ExpectedProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, postArticle, snapshot } from '../helpers/fixtures.ts';
import type { HttpClient, Response } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
/** Owns the articles that others try to change. */
let alice: Author;
/** An ordinary user acting on alice's articles. */
let bob: Author;
let published: { id: number };
let draft: { id: number };

before(async () => {
  server = await startTestServer();
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

for (const c of cases) {
  test(`${c.name}: ${c.expect.status}, database unchanged`, async () => {
    await c.setup?.();
    const client = server.client();
    const beforeSnap = await snapshot(server);
    const res = await c.send(client);
    assertProblem(res, c.expect);
    assert.deepEqual(await snapshot(server), beforeSnap);
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
