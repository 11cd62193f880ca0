/**
 * A reader in Chromium with JavaScript off: home, an article, its author, a tag, by following
 * links only. Then every public page type checked with axe-core and photographed at 375 and
 * 1280 px (test-results/screenshots/), with no sideways scrolling at either width.
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
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BODY = [
  'An event map turns stringly-typed listeners into checked ones.',
  '',
  '| Event | Payload |',
  '| --- | --- |',
  '| saved | `{ id: number }` |',
  '| deleted | `{ id: number; reason?: string }` |',
  '',
  '```ts',
  'type Events = { saved: { id: number } };',
  'function on<K extends keyof Events>(name: K, handler: (e: Events[K]) => void) {',
  '  listeners[name].push(handler);',
  '}',
  '```',
  '',
  `A long URL must wrap on a phone: https://example.com/${'very-long-path-segment-'.repeat(6)}end`,
].join('\n');

describe('a reader without JavaScript', { skip: skipBrowser }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let ada: Author;
  let article: { url: string; title: string };

  before(async () => {
    server = await startTestServer();
    ada = await makeAuthor(server, 'reader_ada');
    await postArticle(server, ada, {
      title: 'Reading query plans without fear',
      body_markdown: 'Plans read from the inside out.',
      published: true,
      tags: ['postgres'],
    });
    article = await postArticle(server, ada, {
      title: 'Typed event handlers in TypeScript',
      body_markdown: BODY,
      published: true,
      tags: ['typescript', 'webdev'],
      series: 'Types at work',
    });
    browser = await launchBrowser({ javaScript: false });
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('home, article, author and tag, by links alone', async () => {
    await page.goto(`${server.url}/`);
    assert.equal(await page.title(), 'Quire');
    await page.getByRole('link', { name: article.title }).click();
    await page.waitForURL(article.url);
    assert.equal(await page.locator('h1').textContent(), article.title);
    assert.equal(await page.locator('table td').first().textContent(), 'saved');
    assert.match((await page.locator('pre code').textContent()) ?? '', /keyof Events/);
    assert.ok(
      (await page.locator('pre code span.hljs-keyword').count()) > 0,
      'code is highlighted',
    );

    await page.locator('.byline').getByRole('link', { name: 'reader_ada' }).click();
    await page.waitForURL(`${server.url}/reader_ada`);
    assert.equal(await page.locator('h1').textContent(), 'reader_ada');
    assert.ok(
      await page.getByRole('link', { name: 'Reading query plans without fear' }).isVisible(),
    );

    await page.getByRole('link', { name: article.title }).click();
    await page.getByRole('link', { name: '#typescript' }).first().click();
    await page.waitForURL(`${server.url}/t/typescript`);
    assert.equal(await page.locator('h1').textContent(), '#typescript');
    assert.ok(await page.getByRole('link', { name: article.title }).isVisible());
    assert.equal(
      await page.getByRole('link', { name: 'Reading query plans without fear' }).count(),
      0,
      'the tag page lists only its own articles',
    );
  });

  test('each public page type: no serious axe violations, no sideways scroll, screenshots', async () => {
    const js = await launchBrowser();
    try {
      const shot = await js.context.newPage();
      const pages: Array<[string, string]> = [
        ['home', '/'],
        ['article', new URL(article.url).pathname],
        ['profile', '/reader_ada'],
        ['tag', '/t/typescript'],
        ['sign-in', '/enter'],
        ['sign-up', '/signup'],
        ['not-found', '/reader_ada/no-such-article'],
      ];
      for (const [name, path] of pages) {
        await shot.goto(`${server.url}${path}`);
        assert.deepEqual(await seriousViolations(shot), [], `${name}: axe`);
        assert.deepEqual(await screenshots(shot, name), [], `${name}: scrolls sideways at`);
      }
    } finally {
      await js.close();
    }
  });
});
