/**
 * Every id-taking write of comments, reactions and reports refuses other people's items: a
 * visible item that is someone else's is 403, one the caller cannot see is 404, and
 * administrators' moderation answers 404 to everyone else. Each refusal changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setCommentHidden } from '../../src/modules/comments/comments.service.ts';
import { userById } from '../../src/modules/users/users.service.ts';
import { type Author, makeAuthor, postArticle, snapshot } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { formToken, signInWeb } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let cy: Author;
let alpha: { id: number };
let gamma: { id: number };
let draft: { id: number };
/** bob's comment on ada's public article. */
let onAlpha: string;
/** bob's comment on an article ada then unpublished. */
let onGamma: string;
/** bob's comment, deleted. */
let deleted: string;
let report: number;

const api = () => server.client();
const comment = async (who: Author, article_id: number, body: string) => {
  const res = await api().post('/api/comments', {
    key: who.key,
    json: { comment: { body_markdown: body, article_id } },
  });
  assert.equal(res.status, 201, res.text);
  return res.json<{ id_code: string }>().id_code;
};

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'chief', { admin: true });
  ada = await makeAuthor(server, 'ada');
  bob = await makeAuthor(server, 'bob');
  cy = await makeAuthor(server, 'cyd');
  alpha = await postArticle(server, ada, { title: 'Alpha', body_markdown: 'A.', published: true });
  gamma = await postArticle(server, ada, { title: 'Gamma', body_markdown: 'G.', published: true });
  draft = await postArticle(server, ada, { title: 'Draft', body_markdown: 'D.' });
  server.clock.advance(2 * 86_400_000);
  onAlpha = await comment(bob, alpha.id, 'On alpha');
  onGamma = await comment(bob, gamma.id, 'On gamma');
  deleted = await comment(bob, alpha.id, 'Soon gone');
  assert.equal((await api().delete(`/api/comments/${deleted}`, { key: bob.key })).status, 204);
  const unpublish = await api().put(`/api/articles/${gamma.id}`, {
    key: ada.key,
    json: { article: { published: false } },
  });
  assert.equal(unpublish.status, 200, unpublish.text);
  const reported = await api().post('/api/reports', {
    key: cy.key,
    json: { report: { reportable_type: 'Article', reportable_id: alpha.id, reason: 'spam' } },
  });
  assert.equal(reported.status, 201, reported.text);
  report = reported.json().id;
});
after(() => server.close());

/** Runs the requests, checks each status, and that the database is as it was. */
async function refused(
  cases: Array<[string, () => Promise<{ status: number; text: string }>, number]>,
) {
  const before = await snapshot(server);
  for (const [name, run, status] of cases) {
    const res = await run();
    assert.equal(res.status, status, `${name}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  assert.deepEqual(await snapshot(server), before, 'nothing changed');
}

const edit = (who: Author, code: string) => () =>
  api().put(`/api/comments/${code}`, {
    key: who.key,
    json: { comment: { body_markdown: 'Taken over' } },
  });
const remove = (who: Author, code: string) => () =>
  api().delete(`/api/comments/${code}`, { key: who.key });

test("someone else's comment: 403 while it shows, 404 on a draft or once deleted", async () => {
  await refused([
    ['edit a visible comment', edit(cy, onAlpha), 403],
    ['delete a visible comment', remove(cy, onAlpha), 403],
    ["the article's author edits it", edit(ada, onAlpha), 403],
    ['edit on an unpublished article', edit(cy, onGamma), 404],
    ['delete on an unpublished article', remove(cy, onGamma), 404],
    ['edit a deleted comment', edit(cy, deleted), 404],
    ['delete a deleted comment', remove(cy, deleted), 404],
    ['edit a comment that never was', edit(cy, 'pp'), 404],
  ]);
});

test("hiding a comment on someone else's article is refused (403 visible, 404 hidden)", async () => {
  const cyd = (await userById(server.ctx, cy.id))!;
  const before = await snapshot(server);
  await assert.rejects(setCommentHidden(server.ctx, cyd, Number.parseInt(onAlpha, 26), true), {
    status: 403,
  });
  await assert.rejects(setCommentHidden(server.ctx, cyd, Number.parseInt(onGamma, 26), true), {
    status: 404,
  });
  assert.deepEqual(await snapshot(server), before);
});

test('reactions on a draft or an unpublished article do not exist', async () => {
  const toggle = (type: string, id: number | string) => () =>
    api().post(`/api/reactions/toggle?category=like&reactable_id=${id}&reactable_type=${type}`, {
      key: cy.key,
    });
  await refused([
    ['a draft', toggle('Article', draft.id), 404],
    ['an unpublished article', toggle('Article', gamma.id), 404],
    ['a comment on an unpublished article', toggle('Comment', Number.parseInt(onGamma, 26)), 404],
    ['a deleted comment', toggle('Comment', Number.parseInt(deleted, 26)), 404],
    [
      'the reading list of a draft',
      () =>
        api().post('/api/reactions', {
          key: cy.key,
          json: { category: 'readinglist', reactable_id: draft.id, reactable_type: 'Article' },
        }),
      404,
    ],
  ]);
});

test('reports of what the reporter cannot see are 404, from the API and the page', async () => {
  const reportOf = (type: string, id: number) => () =>
    api().post('/api/reports', {
      key: cy.key,
      json: { report: { reportable_type: type, reportable_id: id, reason: 'spam' } },
    });
  const page = await signInWeb(server, 'cyd');
  const form = await page.get('/report?reportable_type=Comment&reportable_id=1');
  const _csrf = formToken(form.text, '/report');
  const pageReport = (type: string, id: string) => () =>
    page.post('/report', {
      form: { _csrf, reportable_type: type, reportable_id: id, reason: 'spam', note: '' },
    });
  await refused([
    ['a draft', reportOf('Article', draft.id), 404],
    ['an unpublished article', reportOf('Article', gamma.id), 404],
    ['a comment on an unpublished article', reportOf('Comment', Number.parseInt(onGamma, 26)), 404],
    ['a deleted comment', reportOf('Comment', Number.parseInt(deleted, 26)), 404],
    ['nothing at all', reportOf('Article', 999_999), 404],
    ['a second open report', reportOf('Article', alpha.id), 409],
    ['a draft, by the page', pageReport('Article', String(draft.id)), 404],
    ['a deleted comment, by the page', pageReport('Comment', deleted), 404],
    [
      'a bad reason',
      () =>
        api().post('/api/reports', {
          key: bob.key,
          json: { report: { reportable_type: 'Article', reportable_id: alpha.id, reason: 'meh' } },
        }),
      422,
    ],
    [
      'a note too long',
      () =>
        api().post('/api/reports', {
          key: bob.key,
          json: {
            report: {
              reportable_type: 'Article',
              reportable_id: alpha.id,
              reason: 'spam',
              note: 'x'.repeat(1001),
            },
          },
        }),
      422,
    ],
    [
      'without an account',
      () =>
        api().post('/api/reports', {
          json: { report: { reportable_type: 'Article', reportable_id: alpha.id, reason: 'spam' } },
        }),
      401,
    ],
  ]);
});

test("administrators' moderation is a 404 to everyone else", async () => {
  const client: HttpClient = await signInWeb(server, 'bob');
  const _csrf = formToken(
    (await client.get('/report?reportable_type=Article&reportable_id=1')).text,
    '/report',
  );
  await refused([
    ['the reports page', () => client.get('/admin/reports'), 404],
    [
      'dismiss',
      () => client.post(`/admin/reports/${report}`, { form: { _csrf, action: 'dismiss' } }),
      404,
    ],
    [
      'delete',
      () => client.post(`/admin/reports/${report}`, { form: { _csrf, action: 'delete' } }),
      404,
    ],
    [
      'suspend the author',
      () => client.post(`/admin/reports/${report}`, { form: { _csrf, action: 'suspend' } }),
      404,
    ],
    [
      'suspend an account',
      () => client.post(`/admin/accounts/${ada.id}/suspend`, { form: { _csrf } }),
      404,
    ],
    [
      'lift a suspension',
      () => client.post(`/admin/accounts/${ada.id}/unsuspend`, { form: { _csrf } }),
      404,
    ],
  ]);
});
