/**
 * Cross-site scripting vectors through the Markdown pipeline: each one rendered directly with
 * renderMarkdown, and all of them saved through POST /api/articles, and every output parsed
 * with a real HTML parser and walked element by element.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { sanitize } from '../../src/render/sanitize.ts';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertSafe, assertVector, VECTORS } from './xss-vectors.ts';

test('the vector table is large and has no duplicates', () => {
  assert.ok(VECTORS.length >= 60, `only ${VECTORS.length} vectors`);
  assert.equal(new Set(VECTORS.map((v) => v.name)).size, VECTORS.length, 'names are unique');
  assert.equal(new Set(VECTORS.map((v) => v.markdown)).size, VECTORS.length, 'vectors are unique');
});

test('the checker itself refuses unsafe HTML', () => {
  const unsafe = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&amp;#106;avascript:alert(1)">x</a>',
    '<a href=" &#14;javascript:alert(1)">x</a>',
    '<img srcset="https://example.com/a.png 1x, data:image/svg+xml,x 2x">',
    '<p style="color:red">x</p>',
    '<svg><a>x</a></svg>',
    '<iframe srcdoc="x"></iframe>',
    '<div srcdoc="x"></div>',
    '<math></math>',
  ];
  for (const html of unsafe) assert.throws(() => assertSafe(html, 'self-check'), html);
  assert.doesNotThrow(() =>
    assertSafe(
      '<p><a href="https://example.com/" rel="nofollow">ok</a><img src="/x.png"></p>',
      'ok',
    ),
  );
});

for (const vector of VECTORS) {
  test(`renderMarkdown neutralizes: ${vector.name}`, () => {
    assertVector(vector, renderMarkdown(vector.markdown).html, 'renderMarkdown');
  });
}

test('the output is a fixed point of the sanitizer: sanitizing it again changes nothing', () => {
  // A parse the sanitizer would read differently the second time would show up here.
  for (const vector of VECTORS) {
    const once = renderMarkdown(vector.markdown).html;
    assert.equal(sanitize(once), once, vector.name);
  }
});

let server: TestServer;
let author: Author;

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'xss_admin');
  author = await makeAuthor(server, 'xss_writer');
});
after(() => server.close());

test('POST /api/articles stores and returns neutralized body_html for every vector', async () => {
  const client = server.client();
  const ids: number[] = [];
  for (const [i, vector] of VECTORS.entries()) {
    const res = await client.post('/api/articles', {
      key: author.key,
      json: { article: { title: `Vector ${i + 1}`, body_markdown: vector.markdown } },
    });
    assert.equal(res.status, 201, `${vector.name}: ${res.text}`);
    const article = res.json();
    assert.equal(
      article.body_markdown,
      vector.markdown,
      `${vector.name}: Markdown kept as written`,
    );
    assertVector(vector, article.body_html, 'POST response');
    ids.push(article.id);
  }
  const rows = await server.ctx.database.db
    .selectFrom('articles')
    .select(['id', 'body_html'])
    .where('user_id', '=', author.id)
    .orderBy('id')
    .execute();
  assert.deepEqual(
    rows.map((r) => r.id),
    ids,
  );
  for (const [i, row] of rows.entries()) {
    const vector = VECTORS[i]!;
    assertVector(vector, row.body_html, 'stored row');
    assert.equal(
      row.body_html,
      renderMarkdown(vector.markdown).html,
      `${vector.name}: stored as rendered`,
    );
  }
  const readBack = await client.get(`/api/articles/${ids[0]}`, { key: author.key });
  assert.equal(readBack.status, 200);
  assertVector(VECTORS[0]!, readBack.json().body_html, 'GET response');
});
