/**
 * A reader's notifications in Chromium: follow an author from their profile, the author
 * publishes, the header's badge counts it without the page loading again (the live stream),
 * the notifications page marks all read and the badge goes, and the Following tab shows the
 * article.
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
import { AUTHOR_PASSWORD } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('a reader hears of a followed author', { skip: skipBrowser }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let ada: Author;
  let reader: Author;
  let loads = 0;

  before(async () => {
    server = await startTestServer();
    await makeAuthor(server, 'bell_admin');
    ada = await makeAuthor(server, 'bell_ada');
    reader = await makeAuthor(server, 'bell_bob');
    server.clock.advance(2 * 86_400_000);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('load', () => {
      loads += 1;
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const badge = () => page.locator('#unread-count');

  async function streamsOpen(n: number) {
    for (let i = 0; i < 100; i += 1) {
      const metrics = await server.client().get('/metrics');
      if (new RegExp(`^quire_notification_streams ${n}$`, 'm').test(metrics.text)) return;
      await new Promise((done) => setTimeout(done, 50));
    }
    assert.fail(`not ${n} streams open`);
  }

  test('sign in and follow from the profile page', async () => {
    await page.goto(`${server.url}/enter?next=/${ada.username}`);
    await page.getByLabel('Username or email').fill(reader.username);
    await page.getByLabel('Password').fill(AUTHOR_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/${ada.username}`);
    await page.getByRole('button', { name: 'Follow' }).click();
    await page.getByRole('button', { name: 'Unfollow' }).waitFor();
    assert.equal(await badge().isHidden(), true);
  });

  test('the author publishes: the badge counts it without a reload', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForLoadState('load');
    const before = loads;
    const url = page.url();
    // The page's stream is open: the node counts it.
    await streamsOpen(1);
    await postArticle(server, ada, {
      title: 'Rain on the hills',
      body_markdown: 'It rained.',
      published: true,
    });
    await server.dispatcher.drain();
    await page.waitForFunction(
      () => document.getElementById('unread-count')?.textContent === '1 unread',
    );
    assert.equal(await badge().isVisible(), true);
    assert.equal(loads, before, 'the page loaded again');
    assert.equal(page.url(), url);
  });

  test('the notifications page: mark all read, and the badge goes', async () => {
    await page.getByRole('link', { name: /^Notifications/ }).click();
    await page.waitForURL(`${server.url}/notifications`);
    const item = page.locator('li.notification.unread');
    assert.equal(await item.count(), 1);
    assert.match(await item.innerText(), /bell_ada published Rain on the hills/);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(await screenshots(page, 'notifications'), []);
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('li.notification.unread').count(), 0);
    assert.equal(await page.locator('li.notification').count(), 1);
    assert.equal(await badge().isHidden(), true);
  });

  test('the Following tab shows the article', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Following', exact: true }).click();
    await page.waitForURL(`${server.url}/following`);
    await page.getByRole('link', { name: 'Rain on the hills' }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(await screenshots(page, 'following'), []);
  });
});
