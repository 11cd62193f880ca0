/**
 * Moderation over HTTP: a reader reports a comment from the page form, the administrator sees it
 * at /admin/reports with its text and article and hides it; a report resolved by suspending the
 * author withholds their articles from every public page, feed and API answer, hides their
 * comments and refuses their writes; lifting the suspension brings it all back with the tags'
 * counts as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { formToken, signInWeb, submit } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let boss: Author;
let ada: Author;
let bob: Author;
let rea: Author;
let admin: HttpClient;
let alpha: { id: number; path: string; slug: string };
let second: { id: number; path: string; slug: string };
let beta: { id: number; path: string; slug: string };

before(async () => {
  server = await startTestServer();
  boss = await makeAuthor(server, 'boss', { admin: true });
  ada = await makeAuthor(server, 'ada');
  bob = await makeAuthor(server, 'bob');
  rea = await makeAuthor(server, 'rea');
  alpha = await postArticle(server, ada, {
    title: 'Alpha Withheld',
    body_markdown: 'A.',
    published: true,
    tags: ['modtag', 'shared'],
  });
  second = await postArticle(server, ada, {
    title: 'Second Withheld',
    body_markdown: 'S.',
    published: true,
    tags: ['modtag'],
  });
  beta = await postArticle(server, bob, {
    title: 'Beta Stays',
    body_markdown: 'B.',
    published: true,
    tags: ['shared'],
  });
  server.clock.advance(2 * 86_400_000);
  admin = await signInWeb(server, 'boss');
});
after(() => server.close());

const api = () => server.client();
const db = () => server.ctx.database.db;
const comment = async (who: Author, article_id: number, body: string) => {
  const res = await api().post('/api/comments', {
    key: who.key,
    json: { comment: { body_markdown: body, article_id } },
  });
  assert.equal(res.status, 201, res.text);
  return res.json<{ id_code: string }>();
};
const reportsOn = (type: string, id: number) =>
  db()
    .selectFrom('reports')
    .selectAll()
    .where('reportable_type', '=', type)
    .where('reportable_id', '=', id)
    .orderBy('id')
    .execute();
const eventCount = async (type: string) =>
  (await db().selectFrom('events').select('id').where('type', '=', type).execute()).length;

test('a reader reports a comment; the administrator sees it in context and hides it', async () => {
  const rude = await comment(bob, beta.id, 'Buy **cheap** watches');
  const commentId = Number.parseInt(rude.id_code, 26);
  const reader = await signInWeb(server, 'rea');
  const form = `/report?reportable_type=Comment&reportable_id=${rude.id_code}&next=${encodeURIComponent(beta.path)}`;
  const sent = await submit(reader, form, '/report', {
    reportable_type: 'Comment',
    reportable_id: rude.id_code,
    reason: 'spam',
    note: 'Selling watches.',
    next: new URL(beta.path, server.url).pathname,
  });
  assert.equal(sent.status, 303, sent.text);
  assert.match(sent.headers.get('location') ?? '', /^\/report\/thanks\?next=/);
  assert.match((await reader.get(sent.headers.get('location') as string)).text, /Thank you/);
  const [report] = await reportsOn('Comment', commentId);
  assert.equal(report?.reporter_id, rea.id);
  assert.equal(report?.status, 'open');
  assert.equal(await eventCount('report.created'), 1);

  // A second open report of the same item by the same reader is refused and stores nothing.
  const again = await submit(reader, form, '/report', {
    reportable_type: 'Comment',
    reportable_id: rude.id_code,
    reason: 'spam',
    note: '',
  });
  assert.equal(again.status, 409);
  assert.equal((await reportsOn('Comment', commentId)).length, 1);

  const page = await admin.get('/admin/reports');
  assert.equal(page.status, 200);
  assert.match(page.text, /Buy <strong>cheap<\/strong> watches/);
  assert.match(page.text, /Beta Stays/);
  assert.ok(page.text.includes(`/bob/${beta.slug}/comments/${rude.id_code}`));
  assert.match(page.text, /@rea/);
  assert.match(page.text, /Selling watches\./);

  const hidden = await submit(admin, '/admin/reports', `/admin/reports/${report?.id}`, {
    action: 'hide',
  });
  assert.equal(hidden.status, 303, hidden.text);
  const row = await db()
    .selectFrom('comments')
    .selectAll()
    .where('id', '=', commentId)
    .executeTakeFirstOrThrow();
  assert.equal(row.hidden, 2, 'hidden by a moderator, not by the author');
  const thread = await server.client().get(`/api/comments/${rude.id_code}`);
  assert.equal(thread.json().body_html, '<p>[hidden by a moderator]</p>');
  const [resolved] = await reportsOn('Comment', commentId);
  assert.equal(resolved?.status, 'resolved');
  assert.equal(resolved?.resolution, 'hide');
  assert.equal(resolved?.resolved_by, boss.id);
  assert.notEqual(resolved?.resolved_at, null);
  assert.equal(await eventCount('report.resolved'), 1);
  assert.doesNotMatch((await admin.get('/admin/reports')).text, /cheap/);
});

test('a report resolved by suspending the author withholds everything of theirs until lifted', async () => {
  const theirs = await comment(ada, beta.id, 'Ada was here');
  const anonymous = server.client();
  const tags = async () =>
    Object.fromEntries(
      (await api().get('/api/tags?per_page=100'))
        .json<Array<{ name: string }>>()
        .map((t: Record<string, unknown>) => [t.name, t]),
    );
  const tagsBefore = await tags();
  assert.ok(tagsBefore.modtag, 'the tag is listed before');
  // Built and cached before the suspension.
  for (const path of ['/', '/t/modtag', '/ada', '/feed', '/feed/ada', '/feed/tag/modtag'])
    assert.match((await anonymous.get(path)).text, /Alpha Withheld/, path);
  assert.equal((await anonymous.get(alpha.path)).status, 200);

  const reported = await api().post('/api/reports', {
    key: rea.key,
    json: { report: { reportable_type: 'Article', reportable_id: alpha.id, reason: 'other' } },
  });
  assert.equal(reported.status, 201, reported.text);
  assert.equal(reported.json().status, 'open');
  const byBob = await api().post('/api/reports', {
    key: bob.key,
    json: {
      report: { reportable_type: 'Article', reportable_id: alpha.id, reason: 'harassment' },
    },
  });
  assert.equal(byBob.status, 201, byBob.text);

  const done = await submit(admin, '/admin/reports', `/admin/reports/${reported.json().id}`, {
    action: 'suspend',
  });
  assert.equal(done.status, 303, done.text);
  const reports = await reportsOn('Article', alpha.id);
  assert.deepEqual(
    reports.map((r) => [r.status, r.resolution]),
    [
      ['resolved', 'suspend'],
      ['resolved', 'suspend'],
    ],
    'every open report on the item is resolved',
  );
  const user = await db()
    .selectFrom('users')
    .selectAll()
    .where('id', '=', ada.id)
    .executeTakeFirstOrThrow();
  assert.notEqual(user.suspended_at, null);
  assert.equal(await eventCount('user.suspended'), 1);

  for (const path of ['/', '/ada', '/feed', '/feed/ada', '/feed/tag/shared']) {
    const res = await anonymous.get(path);
    assert.doesNotMatch(res.text, /Withheld/, path);
  }
  assert.match((await anonymous.get('/')).text, /Beta Stays/);
  assert.equal((await anonymous.get('/t/modtag')).status, 404);
  assert.equal((await anonymous.get(alpha.path)).status, 404);
  assert.equal((await api().get(`/api/articles/${alpha.id}`)).status, 404);
  const listed = (await api().get('/api/articles')).json<Array<{ id: number }>>();
  assert.ok(!listed.some((a) => a.id === alpha.id || a.id === second.id));
  assert.equal((await api().get('/api/articles?username=ada')).json().length, 0);
  const thread = (await api().get(`/api/comments?a_id=${beta.id}`)).json<
    Array<{ id_code: string; body_html: string }>
  >();
  assert.equal(
    thread.find((c) => c.id_code === theirs.id_code)?.body_html,
    '<p>[hidden by a moderator]</p>',
  );
  const tagsDuring = await tags();
  assert.equal(tagsDuring.modtag, undefined, 'a tag only their articles carry is gone');

  // They may read, but write nothing.
  const refused = [
    await api().post('/api/comments', {
      key: ada.key,
      json: { comment: { body_markdown: 'Still here', article_id: beta.id } },
    }),
    await api().post(
      `/api/reactions/toggle?category=like&reactable_id=${beta.id}&reactable_type=Article`,
      {
        key: ada.key,
      },
    ),
    await api().post('/api/articles', {
      key: ada.key,
      json: { article: { title: 'Sneaky', body_markdown: 'x', published: true } },
    }),
    await api().put(`/api/articles/${alpha.id}`, {
      key: ada.key,
      json: { article: { published: true } },
    }),
    await api().post('/api/reports', {
      key: ada.key,
      json: { report: { reportable_type: 'Article', reportable_id: beta.id, reason: 'spam' } },
    }),
  ];
  assert.deepEqual(
    refused.map((r) => r.status),
    [403, 403, 403, 403, 403],
  );
  // Their own pages still open.
  const self = await signInWeb(server, 'ada');
  assert.equal((await self.get('/dashboard')).status, 200);
  assert.equal((await self.get(`/ada/${alpha.slug}/edit`)).status, 200);
  assert.equal((await api().get('/api/articles/me/all', { key: ada.key })).status, 200);

  const adminAccounts = await admin.get('/admin');
  assert.match(adminAccounts.text, /Lift suspension/);

  const lifted = await submit(admin, '/admin', `/admin/accounts/${ada.id}/unsuspend`, {});
  assert.equal(lifted.status, 303, lifted.text);
  for (const path of ['/', '/t/modtag', '/ada', '/feed', '/feed/ada', '/feed/tag/modtag'])
    assert.match((await anonymous.get(path)).text, /Alpha Withheld/, path);
  assert.equal((await anonymous.get(alpha.path)).status, 200);
  assert.deepEqual(await tags(), tagsBefore, 'the tags count as before');
  const back = (await api().get(`/api/comments?a_id=${beta.id}`)).json<
    Array<{ id_code: string; body_html: string }>
  >();
  assert.equal(back.find((c) => c.id_code === theirs.id_code)?.body_html, '<p>Ada was here</p>\n');
});

test('an administrator cannot suspend themselves or another administrator', async () => {
  const other = await makeAuthor(server, 'boss2', { admin: true });
  // The page offers no button for them; a forged post is refused.
  const page = (await admin.get('/admin')).text;
  assert.ok(!page.includes(`/admin/accounts/${other.id}/suspend`));
  const _csrf = formToken(page, '/admin/site');
  for (const id of [boss.id, other.id]) {
    const res = await admin.post(`/admin/accounts/${id}/suspend`, { form: { _csrf } });
    assert.equal(res.status, 403);
  }
  const suspended = await db()
    .selectFrom('users')
    .select('id')
    .where('suspended_at', 'is not', null)
    .execute();
  assert.deepEqual(suspended, []);
});
