/**
 * The discussion over HTTP as a browser without script drives it (and as the script does, with
 * `Accept: application/json`): comments, replies down past the depth a page shows, edits,
 * deletes, hiding, reactions and the reading list; what the shared cached page holds and keeps;
 * and the refusals that change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { idCode } from '../../src/modules/comments/comments.rules.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { formToken, signInWeb, submit, tokenFor } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
let cyd: Author;
let adaWeb: HttpClient;
let bobWeb: HttpClient;
let cydWeb: HttpClient;
let alpha: { id: number; path: string };
let beta: { id: number; path: string };

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'talk_ada');
  bob = await makeAuthor(server, 'talk_bob');
  cyd = await makeAuthor(server, 'talk_cyd');
  alpha = await postArticle(server, ada, {
    title: 'Alpha talk',
    body_markdown: 'A.',
    published: true,
    tags: ['talk'],
  });
  beta = await postArticle(server, ada, {
    title: 'Beta talk',
    body_markdown: 'B.',
    published: true,
  });
  // Accounts older than a day write under the ordinary limits.
  server.clock.advance(2 * 86_400_000);
  adaWeb = await signInWeb(server, ada.username);
  bobWeb = await signInWeb(server, bob.username);
  cydWeb = await signInWeb(server, cyd.username);
});
after(() => server.close());

const anonymous = (path: string) => server.client().get(path);

async function commentRow(body: string) {
  const row = await server.ctx.database.db
    .selectFrom('comments')
    .selectAll()
    .where('body_markdown', '=', body)
    .executeTakeFirst();
  assert.ok(row, `no comment "${body}"`);
  return row;
}

const countRows = async (table: 'comments' | 'events' | 'reactions') =>
  Number(
    (
      await server.ctx.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Posts a comment (or a reply) through the article page's form. */
function comment(client: HttpClient, path: string, body: string, parent?: string, extra = {}) {
  return submit(client, path, '/comments', {
    article_id: String(alpha.id),
    body_markdown: body,
    website: '',
    ...(parent && { parent_id: parent }),
    ...extra,
  });
}

/** The HTML of one comment's list item, up to the start of its replies. */
function commentHtml(page: string, code: string): string {
  const start = page.indexOf(`<li class="comment" id="comment-${code}">`);
  assert.ok(start >= 0, `comment ${code} is not on the page`);
  const end = page.indexOf('<li class="comment"', start + 1);
  return page.slice(start, end === -1 ? undefined : end);
}

describe('the shared article page', () => {
  test('has no form and nothing of a reader, offers sign-in, and is cached', async () => {
    const first = await anonymous(alpha.path);
    assert.equal(first.status, 200);
    // The header's search box is the only form: a GET, the same for everyone.
    assert.doesNotMatch(first.text, /<form(?! method="get" action="\/search")/);
    assert.doesNotMatch(first.text, /method="post"/);
    assert.doesNotMatch(first.text, /_csrf/);
    assert.equal(first.headers.get('set-cookie'), null);
    assert.match(
      first.text,
      new RegExp(
        `<a href="/enter\\?next(?:=|&#61;)${encodeURIComponent(alpha.path)}">Sign in to comment</a>`,
      ),
    );
    assert.match(first.text, /<span id="article-reactions">0<\/span> reactions/);
    const second = await anonymous(alpha.path);
    assert.equal(second.headers.get('cache-status'), 'quire; hit');
    assert.equal(second.text, first.text);
  });

  test("a comment on one article leaves another article's cached page a hit", async () => {
    await anonymous(beta.path);
    assert.equal((await anonymous(beta.path)).headers.get('cache-status'), 'quire; hit');
    await anonymous(alpha.path);
    const res = await comment(cydWeb, alpha.path, 'Cache check comment.');
    assert.equal(res.status, 303);
    assert.equal((await anonymous(beta.path)).headers.get('cache-status'), 'quire; hit');
    const changed = await anonymous(alpha.path);
    assert.equal(changed.headers.get('cache-status'), 'quire; fwd=miss');
    assert.match(changed.text, /Cache check comment\./);
  });

  test('cards on the home, tag and profile pages show the counts', async () => {
    for (const path of ['/', '/t/talk', '/talk_ada']) {
      const page = await anonymous(path);
      assert.match(page.text, /class="card-counts"/, path);
      assert.match(page.text, new RegExp(`href="${alpha.path}#comments">\\d+ comments?</a>`), path);
    }
  });
});

describe('a signed-in reader', () => {
  test('gets a private page with the comment form and its honeypot', async () => {
    const page = await bobWeb.get(alpha.path);
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    assert.ok(formToken(page.text, '/comments'));
    assert.match(page.text, /<textarea id="body-new" name="body_markdown"/);
    assert.match(page.text, /<p class="hp" aria-hidden="true">.*name="website"/);
    assert.doesNotMatch(page.text, /Sign in to comment/);
  });

  test('comments, replies to a reply, and a fourth level hides behind "Continue this thread"', async () => {
    const top = await comment(bobWeb, alpha.path, 'First **level**.');
    assert.equal(top.status, 303, top.text);
    const one = idCode((await commentRow('First **level**.')).id);
    assert.equal(top.headers.get('location'), `${alpha.path}#comment-${one}`);

    const r2 = await comment(adaWeb, alpha.path, 'Second level.', one);
    assert.equal(r2.status, 303);
    const two = idCode((await commentRow('Second level.')).id);
    const r3 = await comment(cydWeb, alpha.path, 'Third level.', two);
    assert.equal(r3.status, 303);
    const three = idCode((await commentRow('Third level.')).id);
    const r4 = await comment(bobWeb, alpha.path, 'Fourth level.', three);
    assert.equal(r4.status, 303);
    const four = idCode((await commentRow('Fourth level.')).id);
    // The article page does not show the fourth level: the answer goes to its parent's page.
    const threePath = `${alpha.path}/comments/${three}`;
    assert.equal(r4.headers.get('location'), `${threePath}#comment-${four}`);

    for (const page of [(await anonymous(alpha.path)).text, (await bobWeb.get(alpha.path)).text]) {
      assert.match(page, /<p>First <strong>level<\/strong>\.<\/p>/);
      assert.match(page, /Second level\./);
      assert.match(page, /Third level\./);
      assert.doesNotMatch(page, /Fourth level\./);
      assert.match(
        commentHtml(page, three),
        new RegExp(`<a href="${threePath}">Continue this thread</a>`),
      );
    }
    const thread = await anonymous(threePath);
    assert.equal(thread.status, 200);
    assert.match(thread.text, /Third level\./);
    assert.match(thread.text, /Fourth level\./);
    assert.match(thread.text, new RegExp(`<a href="${alpha.path}#comments">Back to`));
    assert.equal((await anonymous(threePath)).headers.get('cache-status'), 'quire; hit');
  });

  test('edits their comment, which then says "edited"', async () => {
    await comment(bobWeb, alpha.path, 'Before the edit.');
    const row = await commentRow('Before the edit.');
    const code = idCode(row.id);
    const page = (await bobWeb.get(alpha.path)).text;
    assert.match(commentHtml(page, code), /action="\/comments\/[0-9a-p]+\/edit"/);
    const res = await submit(bobWeb, alpha.path, `/comments/${code}/edit`, {
      body_markdown: 'After the edit.',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${alpha.path}#comment-${code}`);
    const shown = commentHtml((await anonymous(alpha.path)).text, code);
    assert.match(shown, /After the edit\./);
    assert.match(shown, /<span class="edited">edited<\/span>/);
  });

  test('an empty comment comes back with the message and nothing stored', async () => {
    const before = await countRows('comments');
    const res = await comment(bobWeb, alpha.path, '   ');
    assert.equal(res.status, 422);
    assert.match(res.text, /can&#39;t be blank|can't be blank/);
    assert.match(res.text, /<form method="post" action="\/comments"/);
    assert.equal(await countRows('comments'), before);
  });

  test('deletes their comment, which leaves "[deleted]" in its place', async () => {
    await comment(bobWeb, alpha.path, 'Soon gone.');
    const code = idCode((await commentRow('Soon gone.')).id);
    const res = await submit(bobWeb, alpha.path, `/comments/${code}/delete`, {});
    assert.equal(res.status, 303);
    const shown = commentHtml((await anonymous(alpha.path)).text, code);
    assert.match(shown, /\[deleted\]/);
    assert.doesNotMatch(shown, /Soon gone/);
  });

  test("someone else's comment has no edit or delete button, and a forged post changes nothing", async () => {
    await comment(bobWeb, alpha.path, 'Bob owns this.');
    const row = await commentRow('Bob owns this.');
    const code = idCode(row.id);
    const shown = commentHtml((await cydWeb.get(alpha.path)).text, code);
    assert.doesNotMatch(shown, /\/edit"/);
    assert.doesNotMatch(shown, /\/delete"/);
    assert.match(shown, /<summary>Reply<\/summary>/);
    const events = await countRows('events');
    // No form of Cyd's posts there: a forger takes the token of any form.
    const _csrf = await tokenFor(cydWeb, alpha.path, '/comments');
    const edit = await cydWeb.post(`/comments/${code}/edit`, {
      form: { _csrf, body_markdown: 'Forged.' },
    });
    assert.equal(edit.status, 403);
    assert.match(edit.text, /You may not change this comment/);
    const del = await cydWeb.post(`/comments/${code}/delete`, { form: { _csrf } });
    assert.equal(del.status, 403);
    const after = await commentRow('Bob owns this.');
    assert.deepEqual(after, row);
    assert.equal(await countRows('events'), events);
  });

  test('reacts to the article and takes it back; the button says what they gave', async () => {
    const toggle = () =>
      submit(bobWeb, alpha.path, '/reactions/toggle', {
        reactable_type: 'Article',
        reactable_id: String(alpha.id),
        category: 'unicorn',
        next: alpha.path,
      });
    const res = await toggle();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${alpha.path}#reactions`);
    const page = (await bobWeb.get(alpha.path)).text;
    assert.match(page, /<span id="article-reactions">1<\/span> reaction</);
    assert.match(page, /data-category="unicorn" aria-pressed="true">Unicorn</);
    assert.match(page, /data-category="like" aria-pressed="false">Like</);
    assert.match((await anonymous(alpha.path)).text, /<span id="article-reactions">1<\/span>/);
    assert.match(
      (await cydWeb.get(alpha.path)).text,
      /data-category="unicorn" aria-pressed="false"/,
    );
    await toggle();
    assert.match((await bobWeb.get(alpha.path)).text, /<span id="article-reactions">0<\/span>/);
  });

  test('saves the article to the reading list and takes it off from there', async () => {
    const save = await submit(bobWeb, alpha.path, '/reactions/toggle', {
      reactable_type: 'Article',
      reactable_id: String(alpha.id),
      category: 'readinglist',
      next: alpha.path,
    });
    assert.equal(save.status, 303);
    assert.match(
      (await bobWeb.get(alpha.path)).text,
      /data-category="readinglist" aria-pressed="true">Save</,
    );
    const list = await bobWeb.get('/readinglist');
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('cache-control'), 'private, no-store');
    assert.match(list.text, /Alpha talk/);
    const unsave = await submit(bobWeb, '/readinglist', '/reactions/toggle', {
      reactable_type: 'Article',
      reactable_id: String(alpha.id),
      category: 'readinglist',
      next: '/readinglist',
    });
    assert.equal(unsave.status, 303);
    assert.match(unsave.headers.get('location') ?? '', /^\/readinglist/);
    const empty = await bobWeb.get('/readinglist');
    assert.doesNotMatch(empty.text, /Alpha talk/);
    assert.match(empty.text, /Nothing saved yet/);
  });

  test('the reading list asks a signed-out visitor to sign in', async () => {
    const res = await anonymous('/readinglist');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/enter?next=%2Freadinglist');
  });
});

describe('the article author', () => {
  test('hides a comment for everyone, with a note, and shows it again', async () => {
    await comment(cydWeb, alpha.path, 'Rude words.');
    const code = idCode((await commentRow('Rude words.')).id);
    assert.doesNotMatch(commentHtml((await bobWeb.get(alpha.path)).text, code), /\/hide"/);
    assert.match(commentHtml((await adaWeb.get(alpha.path)).text, code), /\/hide"/);
    const res = await submit(adaWeb, alpha.path, `/comments/${code}/hide`, {});
    assert.equal(res.status, 303);
    for (const page of [(await anonymous(alpha.path)).text, (await bobWeb.get(alpha.path)).text]) {
      const shown = commentHtml(page, code);
      assert.match(
        shown,
        /<details class="hidden-comment"><summary>Comment hidden by the author<\/summary>/,
      );
      assert.match(shown, /\[hidden by the author\]/);
      assert.doesNotMatch(shown, /Rude words/);
    }
    const again = await submit(adaWeb, alpha.path, `/comments/${code}/unhide`, {});
    assert.equal(again.status, 303);
    assert.match(commentHtml((await anonymous(alpha.path)).text, code), /Rude words/);
  });

  test('another reader cannot hide it', async () => {
    const code = idCode((await commentRow('Rude words.')).id);
    const _csrf = await tokenFor(bobWeb, alpha.path, '/comments');
    const res = await bobWeb.post(`/comments/${code}/hide`, { form: { _csrf } });
    assert.equal(res.status, 403);
    assert.equal((await commentRow('Rude words.')).hidden, 0);
  });
});

describe('refusals', () => {
  test('a filled honeypot is told all went well, and nothing is stored', async () => {
    const comments = await countRows('comments');
    const events = await countRows('events');
    const res = await comment(bobWeb, alpha.path, 'Buy cheap things.', undefined, {
      website: 'https://spam.example',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${alpha.path}#comments`);
    assert.equal(await countRows('comments'), comments);
    assert.equal(await countRows('events'), events);
  });

  test('a signed-out post goes to the sign-in page and stores nothing', async () => {
    const client = server.client();
    const _csrf = await tokenFor(client, '/enter', '/enter');
    const before = await countRows('comments');
    const res = await client.post('/comments', {
      form: { _csrf, article_id: String(alpha.id), body_markdown: 'Anonymous.' },
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/enter');
    assert.equal(await countRows('comments'), before);
  });

  test('a post without the CSRF token is refused', async () => {
    const before = await countRows('comments');
    const res = await bobWeb.post('/comments', {
      form: { article_id: String(alpha.id), body_markdown: 'No token.' },
    });
    assert.equal(res.status, 403);
    assert.equal(await countRows('comments'), before);
  });

  test('a broken id or an unknown article is a clear 4xx page, never a 500', async () => {
    const _csrf = await tokenFor(bobWeb, alpha.path, '/comments');
    for (const [path, form] of [
      ['/comments/zzz/edit', { body_markdown: 'x' }],
      ['/comments/999999/delete', {}],
      ['/comments', { article_id: '99999999', body_markdown: 'x' }],
      ['/comments', { article_id: 'abc', body_markdown: 'x' }],
      ['/reactions/toggle', { reactable_type: 'Article', reactable_id: 'x', category: 'like' }],
      ['/reactions/toggle', { reactable_type: 'Article', reactable_id: '1', category: 'nope' }],
    ] as const) {
      const res = await bobWeb.post(path, { form: { _csrf, ...form } });
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    }
  });
});

describe('the script', () => {
  const json = { accept: 'application/json' };

  test('a reaction answers the new state and count', async () => {
    const res = await submit(
      bobWeb,
      alpha.path,
      '/reactions/toggle',
      { reactable_type: 'Article', reactable_id: String(alpha.id), category: 'fire' },
      json,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const body = res.json();
    assert.equal(body.given, true);
    assert.equal(body.count, 1);
  });

  test('a comment answers the discussion to put in place', async () => {
    const res = await submit(
      bobWeb,
      alpha.path,
      '/comments',
      { article_id: String(alpha.id), body_markdown: 'Said in place.' },
      json,
    );
    assert.equal(res.status, 200);
    const body = res.json();
    const code = idCode((await commentRow('Said in place.')).id);
    assert.equal(body.location, `${alpha.path}#comment-${code}`);
    assert.match(body.html, /^<div class="discussion" id="discussion" data-scope="article">/);
    assert.match(body.html, /Said in place\./);
    const blank = await submit(
      bobWeb,
      alpha.path,
      '/comments',
      { article_id: String(alpha.id), body_markdown: '' },
      json,
    );
    assert.equal(blank.status, 422);
    assert.equal(blank.json().errors[0].field, 'body_markdown');
  });
});
