/**
 * A new author's whole journey in Chromium with JavaScript on: sign up; write an article with
 * front matter, a table and a fenced TypeScript block; preview it; publish it and find it on the
 * home page, the profile, the tag page and the feed; rename it and find the new title
 * everywhere; unpublish it and find it gone; delete it. The writing pages are checked with
 * axe-core and photographed at 375 and 1280 px along the way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  type Browser,
  launchBrowser,
  screenshots,
  seriousViolations,
  skipBrowser,
} from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeAuthor } from '../helpers/fixtures.ts';

const TITLE = 'Typed event maps in practice';
const RENAMED = 'Typed event maps, revisited';
const MARKDOWN = [
  '---',
  `title: ${TITLE}`,
  'published: false',
  'description: Checked listeners with one mapped type',
  'tags: typescript, webdev',
  '---',
  '',
  'One mapped type checks every listener.',
  '',
  '| Event | Payload |',
  '| --- | --- |',
  '| saved | id |',
  '| deleted | id and reason |',
  '',
  '```typescript',
  'type Events = { saved: { id: number } };',
  'const on = <K extends keyof Events>(name: K) => name;',
  '```',
  '',
].join('\n');

describe("an author's journey", { skip: skipBrowser }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let articlePath = '';

  before(async () => {
    server = await startTestServer();
    // The first account administers the instance; the author signs up after it.
    await makeAuthor(server, 'site_admin', { admin: true });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Public pages as a signed-out reader sees them (the page cache included). */
  async function publicText(path: string): Promise<{ status: number; text: string }> {
    const res = await server.client().get(path);
    return { status: res.status, text: res.text };
  }
  const everywhere = ['/', '/journey_writer', '/t/typescript', '/feed/journey_writer'];

  test('1. signs up', async () => {
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Username', { exact: true }).fill('journey_writer');
    await page.getByLabel('Name', { exact: true }).fill('Journey Writer');
    await page.getByLabel('Email', { exact: true }).fill('journey@example.test');
    await page.getByLabel('Password', { exact: true }).fill('a sturdy passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${server.url}/`);
    assert.ok(await page.getByRole('link', { name: '@journey_writer' }).isVisible());
  });

  test('2. writes an article and previews it in place', async () => {
    await page.locator('header.site').getByRole('link', { name: 'Write', exact: true }).click();
    await page.waitForURL(`${server.url}/new`);
    const editor = page.getByLabel('Article: Markdown, front matter first');
    assert.match(await editor.inputValue(), /^---\ntitle:/, 'a front matter template');
    assert.deepEqual(await seriousViolations(page), [], 'axe: editor');
    assert.deepEqual(await screenshots(page, 'editor'), [], 'editor scrolls sideways at');
    await editor.fill(MARKDOWN);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.locator('#preview-body');
    await preview.locator('table').waitFor();
    assert.equal(page.url(), `${server.url}/new`, 'the preview did not leave the page');
    assert.equal(await preview.locator('table td').first().textContent(), 'saved');
    assert.match((await preview.locator('pre code').textContent()) ?? '', /keyof Events/);
    assert.ok((await preview.locator('pre code .hljs-keyword').count()) > 0, 'highlighted');
    assert.equal(await editor.inputValue(), MARKDOWN, 'the text is kept');
    assert.deepEqual(await seriousViolations(page), [], 'axe: editor with preview');
    assert.deepEqual(await screenshots(page, 'editor-preview'), []);
    const before = await publicText('/journey_writer');
    assert.doesNotMatch(before.text, new RegExp(TITLE), 'a preview publishes nothing');
  });

  test('2b. is warned before leaving with unsaved text, and stays', async () => {
    // The click returns once the page's dialog has been answered, here by staying.
    let warned = '';
    page.once('dialog', (dialog) => {
      warned = dialog.type();
      void dialog.dismiss();
    });
    await page.locator('header.site').getByRole('link', { name: 'Dashboard' }).click();
    assert.equal(warned, 'beforeunload');
    assert.equal(page.url(), `${server.url}/new`);
    const editor = page.getByLabel('Article: Markdown, front matter first');
    assert.equal(await editor.inputValue(), MARKDOWN);
  });

  test('3. publishes and finds it on home, profile, tag page and feed', async () => {
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/new'));
    articlePath = new URL(page.url()).pathname;
    assert.match(articlePath, /^\/journey_writer\/typed-event-maps-in-practice/);
    assert.equal(await page.locator('h1').textContent(), TITLE);
    for (const path of everywhere) {
      const { status, text } = await publicText(path);
      assert.equal(status, 200, path);
      assert.match(text, new RegExp(TITLE), path);
    }
    await page.locator('header.site').getByRole('link', { name: 'Dashboard' }).click();
    assert.deepEqual(await seriousViolations(page), [], 'axe: dashboard');
    assert.deepEqual(await screenshots(page, 'dashboard'), []);
  });

  test('4. renames it and finds the new title everywhere', async () => {
    await page.goto(`${server.url}${articlePath}/edit`);
    const editor = page.getByLabel('Article: Markdown, front matter first');
    await editor.fill((await editor.inputValue()).replace(`title: ${TITLE}`, `title: ${RENAMED}`));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForLoadState();
    for (const path of [...everywhere, articlePath]) {
      const { text } = await publicText(path);
      assert.match(text, new RegExp(RENAMED), path);
      assert.doesNotMatch(text, new RegExp(TITLE), path);
    }
  });

  test('5. unpublishes it and finds it gone', async () => {
    await page.goto(`${server.url}${articlePath}/edit`);
    await page.getByRole('button', { name: 'Unpublish' }).click();
    await page.waitForLoadState();
    assert.equal((await publicText(articlePath)).status, 404);
    for (const path of ['/', '/journey_writer', '/feed/journey_writer']) {
      assert.doesNotMatch((await publicText(path)).text, new RegExp(RENAMED), path);
    }
    // The tag page lists nothing now: no published article carries the tag.
    assert.equal((await publicText('/t/typescript')).status, 404);
  });

  test('6. deletes it, after confirming', async () => {
    await page.goto(`${server.url}${articlePath}/edit`);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Delete article' }).click();
    await page.waitForURL(/\/dashboard/);
    assert.match(asked, /Delete this article/);
    assert.match((await page.locator('[role="status"]').textContent()) ?? '', /deleted/i);
    const gone = await page.goto(`${server.url}${articlePath}/edit`);
    assert.equal(gone?.status(), 404);
  });
});
