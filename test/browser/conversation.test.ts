/**
 * A reader takes part in the discussion in Chromium, once with JavaScript off (every button a
 * full page post) and once with it on (everything in place: the page never loads again and its
 * address stays): sign in, comment, reply to a reply, edit, delete, react and save.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { idCode } from '../../src/modules/comments/comments.rules.ts';
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

for (const javaScript of [false, true]) {
  describe(
    `a reader in the discussion, JavaScript ${javaScript ? 'on' : 'off'}`,
    {
      skip: skipBrowser,
    },
    () => {
      let server: TestServer;
      let browser: Browser;
      let page: Page;
      let reader: Author;
      let article: { id: number; url: string; path: string; title: string };
      let loads = 0;
      const words = javaScript ? 'in place' : 'by post';

      before(async () => {
        server = await startTestServer();
        const ada = await makeAuthor(server, 'talker_ada');
        reader = await makeAuthor(server, 'talker_bob');
        article = await postArticle(server, ada, {
          title: 'Threads worth reading',
          body_markdown: 'Say something.',
          published: true,
        });
        server.clock.advance(2 * 86_400_000);
        browser = await launchBrowser({ javaScript });
        page = await browser.context.newPage();
        page.on('load', () => {
          loads += 1;
        });
      });
      after(async () => {
        await browser?.close();
        await server?.close();
      });

      const codeOf = async (body: string) => {
        const row = await server.ctx.database.db
          .selectFrom('comments')
          .select('id')
          .where('body_markdown', '=', body)
          .executeTakeFirst();
        assert.ok(row, `"${body}" was not stored`);
        return idCode(row.id);
      };
      const actions = (code: string) =>
        page.locator(`#comment-${code} > .comment-main > .comment-actions`);

      /**
       * Runs one step: with the script on, the page must not load again and its address must stay;
       * without it, the step is a page post that comes back to the article.
       */
      async function step(what: string, run: () => Promise<void>) {
        const url = page.url();
        const before = loads;
        await run();
        // The new page's text can show before its load event; wait for the event before counting.
        if (!javaScript) await page.waitForLoadState('load');
        if (javaScript) {
          assert.equal(loads, before, `${what}: the page loaded again`);
          assert.equal(page.url(), url, `${what}: the address changed`);
        } else {
          assert.ok(loads > before, `${what}: no page post happened`);
          assert.ok(page.url().startsWith(article.url), `${what}: ended on ${page.url()}`);
        }
      }

      test('signs in from the article page and comes back to it', async () => {
        await page.goto(article.url);
        assert.equal(
          await page.locator('#discussion form').count(),
          0,
          'the shared page has no form',
        );
        await page.getByRole('link', { name: 'Sign in to comment' }).click();
        await page.getByLabel('Username or email').fill(reader.username);
        await page.getByLabel('Password').fill(AUTHOR_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(article.url);
        assert.ok(await page.locator('#body-new').isVisible());
      });

      test(`comments, replies to a reply, edits and deletes, ${words}`, async () => {
        const first = `A first thought, ${words}.`;
        await step('comment', async () => {
          await page.locator('#body-new').fill(first);
          await page.getByRole('button', { name: 'Comment', exact: true }).click();
          await page.locator('.comment-body', { hasText: first }).waitFor();
        });
        const one = await codeOf(first);
        assert.equal(await page.locator('#comments-heading .count').textContent(), '(1)');

        const second = `A reply, ${words}.`;
        await step('reply', async () => {
          await actions(one).locator('details.reply > summary').click();
          await page.locator(`#body-reply-${one}`).fill(second);
          await actions(one).getByRole('button', { name: 'Reply', exact: true }).click();
          await page.locator('.comment-body', { hasText: second }).waitFor();
        });
        const two = await codeOf(second);

        const third = `A reply to the reply, ${words}.`;
        await step('reply to a reply', async () => {
          await actions(two).locator('details.reply > summary').click();
          await page.locator(`#body-reply-${two}`).fill(third);
          await actions(two).getByRole('button', { name: 'Reply', exact: true }).click();
          await page.locator('.comment-body', { hasText: third }).waitFor();
        });
        const three = await codeOf(third);
        assert.ok(
          await page.locator(`#comment-${one} #comment-${two} #comment-${three}`).isVisible(),
          'the reply to the reply sits under the reply',
        );

        const edited = `An edited reply, ${words}.`;
        await step('edit', async () => {
          await actions(three).locator('details.edit > summary').click();
          await page.locator(`#body-edit-${three}`).fill(edited);
          await actions(three).getByRole('button', { name: 'Save changes' }).click();
          await page.locator(`#comment-${three} .comment-body`, { hasText: edited }).waitFor();
        });
        assert.ok(await page.locator(`#comment-${three} .edited`).isVisible());

        await step('delete', async () => {
          page.once('dialog', (dialog) => void dialog.accept());
          await actions(two).getByRole('button', { name: 'Delete' }).click();
          await page
            .locator(`#comment-${two} > .comment-main .comment-body`, { hasText: '[deleted]' })
            .waitFor();
        });
        assert.equal(await page.locator('.comment-body', { hasText: second }).count(), 0);
        assert.ok(
          await page.locator('.comment-body', { hasText: edited }).isVisible(),
          'replies stay',
        );
      });

      test(`reacts and saves, ${words}`, async () => {
        const bar = page.locator('#reactions');
        await step('react', async () => {
          await bar.getByRole('button', { name: 'Unicorn' }).click();
          await bar.locator('button[data-category="unicorn"][aria-pressed="true"]').waitFor();
        });
        assert.equal(await page.locator('#article-reactions').textContent(), '1');
        await step('save', async () => {
          await bar.getByRole('button', { name: 'Save', exact: true }).click();
          await bar.locator('button[data-category="readinglist"][aria-pressed="true"]').waitFor();
        });
        assert.equal(
          await page.locator('#article-reactions').textContent(),
          '1',
          'saving is private',
        );
        await step('take the reaction back', async () => {
          await bar.getByRole('button', { name: 'Unicorn' }).click();
          await bar.locator('button[data-category="unicorn"][aria-pressed="false"]').waitFor();
        });
        assert.equal(await page.locator('#article-reactions').textContent(), '0');
        const row = await server.ctx.database.db
          .selectFrom('articles')
          .select('public_reactions_count')
          .where('id', '=', article.id)
          .executeTakeFirstOrThrow();
        assert.equal(row.public_reactions_count, 0);

        await page.goto(`${server.url}/readinglist`);
        assert.ok(await page.getByRole('link', { name: article.title }).isVisible());
      });

      if (javaScript) {
        test('the discussion: no serious axe violations, no sideways scroll, screenshots', async () => {
          await page.goto(article.url);
          assert.deepEqual(await seriousViolations(page), []);
          assert.deepEqual(await screenshots(page, 'discussion'), []);
          await page.goto(`${server.url}/readinglist`);
          assert.deepEqual(await seriousViolations(page), []);
          assert.deepEqual(await screenshots(page, 'reading-list'), []);
        });
      }
    },
  );
}
