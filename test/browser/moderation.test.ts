/**
 * Moderation in Chromium, once with JavaScript off (every button a page post) and once with it
 * on: an article's author hides and unhides a reader's comment from the page, a reader reports
 * another reader's comment through the Report link and form, and an administrator resolves the
 * report at /admin/reports by suspending the comment's author, whose article, comment and
 * writing are then withheld. Each person has a browser context of their own; an anonymous
 * visitor is a fresh one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page, Response } from 'playwright-core';
import { idFromCode } from '../../src/modules/comments/comments.rules.ts';
import {
  launchPeople,
  type People,
  screenshots,
  seriousViolations,
  skipBrowser,
} from '../helpers/browser.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { AUTHOR_PASSWORD } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

for (const javaScript of [false, true]) {
  const mode = javaScript ? 'on' : 'off';
  describe(`moderating the discussion, JavaScript ${mode}`, { skip: skipBrowser }, () => {
    let server: TestServer;
    let people: People;
    let ada: Author;
    let bob: Author;
    let article: { id: number; url: string; path: string; title: string };
    let bobsArticle: { title: string };
    const thought = `A thought the author folds away, script ${mode}.`;
    const spam = `Buy cheap watches here, script ${mode}.`;
    let thoughtCode: string;
    let spamCode: string;

    before(async () => {
      server = await startTestServer();
      await makeAuthor(server, 'mod_boss', { admin: true });
      ada = await makeAuthor(server, 'mod_ada');
      bob = await makeAuthor(server, 'mod_bob');
      const rea = await makeAuthor(server, 'mod_rea');
      article = await postArticle(server, ada, {
        title: 'Gardens and their keepers',
        body_markdown: 'Talk among yourselves.',
        published: true,
      });
      bobsArticle = await postArticle(server, bob, {
        title: 'Watches of every kind',
        body_markdown: 'Tick.',
        published: true,
      });
      server.clock.advance(2 * 86_400_000);
      const comment = async (who: Author, body: string) => {
        const res = await server.client().post('/api/comments', {
          key: who.key,
          json: { comment: { body_markdown: body, article_id: article.id } },
        });
        assert.equal(res.status, 201, res.text);
        return res.json<{ id_code: string }>().id_code;
      };
      thoughtCode = await comment(rea, thought);
      spamCode = await comment(bob, spam);
      people = await launchPeople({ javaScript });
    });
    after(async () => {
      await people?.close();
      await server?.close();
    });

    const db = () => server.ctx.database.db;
    const commentRow = (code: string) =>
      db()
        .selectFrom('comments')
        .selectAll()
        .where('id', '=', idFromCode(code) ?? 0)
        .executeTakeFirstOrThrow();
    const actions = (page: Page, code: string) =>
      page.locator(`#comment-${code} .comment-main > .comment-actions`).first();

    /** A fresh context signed in as `username`, ending on `path`. */
    async function signedIn(username: string, path: string): Promise<Page> {
      const page = await people.newPage();
      await page.goto(`${server.url}/enter?next=${encodeURIComponent(path)}`);
      await page.getByLabel('Username or email').fill(username);
      await page.getByLabel('Password').fill(AUTHOR_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(new URL(path, server.url).href);
      return page;
    }

    /** A visitor nobody signed in as, on the article page. */
    async function anonymousOn(path: string): Promise<Page> {
      const page = await people.newPage();
      const response = await page.goto(new URL(path, server.url).href);
      assert.equal(response?.status(), 200, `${path} for an anonymous visitor`);
      return page;
    }

    /** Clicks and returns the answer to the post the click sends (a page post, or the script's). */
    async function posting(page: Page, path: RegExp, click: () => Promise<void>) {
      const [response] = await Promise.all([
        page.waitForResponse(
          (r: Response) => r.request().method() === 'POST' && path.test(new URL(r.url()).pathname),
        ),
        click(),
      ]);
      return response;
    }

    test("the article's author hides a reader's comment and unhides it", async () => {
      const page = await signedIn(ada.username, article.path);
      const hidden = await posting(page, /\/hide$/, () =>
        actions(page, thoughtCode).getByRole('button', { name: 'Hide', exact: true }).click(),
      );
      assert.equal(hidden.status(), javaScript ? 200 : 303);
      await page
        .locator(`#comment-${thoughtCode} > details.hidden-comment > summary`, {
          hasText: 'Comment hidden by the author',
        })
        .waitFor();
      assert.equal(page.url().split('#')[0], article.url, 'back on the article');
      assert.equal((await commentRow(thoughtCode)).hidden, 1);

      const visitor = await anonymousOn(article.path);
      const folded = visitor.locator(`#comment-${thoughtCode} > details.hidden-comment`);
      assert.equal(
        (await folded.locator('> summary').textContent())?.trim(),
        'Comment hidden by the author',
      );
      const notice = folded.locator('.comment-body');
      assert.equal(await notice.isVisible(), false, 'folded until opened');
      await folded.locator('> summary').click();
      await notice.waitFor({ state: 'visible' });
      assert.equal((await notice.textContent())?.trim(), '[hidden by the author]');
      assert.equal(await visitor.getByText(thought).count(), 0, 'its text is not on the page');
      assert.equal(
        await visitor.getByRole('button', { name: 'Hide' }).count(),
        0,
        'no buttons for a visitor',
      );

      // The author opens the folded comment to reach its Unhide button.
      await page.locator(`#comment-${thoughtCode} > details.hidden-comment > summary`).click();
      const shown = await posting(page, /\/unhide$/, () =>
        actions(page, thoughtCode).getByRole('button', { name: 'Unhide' }).click(),
      );
      assert.equal(shown.status(), javaScript ? 200 : 303);
      await page.locator(`#comment-${thoughtCode} .comment-body`, { hasText: thought }).waitFor();
      assert.equal(await page.locator(`#comment-${thoughtCode} details.hidden-comment`).count(), 0);
      assert.equal((await commentRow(thoughtCode)).hidden, 0);

      await visitor.reload();
      assert.ok(await visitor.getByText(thought).isVisible(), 'open again for everyone');
      assert.equal(await visitor.locator('details.hidden-comment').count(), 0);
      await page.context().close();
      await visitor.context().close();
    });

    test("a reader reports another reader's comment from the page", async () => {
      const page = await signedIn('mod_rea', article.path);
      assert.equal(
        await actions(page, thoughtCode).getByRole('link', { name: 'Report' }).count(),
        0,
        'no Report link on their own comment',
      );
      await actions(page, spamCode).getByRole('link', { name: 'Report' }).click();
      await page.getByRole('heading', { name: 'Report this comment' }).waitFor();
      if (javaScript) {
        assert.deepEqual(await seriousViolations(page), [], 'the report form');
        assert.deepEqual(await screenshots(page, 'report-form'), []);
      }
      await page.getByLabel('Reason').selectOption('spam');
      await page.getByLabel('Note').fill('Selling watches under every article.');
      const sent = await posting(page, /^\/report$/, () =>
        page.getByRole('button', { name: 'Send report' }).click(),
      );
      assert.equal(sent.status(), 303);
      await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      assert.match(new URL(page.url()).pathname, /^\/report\/thanks$/);
      assert.equal(
        await page.getByRole('link', { name: 'Go back' }).getAttribute('href'),
        `${article.path}/comments/${spamCode}`,
        'the way back leads to the comment',
      );
      const reports = await db().selectFrom('reports').selectAll().execute();
      assert.equal(reports.length, 1);
      assert.deepEqual(
        [reports[0]?.reportable_type, reports[0]?.reportable_id, reports[0]?.reason],
        ['Comment', idFromCode(spamCode), 'spam'],
      );
      assert.equal(reports[0]?.note, 'Selling watches under every article.');

      // Reporting it again is refused on the form, which keeps what was typed.
      await page.goto(article.url);
      await actions(page, spamCode).getByRole('link', { name: 'Report' }).click();
      await page.getByLabel('Note').fill('Still there.');
      const again = await posting(page, /^\/report$/, () =>
        page.getByRole('button', { name: 'Send report' }).click(),
      );
      assert.equal(again.status(), 409);
      await page.getByRole('alert').filter({ hasText: 'You have already reported this' }).waitFor();
      assert.equal(await page.getByLabel('Note').inputValue(), 'Still there.');
      assert.equal((await db().selectFrom('reports').select('id').execute()).length, 1);
      await page.context().close();
    });

    test("the administrator suspends the comment's author from the report", async () => {
      // Seen (and cached) before the suspension.
      const visitor = await anonymousOn('/');
      assert.ok(await visitor.getByRole('link', { name: bobsArticle.title }).isVisible());
      await visitor.goto(article.url);
      assert.ok(await visitor.getByText(spam).isVisible());

      const admin = await signedIn('mod_boss', '/admin/reports');
      const entry = admin.locator('li.report');
      assert.equal(await entry.count(), 1);
      assert.equal((await entry.locator('.reported-text').textContent())?.trim(), spam);
      assert.ok(await entry.getByRole('link', { name: article.title }).isVisible());
      assert.match((await entry.textContent()) ?? '', /Selling watches under every article\./);
      if (javaScript) {
        assert.deepEqual(await seriousViolations(admin), [], '/admin/reports');
        assert.deepEqual(await screenshots(admin, 'admin-reports'), []);
      }
      const done = await posting(admin, /^\/admin\/reports\/\d+$/, () =>
        entry.getByRole('button', { name: 'Suspend the author' }).click(),
      );
      assert.equal(done.status(), 303);
      await admin.getByText('Author suspended, and the reports resolved.').waitFor();
      assert.ok(await admin.getByText('No open reports.').isVisible());
      const user = await db()
        .selectFrom('users')
        .select('suspended_at')
        .where('id', '=', bob.id)
        .executeTakeFirstOrThrow();
      assert.notEqual(user.suspended_at, null);

      await visitor.goto(`${server.url}/`);
      assert.equal(await visitor.getByRole('link', { name: bobsArticle.title }).count(), 0);
      assert.ok(await visitor.getByRole('link', { name: article.title }).isVisible());
      await visitor.goto(article.url);
      assert.equal(await visitor.getByText(spam).count(), 0);
      assert.equal(
        (await visitor.locator(`#comment-${spamCode} .comment-body`).textContent())?.trim(),
        '[hidden by a moderator]',
      );
      await visitor.context().close();
      await admin.context().close();
    });

    test('the suspended account, signed in, is told it cannot comment', async () => {
      const page = await signedIn(bob.username, article.path);
      const before = await db().selectFrom('comments').select('id').execute();
      await page.locator('#body-new').fill('Still selling watches.');
      const refused = await posting(page, /^\/comments$/, () =>
        page.getByRole('button', { name: 'Comment', exact: true }).click(),
      );
      assert.equal(refused.status(), 403);
      const alert = javaScript
        ? page.locator('#discussion-error')
        : page.getByRole('alert').filter({ hasText: 'suspended' });
      await alert.waitFor({ state: 'visible' });
      assert.match(
        (await alert.textContent()) ?? '',
        /This account is suspended and cannot post, comment or react/,
      );
      if (javaScript) assert.equal(page.url(), article.url, 'still on the article');
      else await page.getByRole('heading', { name: 'Write a comment' }).waitFor();
      assert.equal(
        (await db().selectFrom('comments').select('id').execute()).length,
        before.length,
      );
      await page.context().close();
    });
  });
}
