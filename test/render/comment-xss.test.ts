/**
 * Every cross-site scripting vector of the article tests through the comments API: written with
 * POST /api/comments, then edited with PUT /api/comments/{id_code} into another vector. What the
 * API answers, what it reads back and what is stored must hold nothing that could run script.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { idFromCode } from '../../src/modules/comments/comments.rules.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertVector, VECTORS } from './xss-vectors.ts';

let server: TestServer;
let writer: Author;
let article: { id: number };

before(async () => {
  server = await startTestServer();
  const author = await makeAuthor(server, 'xss_host');
  writer = await makeAuthor(server, 'xss_commenter');
  article = await postArticle(server, author, {
    title: 'Comments welcome',
    body_markdown: 'Say anything.',
    published: true,
  });
  server.clock.advance(2 * 86_400_000);
});
after(() => server.close());

/** Keeps the writer under the hourly comment limit (30): 20 comments an hour. */
const pace = () => server.clock.advance(3 * 60_000);

async function storedHtml(code: string): Promise<string> {
  const row = await server.ctx.database.db
    .selectFrom('comments')
    .select('body_html')
    .where('id', '=', idFromCode(code) ?? 0)
    .executeTakeFirstOrThrow();
  return row.body_html;
}

test('POST and PUT /api/comments store and return neutralized body_html for every vector', async () => {
  const client = server.client();
  const codes: string[] = [];
  for (const vector of VECTORS) {
    pace();
    const res = await client.post('/api/comments', {
      key: writer.key,
      json: { comment: { body_markdown: vector.markdown, article_id: article.id } },
    });
    assert.equal(res.status, 201, `${vector.name}: ${res.text}`);
    const comment = res.json();
    assertVector(vector, comment.body_html, 'POST /api/comments');
    const stored = await storedHtml(comment.id_code);
    assertVector(vector, stored, 'stored comment');
    assert.equal(
      stored,
      renderMarkdown(vector.markdown).html,
      `${vector.name}: stored as rendered`,
    );
    const read = await client.get(`/api/comments/${comment.id_code}`);
    assert.equal(read.status, 200);
    assertVector(vector, read.json().body_html, 'GET /api/comments/{id}');
    codes.push(comment.id_code);
  }

  // Each comment edited into the next vector, so every vector also arrives through an edit.
  for (const [i, code] of codes.entries()) {
    const vector = VECTORS[(i + 1) % VECTORS.length]!;
    const res = await client.put(`/api/comments/${code}`, {
      key: writer.key,
      json: { comment: { body_markdown: vector.markdown } },
    });
    assert.equal(res.status, 200, `${vector.name}: ${res.text}`);
    assertVector(vector, res.json().body_html, 'PUT /api/comments/{id}');
    const stored = await storedHtml(code);
    assertVector(vector, stored, 'stored edit');
    assert.equal(
      stored,
      renderMarkdown(vector.markdown).html,
      `${vector.name}: stored as rendered`,
    );
  }

  // The whole thread, as the API lists it, once more.
  const thread = await client.get(`/api/comments?a_id=${article.id}`);
  assert.equal(thread.status, 200);
  const listed = thread.json<Array<{ id_code: string; body_html: string }>>();
  assert.equal(listed.length, VECTORS.length);
  for (const [i, c] of listed.entries())
    assertVector(VECTORS[(i + 1) % VECTORS.length]!, c.body_html, 'GET /api/comments?a_id=');
});
