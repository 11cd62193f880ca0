/**
 * Takes the README's screenshots: a fresh instance on a temp SQLite file, a few articles, and
 * Debian's Chromium (never a downloaded browser) driven by playwright-core.
 * Run: npx node scripts/screenshots.ts
 */
import { createArticle } from '../src/modules/articles/articles.service.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { startDemoServer } from '../test/helpers/demo-server.ts';

const server = await startDemoServer();
try {
  const { ctx, url } = server;
  const ada = await createAccount(ctx, {
    username: 'ada',
    email: 'ada@example.com',
    password: 'a-long-password',
    name: 'Ada Park',
  });
  const lin = await createAccount(ctx, {
    username: 'lin',
    email: 'lin@example.com',
    password: 'a-long-password',
    name: 'Lin Okafor',
  });
  const post = (title: string, tags: string, body: string) =>
    `---\ntitle: ${title}\npublished: true\ntags: ${tags}\n---\n\n${body}`;
  await createArticle(ctx, lin, {
    body_markdown: post(
      'Reading a Postgres query plan without fear',
      'postgres, performance',
      'Plans look scary until you read them from the inside out.',
    ),
  });
  const { article } = await createArticle(ctx, ada, {
    body_markdown: post(
      'Typed event handlers in TypeScript',
      'typescript, webdev, tutorial',
      [
        'An event map turns stringly-typed listeners into checked ones. Here is the whole trick:',
        '',
        '```ts',
        'type Events = { saved: { id: number }; deleted: { id: number; reason?: string } };',
        '',
        'function on<K extends keyof Events>(name: K, handler: (event: Events[K]) => void) {',
        '  listeners[name].push(handler);',
        '}',
        '```',
        '',
        '## What it buys you',
        '',
        '| Mistake | Caught at |',
        '| --- | --- |',
        '| misspelt event name | compile time |',
        '| wrong payload field | compile time |',
        '',
        '- [x] names checked',
        '- [x] payloads checked',
      ].join('\n'),
    ),
  });
  const browser = await launchBrowser();
  const context = browser.context;
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.screenshot({ path: 'docs/screenshots/home.png' });
  await page.goto(`${url}/ada/${article.slug}`);
  await page.screenshot({ path: 'docs/screenshots/article.png' });
  await browser.close();
  console.log('Wrote docs/screenshots/home.png and docs/screenshots/article.png');
} finally {
  await server.stop();
}
