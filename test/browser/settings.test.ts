/**
 * The settings and admin pages in Chromium: each checked with axe-core and photographed at 375
 * and 1280 px, including the pages that show a new API key or webhook secret once, a
 * webhook's deliveries, and a form re-shown with its errors.
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
import { AUTHOR_PASSWORD } from '../helpers/pages.ts';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('settings and admin pages', { skip: skipBrowser }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startTestServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
    const admin = await makeAuthor(server, 'settings_admin', { admin: true });
    await postArticle(server, admin, { title: 'Something to count', published: true });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(`${server.url}/enter`);
    await page.getByLabel('Username or email').fill('settings_admin');
    await page.getByLabel('Password').fill(AUTHOR_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function check(name: string): Promise<void> {
    assert.deepEqual(await seriousViolations(page), [], `${name}: axe`);
    assert.deepEqual(await screenshots(page, name), [], `${name}: scrolls sideways at`);
  }

  test('profile, password, and the profile form with an error', async () => {
    await page.goto(`${server.url}/settings`);
    await check('settings-profile');
    await page.getByLabel('Website URL').fill('javascript:alert(1)');
    await page.getByRole('button', { name: 'Save profile' }).click();
    assert.equal(await page.getByLabel('Website URL').getAttribute('aria-invalid'), 'true');
    await check('settings-profile-error');
    await page.goto(`${server.url}/settings/password`);
    await check('settings-password');
  });

  test('API keys: the new key shown once', async () => {
    await page.goto(`${server.url}/settings/keys`);
    await page.getByLabel('Name').fill('deploy script');
    await page.getByRole('button', { name: 'Create key' }).click();
    assert.match((await page.locator('main').textContent()) ?? '', /deploy script/);
    await check('settings-keys-created');
  });

  test('feed sources', async () => {
    await page.goto(`${server.url}/settings/feeds`);
    await check('settings-feeds');
  });

  test("webhooks: the new secret shown once, then the endpoint's deliveries", async () => {
    await page.goto(`${server.url}/settings/webhooks`);
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hooks/quire');
    await page.getByLabel('article.published').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    assert.match((await page.locator('main').textContent()) ?? '', /whsec_/);
    await check('settings-webhooks-created');
    await page.goto(`${server.url}/settings/webhooks`);
    await page.locator('main a[href^="/settings/webhooks/"]').first().click();
    await page.waitForURL(/\/settings\/webhooks\/\d+$/);
    await check('settings-webhook-deliveries');
  });

  test('admin: site settings and accounts', async () => {
    await page.goto(`${server.url}/admin`);
    assert.ok(await page.getByRole('cell', { name: 'settings_admin' }).first().isVisible());
    await check('admin');
  });
});
