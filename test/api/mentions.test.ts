/**
 * @mentions through the real API and pages: a comment or an article that mentions an account
 * stores a link to its profile, a name with no account stays text, and the editor's preview and
 * the feeds show the same links.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LINK_REL } from '../../src/render/sanitize.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { signInWeb, tokenFor } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let article: { id: number };

const link = (name: string, written = name) =>
  `<a href="/${name}" class="mention" rel="${LINK_REL}">@${written}</a>`;

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'ada_m');
  bob = await makeAuthor(server, 'bob_m');
  article = await postArticle(server, ada, {
    title: 'Mentions',
    body_markdown: 'Here.',
    published: true,
  });
  server.clock.advance(2 * 86_400_000);
});
after(() => server.close());

const api = () => server.client();

test('a comment links the accounts it mentions and leaves other names as text', async () => {
  const res = await api().post('/api/comments', {
    key: bob.key,
    json: {
      comment: {
        article_id: article.id,
        body_markdown: 'Thanks @Ada_M, and @nobody_here; see `@ada_m`.',
      },
    },
  });
  assert.equal(res.status, 201, res.text);
  const created = res.json();
  assert.equal(
    created.body_html,
    `<p>Thanks ${link('ada_m', 'Ada_M')}, and @nobody_here; see <code>@ada_m</code>.</p>\n`,
  );
  const stored = await server.ctx.database.db
    .selectFrom('comments')
    .select('body_html')
    .where('article_id', '=', article.id)
    .executeTakeFirstOrThrow();
  assert.equal(stored.body_html, created.body_html);

  const edited = await api().put(`/api/comments/${created.id_code}`, {
    key: bob.key,
    json: { comment: { body_markdown: 'Rather @bob_m and @ghost_user' } },
  });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.json().body_html, `<p>Rather ${link('bob_m')} and @ghost_user</p>\n`);
});

test('an article links its mentions when created and when its body changes', async () => {
  const created = await api().post('/api/articles', {
    key: bob.key,
    json: {
      article: {
        title: 'Credits',
        body_markdown: '---\ntags: credits\n---\n\nWith @ada_m and @nobody_here.',
        published: true,
      },
    },
  });
  assert.equal(created.status, 201, created.text);
  const { id, body_html } = created.json();
  assert.equal(body_html, `<p>With ${link('ada_m')} and @nobody_here.</p>\n`);

  const updated = await api().put(`/api/articles/${id}`, {
    key: bob.key,
    json: { article: { body_markdown: 'Now @bob_m alone, not ada_m@example.com.' } },
  });
  assert.equal(updated.status, 200, updated.text);
  assert.equal(
    updated.json().body_html,
    `<p>Now ${link('bob_m')} alone, not ada_m@example.com.</p>\n`,
  );

  // A feed resolves the profile link against the site.
  const feed = await api().get('/feed/bob_m.json');
  assert.equal(feed.status, 200);
  const item = JSON.parse(feed.text).items.find((i: { title: string }) => i.title === 'Credits');
  assert.ok(item, feed.text);
  assert.match(item.content_html, new RegExp(`<a href="${server.url}/bob_m" class="mention"`));
});

test('the editor preview links mentions as publishing does', async () => {
  const web: HttpClient = await signInWeb(server, ada.username);
  const _csrf = await tokenFor(web, '/new', '/new');
  const res = await web.post('/preview', {
    form: { _csrf, body_markdown: '---\ntitle: Preview\n---\n\nHi @bob_m and @nobody_here' },
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(res.text.includes(link('bob_m')), res.text);
  assert.match(res.text, /and @nobody_here/);
});
