/**
 * Searching in Chromium with JavaScript off: the header's box on the home page, submitted, lands
 * on the results, and the tabs move between kinds keeping the query. The search page is then
 * checked with axe-core and photographed at 375 and 1280 px with no sideways scrolling.
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
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('searching without JavaScript', { skip: skipBrowser }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startTestServer();
    const ada = await makeAuthor(server, 'finder_ada');
    await postArticle(server, ada, {
      title: 'Burrows of the wombat',
      body_markdown: 'A wombat digs long burrows with its <claws> & teeth.',
      published: true,
      tags: ['wombats'],
    });
    await postArticle(server, ada, {
      title: 'Something else',
      body_markdown: 'Nothing to see.',
      published: true,
    });
    server.clock.advance(60_000);
    browser = await launchBrowser({ javaScript: false });
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("the header's box, submitted, lands on the results; the tabs keep the query", async () => {
    await page.goto(`${server.url}/`);
    const box = page.getByRole('banner').getByRole('searchbox', { name: 'Search' });
    await box.fill('wombat');
    await box.press('Enter');
    await page.waitForURL(`${server.url}/search?q=wombat`);
    assert.equal(await page.locator('h1').textContent(), 'Search results for “wombat”');
    assert.ok(await page.getByRole('link', { name: 'Burrows of the wombat' }).isVisible());
    assert.equal(await page.getByRole('link', { name: 'Something else' }).count(), 0);
    assert.equal(await page.locator('.excerpt mark').first().textContent(), 'wombat');
    assert.equal(await page.locator('.excerpt script, .excerpt claws').count(), 0);

    await page.getByRole('link', { name: 'Tags' }).click();
    await page.waitForURL(`${server.url}/search?q=wombat&type=tags`);
    assert.ok(await page.getByRole('link', { name: '#wombats' }).isVisible());

    // The page's own box searches again, in the kind shown.
    const own = page.getByRole('main').getByRole('searchbox', { name: 'Search' });
    assert.equal(await own.inputValue(), 'wombat');
    await own.fill('finder');
    await own.press('Enter');
    await page.waitForURL(`${server.url}/search?q=finder&type=tags`);
    await page.getByRole('link', { name: 'People' }).click();
    await page.waitForURL(`${server.url}/search?q=finder&type=people`);
    assert.ok(await page.getByRole('link', { name: 'finder_ada' }).isVisible());
  });

  test('the search page: no serious axe violations, no sideways scroll, screenshots', async () => {
    const js = await launchBrowser();
    try {
      const shot = await js.context.newPage();
      for (const [name, path] of [
        ['search', '/search?q=wombat'],
        ['search-empty', '/search'],
        ['search-refused', `/search?q=${'x'.repeat(300)}`],
      ] as const) {
        await shot.goto(`${server.url}${path}`);
        assert.deepEqual(await seriousViolations(shot), [], `${name}: axe`);
        assert.deepEqual(await screenshots(shot, name), [], `${name}: scrolls sideways at`);
      }
    } finally {
      await js.close();
    }
  });
});
