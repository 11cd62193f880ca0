/** A session as a DEV tool runs it: key, create with front matter, read back, update, unpublish. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let author: Author;

before(async () => {
  server = await startTestServer();
  author = await makeAuthor(server, 'devtool');
});
after(() => server.close());

const FIRST = `---
title: Shipping a CLI in TypeScript
published: true
description: How we ship it
tags: typescript, cli
---

Intro paragraph.

\`\`\`ts
export const answer: number = 42;
\`\`\`
`;

test('a DEV tool creates, reads, updates and unpublishes an article', async () => {
  const client = server.client();
  const headers = { accept: 'application/vnd.forem.api-v1+json' };

  const created = await client.post('/api/articles', {
    key: author.key,
    headers,
    json: { article: { body_markdown: FIRST } },
  });
  assert.equal(created.status, 201);
  const article = created.json();
  assert.equal(created.headers.get('location'), `${server.url}/devtool/${article.slug}`);
  assert.equal(article.title, 'Shipping a CLI in TypeScript');
  assert.deepEqual(article.tags, ['typescript', 'cli']);
  assert.equal(article.tag_list, 'typescript, cli');
  assert.equal(article.body_markdown, FIRST);
  assert.match(
    article.body_html,
    /<pre class="highlight" data-lang="TypeScript"><code class="hljs language-ts">/,
  );

  const byId = await client.get(`/api/articles/${article.id}`);
  assert.equal(byId.status, 200);
  assert.equal(byId.json().body_markdown, FIRST);
  const byPath = await client.get(`/api/articles/devtool/${article.slug}`);
  assert.equal(byPath.status, 200);
  assert.equal(byPath.json().id, article.id);

  const edited = FIRST.replace(
    'title: Shipping a CLI in TypeScript',
    'title: Shipping a CLI in TypeScript, revised',
  ).replace('tags: typescript, cli', 'tags: typescript, node, cli');
  const put = await client.put(`/api/articles/${article.id}`, {
    key: author.key,
    json: { article: { body_markdown: edited } },
  });
  assert.equal(put.status, 200);
  assert.equal(put.json().title, 'Shipping a CLI in TypeScript, revised');
  assert.deepEqual(put.json().tags, ['typescript', 'node', 'cli']);
  assert.equal(put.json().slug, article.slug, 'a published slug stays put');

  const all = await client.get('/api/articles/me/all', { key: author.key });
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.json().map((a: { id: number }) => a.id),
    [article.id],
  );
  assert.equal(all.json()[0].published, true);

  const publicBefore = await client.get('/api/articles');
  assert.ok(publicBefore.json().some((a: { id: number }) => a.id === article.id));

  const unpublished = edited.replace('published: true', 'published: false');
  const off = await client.put(`/api/articles/${article.id}`, {
    key: author.key,
    json: { article: { body_markdown: unpublished } },
  });
  assert.equal(off.status, 200);
  const publicAfter = await client.get('/api/articles');
  assert.ok(!publicAfter.json().some((a: { id: number }) => a.id === article.id));
  const mine = await client.get('/api/articles/me/unpublished', { key: author.key });
  assert.deepEqual(
    mine.json().map((a: { id: number }) => a.id),
    [article.id],
  );
  assert.equal(
    (await client.get(`/api/articles/${article.id}`)).status,
    404,
    'an anonymous reader no longer sees it',
  );
});
