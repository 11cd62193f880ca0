/**
 * The writing side over HTTP, as a browser without script drives it: the editor (new and edit)
 * with its buttons, errors and preview, the script's preview endpoint, and the dashboard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withPublication } from '../../src/web/editor-form.ts';
import { type Author, makeAuthor, postArticle, snapshot } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { formToken, signInWeb, submit, tokenFor } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const EVIL = 'https://evil.example';
const CROSS_SITE: Record<string, string>[] = [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }];

let server: TestServer;
let ada: Author;
let bob: Author;
let admin: Author;
let adaWeb: HttpClient;
let bobWeb: HttpClient;

before(async () => {
  server = await startTestServer({ now: '2026-03-01T12:00:00.000Z' });
  admin = await makeAuthor(server, 'editor_admin', { admin: true });
  ada = await makeAuthor(server, 'editor_ada');
  bob = await makeAuthor(server, 'editor_bob');
  adaWeb = await signInWeb(server, ada.username);
  bobWeb = await signInWeb(server, bob.username);
});
after(() => server.close());

/** Markdown with DEV front matter. */
function markdown(fields: Record<string, string>, body = 'Some words.'): string {
  const lines = Object.entries(fields).map(([key, value]) => `${key}: ${value}`);
  return `---\n${lines.join('\n')}\n---\n\n${body}\n`;
}

/** Sends the new-article form, as pressing one of its buttons does. */
function write(client: HttpClient, action: string, text: string, extra = {}) {
  return submit(client, '/new', '/new', { body_markdown: text, action, ...extra });
}

const anonymous = (path: string) => server.client().get(path);

async function articleRow(title: string) {
  return server.ctx.database.db
    .selectFrom('articles')
    .selectAll()
    .where('title', '=', title)
    .executeTakeFirst();
}

/** The dashboard section with this id, as HTML. */
async function dashboardSection(client: HttpClient, id: string): Promise<string> {
  const page = await client.get('/dashboard');
  assert.equal(page.status, 200);
  const match = new RegExp(`<section class="dash-section" id="${id}"[\\s\\S]*?</section>`).exec(
    page.text,
  );
  assert.ok(match, `no ${id} section`);
  return match[0];
}

/** The text of the editor's textarea, unescaped as a browser would read it. */
function textareaOf(page: string): string {
  const match = /<textarea id="f-body_markdown"[^>]*>\n([\s\S]*?)<\/textarea>/.exec(page);
  assert.ok(match, 'no editor textarea');
  return (match[1] ?? '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&');
}

describe('signed out', () => {
  test('the editor, the dashboard and an edit page send to the sign-in page', async () => {
    const draft = await postArticle(server, ada, { title: 'Private draft', body_markdown: 'x' });
    const paths = ['/new', '/dashboard', '/dashboard/drafts', `${draft.path}/edit`];
    for (const path of paths) {
      const res = await anonymous(path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), `/enter?next=${encodeURIComponent(path)}`);
    }
  });

  test('a preview needs an account', async () => {
    const client = server.client();
    const _csrf = await tokenFor(client, '/enter', '/enter');
    const res = await client.post('/preview', { form: { _csrf, body_markdown: 'hi' } });
    assert.equal(res.status, 401);
  });

  test('the header offers Write and Dashboard only to someone signed in', async () => {
    const signedIn = await adaWeb.get('/');
    assert.match(signedIn.text, /<a href="\/new">Write<\/a>/);
    assert.match(signedIn.text, /<a href="\/dashboard">Dashboard<\/a>/);
    const out = await anonymous('/');
    assert.doesNotMatch(out.text, /href="\/new"/);
    assert.doesNotMatch(out.text, /href="\/dashboard"/);
  });
});

describe('the new-article editor', () => {
  test('starts from DEV front matter and offers the four buttons', async () => {
    const page = await adaWeb.get('/new');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    assert.equal(
      textareaOf(page.text),
      '---\ntitle:\npublished: false\ndescription:\ntags:\ncover_image:\ncanonical_url:\nseries:\n---\n\n',
    );
    assert.match(page.text, /<label for="f-body_markdown">/);
    for (const [value, label] of [
      ['preview', 'Preview'],
      ['draft', 'Save draft'],
      ['publish', 'Publish'],
      ['schedule', 'Schedule'],
    ]) {
      assert.match(
        page.text,
        new RegExp(`<button type="submit" name="action" value="${value}"[^>]*>${label}</button>`),
      );
    }
    assert.match(page.text, /<input id="f-schedule_at" name="schedule_at" type="datetime-local"/);
    assert.match(page.text, /<label for="f-schedule_at">Publish at \(UTC\)<\/label>/);
    assert.equal(page.text.match(/<h1[ >]/g)?.length, 1);
  });

  test('Save draft keeps it private even when the front matter says published, and lists it', async () => {
    const text = markdown({ title: 'A quiet draft', published: 'true', tags: 'notes' });
    const res = await write(adaWeb, 'draft', text);
    assert.equal(res.status, 303, res.text);
    const location = res.headers.get('location') ?? '';
    assert.match(location, /^\/editor_ada\/a-quiet-draft-temp-slug-\d+\/edit\?status=saved$/);

    const row = await articleRow('A quiet draft');
    assert.equal(row?.published, 0);
    assert.equal(row?.published_at, null);
    assert.equal(row?.body_markdown, text.replace('published: true', 'published: false'));

    const edit = await adaWeb.get(location);
    assert.equal(edit.status, 200);
    assert.match(edit.text, /role="status">Saved\.</);
    assert.match(edit.text, /Draft: only you can see it/);
    assert.equal(textareaOf(edit.text), row?.body_markdown);

    const drafts = await dashboardSection(adaWeb, 'drafts');
    assert.match(drafts, /A quiet draft/);
    assert.equal((await anonymous(location.replace(/\/edit\?.*$/, ''))).status, 404);
    assert.doesNotMatch((await anonymous('/')).text, /A quiet draft/);
  });

  test('Publish makes it public at once: its page, the home page, the dashboard', async () => {
    const initial = await snapshot(server);
    const res = await write(adaWeb, 'publish', markdown({ title: 'Out in the open' }));
    assert.equal(res.status, 303, res.text);
    const path = res.headers.get('location') ?? '';
    assert.match(path, /^\/editor_ada\/out-in-the-open-[a-z0-9]{4}$/);
    assert.equal((await snapshot(server)).articles, Number(initial.articles) + 1);

    const page = await anonymous(path);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Out in the open<\/h1>/);
    assert.match((await anonymous('/')).text, /Out in the open/);
    const published = await dashboardSection(adaWeb, 'published');
    assert.match(published, /Out in the open/);
    assert.match(published, new RegExp(`<a href="${path}">View`));
  });

  test('Schedule publishes at the chosen time, not before', async () => {
    const at = new Date(server.clock.now().getTime() + 3 * 3_600_000);
    const local = at.toISOString().slice(0, 16);
    const res = await write(adaWeb, 'schedule', markdown({ title: 'Later today' }), {
      schedule_at: local,
    });
    assert.equal(res.status, 303, res.text);
    const location = res.headers.get('location') ?? '';
    assert.match(location, /\/edit\?status=scheduled$/);
    const row = await articleRow('Later today');
    assert.equal(row?.published, 1);
    assert.equal(row?.published_at, `${local}:00.000Z`);
    const path = location.replace(/\/edit\?.*$/, '');

    const scheduled = await dashboardSection(adaWeb, 'scheduled');
    assert.match(scheduled, /Later today/);
    assert.match(scheduled, new RegExp(`<time datetime="${local}:00.000Z">`));
    assert.doesNotMatch(await dashboardSection(adaWeb, 'published'), /Later today/);
    assert.equal((await anonymous(path)).status, 404);
    assert.doesNotMatch((await anonymous('/')).text, /Later today/);
    const edit = await adaWeb.get(location);
    assert.match(edit.text, /Scheduled: it will be published/);

    server.clock.advance(3 * 3_600_000 + 1000);
    await server.dispatcher.drain();
    assert.equal((await anonymous(path)).status, 200);
    assert.match((await anonymous('/')).text, /Later today/);
    assert.match(await dashboardSection(adaWeb, 'published'), /Later today/);
    assert.doesNotMatch(await dashboardSection(adaWeb, 'scheduled'), /Later today/);
  });

  test('Schedule without a time, with a past one or an impossible one is refused beside the field', async () => {
    const initial = await snapshot(server);
    const text = markdown({ title: 'Never scheduled' });
    const past = new Date(server.clock.now().getTime() - 60_000).toISOString().slice(0, 16);
    for (const [value, message] of [
      ['', 'Choose a date and time to publish at'],
      ['2027-02-31T10:00', 'Choose a date and time to publish at'],
      ['next tuesday', 'Choose a date and time to publish at'],
      [past, 'The time to publish at must be in the future'],
    ] as const) {
      const res = await write(adaWeb, 'schedule', text, { schedule_at: value });
      assert.equal(res.status, 422, value);
      assert.match(
        res.text,
        new RegExp(`aria-invalid="true" aria-describedby="f-schedule_at-error">`),
        value,
      );
      assert.match(res.text, new RegExp(`id="f-schedule_at-error">${message}<`), value);
      assert.equal(textareaOf(res.text), text, 'the text is kept');
    }
    assert.deepEqual(await snapshot(server), initial);
  });

  test('a wrong schedule and a wrong text are told together', async () => {
    const initial = await snapshot(server);
    const text = markdown({ title: 'Both wrong', tags: 'a, b, c, d, e' });
    const res = await write(adaWeb, 'schedule', text, { schedule_at: '' });
    assert.equal(res.status, 422);
    assert.match(res.text, /id="f-schedule_at-error">Choose a date and time to publish at</);
    assert.match(res.text, /<li><code>tags<\/code>: Tag list exceeds the maximum of 4 tags<\/li>/);
    assert.deepEqual(await snapshot(server), initial);
  });

  test('five tags: 422, the error beside the text naming the field, the text kept, nothing saved', async () => {
    const initial = await snapshot(server);
    const text = markdown(
      { title: 'Too <many> & tags', tags: 'one, two, three, four, five' },
      'Body with "quotes" & <b>tags</b>.',
    );
    const res = await write(adaWeb, 'publish', text);
    assert.equal(res.status, 422);
    assert.match(
      res.text,
      /<textarea id="f-body_markdown"[^>]*aria-describedby="f-body_markdown-errors f-body_markdown-hint" aria-invalid="true">/,
    );
    assert.match(
      res.text,
      /<ul class="error field-errors" id="f-body_markdown-errors"><li><code>tags<\/code>: Tag list exceeds the maximum of 4 tags<\/li><\/ul>/,
    );
    assert.match(res.text, /<div class="alert error-summary" role="alert" id="editor-errors">/);
    assert.match(
      res.text,
      /<li><a href="#f-body_markdown"><code>tags<\/code>: Tag list exceeds the maximum of 4 tags<\/a><\/li>/,
    );
    assert.equal(textareaOf(res.text), text);
    assert.ok(!res.text.includes('<b>tags</b>'), 'the typed text is escaped');
    assert.match(res.text, /<form method="post" action="\/new"[^>]*data-unsaved>/);
    assert.deepEqual(await snapshot(server), initial);
  });

  test('a missing title and broken front matter are shown the same way', async () => {
    const initial = await snapshot(server);
    const untitled = await write(adaWeb, 'draft', markdown({ title: '' }));
    assert.equal(untitled.status, 422);
    assert.match(untitled.text, /<li><code>title<\/code>: Title can&#39;t be blank<\/li>/);
    const broken = await write(adaWeb, 'draft', '---\ntitle: [unclosed\n---\n\nBody');
    assert.equal(broken.status, 422);
    assert.match(broken.text, /<li>Markdown: front matter is not valid YAML/);
    const noButton = await write(adaWeb, 'destroy', markdown({ title: 'What button?' }));
    assert.equal(noButton.status, 400);
    assert.match(noButton.text, /Choose one of the buttons/);
    assert.match(textareaOf(noButton.text), /title: What button\?/);
    assert.deepEqual(await snapshot(server), initial);
  });

  test('line breaks a browser sends as CRLF are kept as LF', async () => {
    const res = await write(adaWeb, 'draft', '---\r\ntitle: Crlf\r\n---\r\n\r\nOne\r\nTwo\r\n');
    assert.equal(res.status, 303, res.text);
    assert.equal((await articleRow('Crlf'))?.body_markdown, '---\ntitle: Crlf\n---\n\nOne\nTwo\n');
  });

  test('an article larger than a small form body still saves', async () => {
    const body = `${'A line of prose that is long enough to add up quickly. '.repeat(2000)}\n`;
    assert.ok(body.length > 100_000);
    const res = await write(adaWeb, 'draft', markdown({ title: 'A long one' }, body));
    assert.equal(res.status, 303, res.text.slice(0, 500));
    assert.ok((await articleRow('A long one'))?.body_markdown.includes(body.trim()));
  });
});

describe('preview', () => {
  const text = markdown(
    { title: 'Preview me', tags: 'typescript, tables', cover_image: 'https://img.example/c.png' },
    '| a | b |\n| - | - |\n| 1 | 2 |\n\n```ts\nconst answer: number = 42;\n```',
  );

  test('POST /preview renders a table and highlighted TypeScript, and saves nothing', async () => {
    const initial = await snapshot(server);
    const _csrf = await tokenFor(adaWeb, '/new', '/new');
    const res = await adaWeb.post('/preview', { form: { _csrf, body_markdown: text } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.doesNotMatch(res.text, /<html/, 'a fragment, not a page');
    assert.match(res.text, /<p class="preview-title">Preview me<\/p>/);
    assert.match(res.text, /<li>#typescript<\/li><li>#tables<\/li>/);
    assert.match(res.text, /<img class="cover" src="https:\/\/img.example\/c.png" alt="">/);
    assert.match(res.text, /<table>[\s\S]*<th>a<\/th>[\s\S]*<td>2<\/td>[\s\S]*<\/table>/);
    assert.match(res.text, /<code class="hljs language-ts">/);
    assert.match(res.text, /<span class="hljs-keyword">const<\/span>/);
    assert.match(res.text, /<span class="hljs-number">42<\/span>/);
    assert.deepEqual(await snapshot(server), initial);
  });

  test('POST /preview of broken front matter answers its errors', async () => {
    const _csrf = await tokenFor(adaWeb, '/new', '/new');
    const res = await adaWeb.post('/preview', {
      form: { _csrf, body_markdown: markdown({ title: 'x', tags: 'a, b, c, d, e' }) },
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /role="alert"/);
    assert.match(res.text, /<li><code>tags<\/code>: Tag list exceeds the maximum of 4 tags<\/li>/);
  });

  test('without script the Preview button answers the editor with the preview below it', async () => {
    const initial = await snapshot(server);
    const res = await write(adaWeb, 'preview', text, { schedule_at: '2030-01-01T09:30' });
    assert.equal(res.status, 200);
    assert.equal(textareaOf(res.text), text);
    assert.match(
      res.text,
      /name="schedule_at" type="datetime-local" min="[^"]+" value="2030-01-01T09:30"/,
    );
    const editorAt = res.text.indexOf('id="editor-form"');
    const previewAt = res.text.indexOf('<section id="preview" class="preview"');
    assert.ok(editorAt > 0 && previewAt > editorAt, 'the preview follows the editor');
    assert.doesNotMatch(res.text, /<section id="preview"[^>]*hidden/);
    assert.match(res.text, /<span class="hljs-keyword">const<\/span>/);
    assert.match(res.text, /<table>/);
    assert.deepEqual(await snapshot(server), initial);

    const bad = await write(adaWeb, 'preview', markdown({ title: '' }));
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Title can&#39;t be blank/);
    assert.deepEqual(await snapshot(server), initial);
  });

  test('the editor page loads its preview target hidden, for the script to fill', async () => {
    const page = await adaWeb.get('/new');
    assert.match(
      page.text,
      /<section id="preview" class="preview" aria-labelledby="preview-heading" hidden>/,
    );
    assert.match(page.text, /<div id="preview-body"><\/div>/);
    assert.match(
      page.text,
      /<form method="post" action="\/new" id="editor-form" class="editor" novalidate data-editor>/,
    );
  });
});

describe('editing', () => {
  let path: string;
  let editUrl: string;

  before(async () => {
    const res = await write(adaWeb, 'publish', markdown({ title: 'First title', tags: 'alpha' }));
    path = res.headers.get('location') ?? '';
    editUrl = `${path}/edit`;
  });

  test('the edit page shows the stored text, the state and the edit buttons', async () => {
    const page = await adaWeb.get(editUrl);
    assert.equal(page.status, 200);
    assert.match(textareaOf(page.text), /^---\ntitle: First title\ntags: alpha\n---/);
    assert.match(page.text, /Published <time datetime="[^"]+">/);
    assert.match(page.text, new RegExp(`<a href="${path}">View the article</a>`));
    assert.match(page.text, /value="save"[^>]*>Save</);
    assert.match(page.text, /value="unpublish"[^>]*>Unpublish</);
    assert.doesNotMatch(page.text, /value="schedule"/, 'a publication date never moves');
    assert.match(
      page.text,
      new RegExp(
        `<form method="post" action="${editUrl}" class="inline" data-confirm="[^"]+">\\s*<input type="hidden" name="_csrf"`,
      ),
    );
  });

  test('a new title shows on the article page and on the home page; the address stays', async () => {
    const page = await adaWeb.get(editUrl);
    const text = textareaOf(page.text).replace('title: First title', 'title: Second title');
    const res = await submit(adaWeb, editUrl, editUrl, { body_markdown: text, action: 'save' });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.get('location'), `${editUrl}?status=saved`);
    const article = await anonymous(path);
    assert.equal(article.status, 200);
    assert.match(article.text, /<h1>Second title<\/h1>/);
    const home = await anonymous('/');
    assert.match(home.text, /Second title/);
    assert.doesNotMatch(home.text, /First title/);
  });

  test('Save keeps a published article published, whatever its front matter says', async () => {
    const page = await adaWeb.get(editUrl);
    const text = `${textareaOf(page.text).replace('---\n', '---\npublished: false\n')}More.\n`;
    const res = await submit(adaWeb, editUrl, editUrl, { body_markdown: text, action: 'save' });
    assert.equal(res.status, 303, res.text);
    assert.equal((await anonymous(path)).status, 200);
    const row = await articleRow('Second title');
    assert.equal(row?.published, 1);
    assert.match(row?.body_markdown ?? '', /^---\npublished: true\n/);
  });

  test('Unpublish takes it off the home page and its address', async () => {
    const res = await submit(adaWeb, editUrl, editUrl, {
      body_markdown: textareaOf((await adaWeb.get(editUrl)).text),
      action: 'unpublish',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${editUrl}?status=unpublished`);
    assert.equal((await anonymous(path)).status, 404);
    assert.doesNotMatch((await anonymous('/')).text, /Second title/);
    assert.match(await dashboardSection(adaWeb, 'drafts'), /Second title/);
    const edit = await adaWeb.get(`${editUrl}?status=unpublished`);
    assert.match(edit.text, /role="status">Unpublished: it is a draft again\.</);
    assert.match(edit.text, /value="publish"/);
    assert.doesNotMatch(edit.text, /value="schedule"/);

    const initial = await snapshot(server);
    const later = new Date(server.clock.now().getTime() + 86_400_000).toISOString().slice(0, 16);
    const moved = await submit(adaWeb, editUrl, editUrl, {
      body_markdown: textareaOf(edit.text),
      action: 'schedule',
      schedule_at: later,
    });
    assert.equal(moved.status, 422);
    assert.match(
      moved.text,
      /role="alert" id="editor-errors">\s*<h2>Nothing was saved<\/h2>\s*<p>A publication date, once set, cannot move<\/p>\s*<\/div>/,
    );
    assert.deepEqual(await snapshot(server), initial);
  });

  test('the dashboard publishes it again and comes back with a message', async () => {
    const res = await submit(adaWeb, '/dashboard', editUrl, {
      action: 'publish',
      back: 'dashboard',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/dashboard?status=published');
    assert.equal((await anonymous(path)).status, 200);
    const dashboard = await adaWeb.get('/dashboard?status=published');
    assert.match(dashboard.text, /role="status">Published\.</);
    assert.match(await dashboardSection(adaWeb, 'published'), /Second title/);
  });

  test('another author gets 404 for the edit page and their posts change nothing', async () => {
    const initial = await snapshot(server);
    assert.equal((await bobWeb.get(editUrl)).status, 404);
    const _csrf = await tokenFor(bobWeb, '/new', '/new');
    for (const action of ['save', 'unpublish', 'delete']) {
      const res = await bobWeb.post(editUrl, {
        form: { _csrf, action, body_markdown: markdown({ title: 'Taken over' }) },
      });
      assert.equal(res.status, 404, action);
    }
    assert.deepEqual(await snapshot(server), initial);
    assert.equal((await anonymous(path)).status, 200);
  });

  test('an administrator may edit anyone’s article', async () => {
    const adminWeb = await signInWeb(server, admin.username);
    const page = await adminWeb.get(editUrl);
    assert.equal(page.status, 200);
    const text = textareaOf(page.text).replace('title: Second title', 'title: Moderated title');
    const res = await submit(adminWeb, editUrl, editUrl, { body_markdown: text, action: 'save' });
    assert.equal(res.status, 303, res.text);
    assert.match((await anonymous(path)).text, /<h1>Moderated title<\/h1>/);
  });

  test('Delete removes it and lands on the dashboard with a message', async () => {
    const before = await snapshot(server);
    const res = await submit(adaWeb, editUrl, editUrl, { action: 'delete' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/dashboard?status=deleted');
    assert.equal((await snapshot(server)).articles, Number(before.articles) - 1);
    assert.equal(await articleRow('Moderated title'), undefined);
    assert.equal((await anonymous(path)).status, 404);
    assert.equal((await adaWeb.get(editUrl)).status, 404);
    const dashboard = await adaWeb.get('/dashboard?status=deleted');
    assert.match(dashboard.text, /role="status">Article deleted\.</);
    assert.doesNotMatch(dashboard.text, /Moderated title/);
  });

  test('a status flag the page does not know shows nothing, even one named like a built-in', async () => {
    for (const flag of ['constructor', 'toString', '__proto__', 'nonsense']) {
      const page = await adaWeb.get(`/dashboard?status=${flag}`);
      assert.equal(page.status, 200, flag);
      assert.doesNotMatch(page.text, /role="status"/, flag);
      assert.doesNotMatch(page.text, /native code/, flag);
    }
  });
});

describe('drafts and API articles in the editor', () => {
  test('a draft is edited, scheduled, and its schedule shows on the dashboard', async () => {
    const created = await write(adaWeb, 'draft', markdown({ title: 'Draft to schedule' }));
    const editUrl = (created.headers.get('location') ?? '').replace(/\?.*$/, '');
    const page = await adaWeb.get(editUrl);
    assert.match(page.text, /value="schedule"/);
    const at = new Date(server.clock.now().getTime() + 86_400_000).toISOString().slice(0, 16);
    const res = await submit(adaWeb, editUrl, editUrl, {
      body_markdown: textareaOf(page.text),
      action: 'schedule',
      schedule_at: at,
    });
    assert.equal(res.status, 303, res.text);
    // Its first publication gives it its lasting address.
    assert.match(
      res.headers.get('location') ?? '',
      /^\/editor_ada\/draft-to-schedule-[a-z0-9]{4}\/edit\?status=scheduled$/,
    );
    assert.equal((await articleRow('Draft to schedule'))?.published_at, `${at}:00.000Z`);
    assert.match(await dashboardSection(adaWeb, 'scheduled'), /Draft to schedule/);
  });

  test('an article written through the API opens with its fields as front matter', async () => {
    const made = await postArticle(server, ada, {
      title: 'From the API: "quoted"',
      body_markdown: 'Plain body.',
      published: true,
      tags: ['api', 'json'],
      series: 'Notes',
    });
    const page = await adaWeb.get(`${made.path}/edit`);
    assert.equal(page.status, 200);
    const text = textareaOf(page.text);
    assert.equal(
      text,
      '---\ntitle: \'From the API: "quoted"\'\npublished: true\ndescription:\ntags: api, json\ncover_image:\ncanonical_url:\nseries: Notes\n---\n\nPlain body.',
    );
    const res = await submit(adaWeb, `${made.path}/edit`, `${made.path}/edit`, {
      body_markdown: text.replace('tags: api, json', 'tags: api'),
      action: 'save',
    });
    assert.equal(res.status, 303, res.text);
    const row = await articleRow('From the API: "quoted"');
    assert.equal(row?.cached_tag_list, 'api');
    assert.equal(row?.published, 1);
  });

  test('edit addresses under reserved names and unknown articles are not found', async () => {
    for (const path of [
      '/api/nothing/edit',
      '/editor_ada/no-such-article/edit',
      '/nobody_here/x/edit',
    ]) {
      assert.equal((await adaWeb.get(path)).status, 404, path);
    }
  });
});

describe('the dashboard', () => {
  test('counts each section and pages a long one', async () => {
    const carol = await makeAuthor(server, 'editor_carol');
    const carolWeb = await signInWeb(server, carol.username);
    for (let i = 1; i <= 22; i++) {
      await postArticle(server, carol, { title: `Carol draft ${i}`, body_markdown: 'x' });
      server.clock.advance(1000);
    }
    await postArticle(server, carol, { title: 'Carol live', body_markdown: 'x', published: true });
    const page = await carolWeb.get('/dashboard');
    assert.match(
      page.text,
      /<h2 id="drafts-heading">Drafts <span class="count">\(22\)<\/span><\/h2>/,
    );
    assert.match(
      page.text,
      /<h2 id="scheduled-heading">Scheduled <span class="count">\(0\)<\/span><\/h2>/,
    );
    assert.match(
      page.text,
      /<h2 id="published-heading">Published <span class="count">\(1\)<\/span><\/h2>/,
    );
    assert.match(page.text, /Nothing scheduled\./);
    assert.match(page.text, /<a href="\/dashboard\/drafts">All 22 drafts<\/a>/);
    assert.match(page.text, /Carol draft 22/);
    assert.doesNotMatch(page.text, /Carol draft 2</);
    assert.doesNotMatch(page.text, /Editor|editor_ada/, 'only her own articles');

    const second = await carolWeb.get('/dashboard/drafts?page=2');
    assert.equal(second.status, 200);
    assert.match(second.text, /Carol draft 2</);
    assert.match(second.text, /Carol draft 1</);
    assert.doesNotMatch(second.text, /Carol draft 3</);
    assert.match(second.text, /<a rel="prev" href="\/dashboard\/drafts\?page=1">/);
    assert.equal((await carolWeb.get('/dashboard/trash')).status, 404);
  });

  test('each delete button asks first and names its article', async () => {
    const page = await adaWeb.get('/dashboard');
    assert.match(
      page.text,
      /<form method="post" action="\/editor_ada\/[^"]+\/edit" class="inline" data-confirm="Delete “[^"]+”\? This cannot be undone\.">/,
    );
    assert.match(page.text, /Delete<span class="visually-hidden"> “[^<]+”<\/span><\/button>/);
  });
});

describe('CSRF and cross-site posts', () => {
  test('are refused with 403 and change nothing', async () => {
    const draft = await write(adaWeb, 'draft', markdown({ title: 'Guarded draft' }));
    const editUrl = (draft.headers.get('location') ?? '').replace(/\?.*$/, '');
    const initial = await snapshot(server);
    const token = formToken((await adaWeb.get(editUrl)).text, editUrl);
    const text = markdown({ title: 'Forged' });
    const attempts: Array<[string, Record<string, string>]> = [
      ['/new', { action: 'publish', body_markdown: text }],
      [editUrl, { action: 'publish', body_markdown: text }],
      [editUrl, { action: 'delete' }],
      ['/preview', { body_markdown: text }],
    ];
    for (const [path, form] of attempts) {
      const none = await adaWeb.post(path, { form });
      assert.equal(none.status, 403, `${path} without a token`);
      const wrong = await adaWeb.post(path, { form: { ...form, _csrf: `${token}x` } });
      assert.equal(wrong.status, 403, `${path} with a wrong token`);
      for (const headers of CROSS_SITE) {
        const res = await adaWeb.post(path, { form: { ...form, _csrf: token }, headers });
        assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)}`);
      }
    }
    assert.deepEqual(await snapshot(server), initial);
    assert.equal((await articleRow('Guarded draft'))?.published, 0);
  });
});

describe('the buttons over the front matter', () => {
  const at = new Date('2030-05-06T07:08:00.000Z');

  test('only the publication keys change; spacing, comments and the body stay', () => {
    const text =
      '---\ntitle: Hi   # keep me\n"published": true # was\ndate:    # none yet\n---\n\npublished: false\n';
    assert.equal(
      withPublication(text, false, at),
      '---\ntitle: Hi   # keep me\n"published": false # was\ndate:    2030-05-06T07:08:00.000Z # none yet\n---\n\npublished: false\n',
    );
    assert.equal(
      withPublication('---\npublished:\npublished_at: 2020-01-01\n---\nBody', true, at),
      '---\npublished: true\npublished_at: 2030-05-06T07:08:00.000Z\n---\nBody',
    );
  });

  test('text that already agrees, has no front matter, or does not parse is left alone', () => {
    for (const text of [
      '---\ntitle: Same\npublished: true\n---\nBody',
      '---\ntitle: No key\n---\nBody',
      'No front matter\npublished: false\n',
      '---\npublished: [unclosed\n---\nBody',
      '---\npublished: false\npublished: false\n---\nBody',
    ]) {
      assert.equal(withPublication(text, true), text, text);
    }
  });
});
