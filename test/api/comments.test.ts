/**
 * Comments and reactions through the API: Forem's shapes, threads, edits and deletes, counts
 * kept on write, events with their audiences, and a discussion that changes its own article's
 * cached answers and nothing else.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let cy: Author;
let admin: Author;
let alpha: { id: number; path: string; slug: string };
let beta: { id: number; path: string; slug: string };
let draft: { id: number };

before(async () => {
  server = await startTestServer();
  admin = await makeAuthor(server, 'mod', { admin: true });
  ada = await makeAuthor(server, 'ada');
  bob = await makeAuthor(server, 'bob');
  cy = await makeAuthor(server, 'cyd');
  alpha = await postArticle(server, ada, {
    title: 'Alpha',
    body_markdown: 'A.',
    published: true,
    tags: ['alpha'],
  });
  beta = await postArticle(server, bob, {
    title: 'Beta',
    body_markdown: 'B.',
    published: true,
    tags: ['beta'],
  });
  draft = await postArticle(server, ada, { title: 'Draft', body_markdown: 'D.' });
  // Accounts older than a day write under the ordinary limits.
  server.clock.advance(2 * 86_400_000);
});
after(() => server.close());

const api = () => server.client();
const comment = (who: Author, article_id: number, body: string, parent_id?: string) =>
  api().post('/api/comments', {
    key: who.key,
    json: { comment: { body_markdown: body, article_id, ...(parent_id && { parent_id }) } },
  });
const events = async (type: string) =>
  server.ctx.database.db
    .selectFrom('events')
    .selectAll()
    .where('type', '=', type)
    .orderBy('id')
    .execute();

test('a comment, a reply and a reply to the reply make a tree in Forem shape', async () => {
  const top = await comment(bob, alpha.id, 'Nice **work**.');
  assert.equal(top.status, 201, top.text);
  const first = top.json();
  assert.equal(first.type_of, 'comment');
  assert.match(first.id_code, /^[0-9a-p]+$/);
  assert.equal(first.body_html, '<p>Nice <strong>work</strong>.</p>\n');
  assert.equal(first.user.username, 'bob');
  assert.deepEqual(first.children, []);
  assert.equal(top.headers.get('location'), `${server.url}/api/comments/${first.id_code}`);

  const reply = (await comment(ada, alpha.id, 'Thanks!', first.id_code)).json();
  const deeper = await comment(cy, alpha.id, 'Agreed.', reply.id_code);
  assert.equal(deeper.status, 201, deeper.text);

  const tree = (await api().get(`/api/comments?a_id=${alpha.id}`)).json();
  assert.equal(tree.length, 1);
  assert.equal(tree[0].id_code, first.id_code);
  assert.equal(tree[0].children[0].id_code, reply.id_code);
  assert.equal(tree[0].children[0].children[0].body_html, '<p>Agreed.</p>\n');

  const one = (await api().get(`/api/comments/${reply.id_code}`)).json();
  assert.equal(one.children.length, 1, 'a comment comes with its replies');

  const article = (await api().get(`/api/articles/${alpha.id}`)).json();
  assert.equal(article.comments_count, 3);

  const created = await events('comment.created');
  assert.equal(created.length, 3);
  // A reply concerns the article's author and the author of the comment it answers (once when
  // they are the same account).
  assert.deepEqual(
    created.map((e) => [e.owner_id, e.co_owner_id]),
    [
      [ada.id, null],
      [ada.id, bob.id],
      [ada.id, null],
    ],
  );
});

test('the author edits and deletes their comment; replies stay; others are refused', async () => {
  const c = (await comment(cy, beta.id, 'First try.')).json();
  const reply = (await comment(bob, beta.id, 'Reply.', c.id_code)).json();
  const before = (await api().get(`/api/articles/${beta.id}`)).json().comments_count;

  const other = await api().put(`/api/comments/${c.id_code}`, {
    key: bob.key,
    json: { comment: { body_markdown: 'Hijack' } },
  });
  assert.equal(other.status, 403);
  const otherDelete = await api().delete(`/api/comments/${c.id_code}`, { key: bob.key });
  assert.equal(otherDelete.status, 403);

  const edited = await api().put(`/api/comments/${c.id_code}`, {
    key: cy.key,
    json: { comment: { body_markdown: 'Second try.' } },
  });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.json().body_html, '<p>Second try.</p>\n');
  assert.notEqual(edited.json().edited_at, null);

  assert.equal((await api().delete(`/api/comments/${c.id_code}`, { key: cy.key })).status, 204);
  const gone = (await api().get(`/api/comments/${c.id_code}`)).json();
  assert.equal(gone.body_html, '<p>[deleted]</p>');
  assert.equal(gone.children[0].id_code, reply.id_code, 'the reply stays in its thread');
  assert.equal((await api().get(`/api/articles/${beta.id}`)).json().comments_count, before - 1);
  // Deleted: gone for edits and deletes alike.
  assert.equal((await api().delete(`/api/comments/${c.id_code}`, { key: cy.key })).status, 404);
  // An administrator may delete anyone's comment.
  assert.equal(
    (await api().delete(`/api/comments/${reply.id_code}`, { key: admin.key })).status,
    204,
  );
});

test('bad comments are refused and change nothing', async () => {
  const count = async () =>
    Number(
      (
        await server.ctx.database.db
          .selectFrom('comments')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const n = await count();
  assert.equal((await comment(bob, alpha.id, '   ')).status, 422);
  assert.equal((await comment(bob, alpha.id, 'x'.repeat(25_001))).status, 422);
  assert.equal((await comment(bob, draft.id, 'On a draft')).status, 404);
  assert.equal((await comment(bob, 999_999, 'Nowhere')).status, 404);
  assert.equal((await comment(bob, alpha.id, 'Wrong parent', 'zz')).status, 422);
  const onBeta = (await comment(bob, beta.id, 'On beta')).json();
  assert.equal((await comment(bob, alpha.id, 'Parent elsewhere', onBeta.id_code)).status, 422);
  const anonymous = await api().post('/api/comments', {
    json: { comment: { body_markdown: 'Who?', article_id: alpha.id } },
  });
  assert.equal(anonymous.status, 401);
  assert.equal(await count(), n + 1);
  // The same text twice within a minute is refused.
  assert.equal((await comment(cy, alpha.id, 'Echo')).status, 201);
  assert.equal((await comment(cy, alpha.id, 'Echo')).status, 409);
  server.clock.advance(61_000);
  assert.equal((await comment(cy, alpha.id, 'Echo')).status, 201);
});

test('the comment body goes through the sanitizer', async () => {
  const body = '<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))';
  const c = (await comment(bob, alpha.id, body)).json();
  assert.doesNotMatch(c.body_html, /<script|onerror|href="javascript:/i);
});

test('reactions toggle in Forem shape, and counts follow the rows', async () => {
  const toggle = (who: Author, category: string, id: number, type = 'Article') =>
    api().post(
      `/api/reactions/toggle?category=${category}&reactable_id=${id}&reactable_type=${type}`,
      { key: who.key },
    );
  const on = await toggle(bob, 'like', alpha.id);
  assert.equal(on.status, 201, on.text);
  assert.deepEqual(
    { ...on.json<object>(), id: 0 },
    {
      result: 'create',
      category: 'like',
      id: 0,
      reactable_id: alpha.id,
      reactable_type: 'Article',
    },
  );
  await toggle(cy, 'unicorn', alpha.id);
  await toggle(cy, 'readinglist', alpha.id);
  let article = (await api().get(`/api/articles/${alpha.id}`)).json();
  assert.equal(article.public_reactions_count, 2, 'the reading list is not a public reaction');
  assert.equal(article.positive_reactions_count, 2);

  const off = await toggle(bob, 'like', alpha.id);
  assert.equal(off.json().result, 'destroy');
  article = (await api().get(`/api/articles/${alpha.id}`)).json();
  assert.equal(article.public_reactions_count, 1);

  const created = await api().post(
    `/api/reactions?category=fire&reactable_id=${alpha.id}&reactable_type=Article`,
    { key: bob.key },
  );
  assert.equal(created.json().result, 'create');
  const again = await api().post(
    `/api/reactions?category=fire&reactable_id=${alpha.id}&reactable_type=Article`,
    { key: bob.key },
  );
  assert.equal(again.json().result, 'none');

  assert.equal((await toggle(bob, 'thumbsdown', alpha.id)).status, 422);
  assert.equal((await toggle(bob, 'readinglist', 1, 'Comment')).status, 422);
  assert.equal((await toggle(bob, 'like', draft.id)).status, 404);

  const list = (await api().get('/api/readinglist', { key: cy.key })).json();
  assert.equal(list.length, 1);
  assert.equal(list[0].type_of, 'readinglist');
  assert.equal(list[0].article.id, alpha.id);
  assert.deepEqual((await api().get('/api/readinglist', { key: bob.key })).json(), []);

  const mine = await api().get(`/api/reactions/mine?article_id=${alpha.id}`, { key: cy.key });
  assert.deepEqual(mine.json().article.sort(), ['readinglist', 'unicorn']);
  assert.match(mine.headers.get('cache-control') ?? '', /private/);
});

test('a comment or reaction on one article leaves other cached answers as they were', async () => {
  const anon = (path: string) => api().get(path);
  const paths = [
    `/api/articles/${beta.id}`,
    `/api/comments?a_id=${beta.id}`,
    beta.path,
    '/',
    '/t/beta',
    '/bob',
  ];
  const own = [`/api/articles/${alpha.id}`, `/api/comments?a_id=${alpha.id}`, alpha.path];
  for (const p of [...paths, ...own]) await anon(p);
  for (const p of [...paths, ...own])
    assert.equal((await anon(p)).headers.get('cache-status'), 'quire; hit', p);
  await comment(cy, alpha.id, 'Another one.');
  await api().post(
    `/api/reactions/toggle?category=fire&reactable_id=${alpha.id}&reactable_type=Article`,
    { key: cy.key },
  );
  await server.ctx.eventHead.current();
  for (const p of paths) assert.equal((await anon(p)).headers.get('cache-status'), 'quire; hit', p);
  for (const p of own)
    assert.equal((await anon(p)).headers.get('cache-status'), 'quire; fwd=miss', p);
  // The home page lists alpha with its counts: it may show the old ones for the count lag.
  assert.equal((await anon('/')).headers.get('cache-status'), 'quire; hit');
  server.clock.advance(31_000);
  assert.equal((await anon('/')).headers.get('cache-status'), 'quire; fwd=miss');
});

test('a reply names its parent by an id_code of digits only, or by its number, alike', async () => {
  // Codes are base 26: "10" is comment 26, not comment 10. Write comments until one's code is
  // all digits and reads differently as a decimal number.
  let parent: { id_code: string } | undefined;
  for (let i = 0; i < 60 && !parent; i++) {
    server.clock.advance(61_000);
    const c = (await comment(ada, beta.id, `Filler ${i}.`)).json();
    if (/^[0-9]{2,}$/.test(c.id_code)) parent = c;
  }
  assert.ok(parent, 'no comment got a code of digits only');
  const parentId = Number.parseInt(parent.id_code, 26);
  const parentOf = async (code: string) =>
    (
      await server.ctx.database.db
        .selectFrom('comments')
        .select('parent_id')
        .where('id', '=', Number.parseInt(code, 26))
        .executeTakeFirstOrThrow()
    ).parent_id;

  const byCode = await comment(cy, beta.id, 'By its code.', parent.id_code);
  assert.equal(byCode.status, 201, byCode.text);
  assert.equal(await parentOf(byCode.json().id_code), parentId, 'the code is read in base 26');

  const byNumber = await api().post('/api/comments', {
    key: cy.key,
    json: {
      comment: { body_markdown: 'By its number.', article_id: beta.id, parent_id: parentId },
    },
  });
  assert.equal(byNumber.status, 201, byNumber.text);
  assert.equal(await parentOf(byNumber.json().id_code), parentId, 'a number is the id itself');

  const top = await api().post('/api/comments', {
    key: cy.key,
    json: { comment: { body_markdown: 'No parent.', article_id: beta.id, parent_id: null } },
  });
  assert.equal(top.status, 201, top.text);
  assert.equal(await parentOf(top.json().id_code), null);
});
