/**
 * Page weight: the bytes of each page type (HTML, and the one stylesheet and one script every
 * page shares) as served, and compressed with gzip and brotli, on an instance seeded with 12
 * full articles. The signed-in pages are fetched through a real sign-in.
 * Run: `npx node bench/pages.ts [--no-docs]`.
 */
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { BROTLI_QUALITY } from '../src/http/response-cache.ts';
import { createArticle } from '../src/modules/articles/articles.service.ts';
import { SCRIPT_PATH, STYLESHEET_PATH } from '../src/web/assets.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { startDemoServer } from '../test/helpers/demo-server.ts';
import { HttpClient } from '../test/helpers/http.ts';
import { signInWeb } from '../test/helpers/pages.ts';
import { describeMachine, machine, table, today, writeSection } from './common.ts';
import { markdownArticle } from './content.ts';

const { values: args } = parseArgs({ options: { 'no-docs': { type: 'boolean', default: false } } });

interface Weight {
  raw: number;
  gzip: number;
  br: number;
}

const weigh = (bytes: Buffer): Weight => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  br: brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_MODE]: 1 },
  }).length,
});

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

const server = await startDemoServer();
try {
  const { ctx, url } = server;
  const author = await createAccount(ctx, {
    username: 'bench',
    email: 'bench@example.test',
    password: 'a-long-password',
    name: 'Bench Writer',
    admin: true,
  });
  let slug = '';
  for (let n = 0; n < 12; n++) {
    const { article } = await createArticle(ctx, author, { body_markdown: markdownArticle(n) });
    slug = article.slug;
  }
  const tag = (await ctx.database.db.selectFrom('tags').select('name').executeTakeFirstOrThrow())
    .name;

  const anonymous = new HttpClient(url);
  const signedIn = await signInWeb(
    { client: () => new HttpClient(url) },
    'bench',
    'a-long-password',
  );
  const pages: Array<[string, string, HttpClient]> = [
    ['Home', '/', anonymous],
    ['Article', `/bench/${slug}`, anonymous],
    ['Profile', '/bench', anonymous],
    ['Tag', `/t/${tag}`, anonymous],
    ['Sign in', '/enter', anonymous],
    ['Not found', '/bench/no-such-article', anonymous],
    ['Editor (new)', '/new', signedIn],
    ['Editor (edit)', `/bench/${slug}/edit`, signedIn],
    ['Dashboard', '/dashboard', signedIn],
    ['Settings', '/settings', signedIn],
    ['Webhooks settings', '/settings/webhooks', signedIn],
    ['Admin', '/admin', signedIn],
  ];
  const rows: string[][] = [];
  const brotliOf = new Map<string, number>();
  for (const [name, path, client] of pages) {
    const res = await client.get(path);
    const w = weigh(Buffer.from(res.text));
    brotliOf.set(name, w.br);
    rows.push([name, `\`${path}\``, String(res.status), kb(w.raw), kb(w.gzip), kb(w.br)]);
  }
  const css = weigh(Buffer.from((await anonymous.get(STYLESHEET_PATH)).text));
  const js = weigh(Buffer.from((await anonymous.get(SCRIPT_PATH)).text));
  const assets = table(
    ['Asset', 'Raw', 'gzip', 'brotli'],
    [
      ['Stylesheet (every page)', kb(css.raw), kb(css.gzip), kb(css.br)],
      ['Script (every page)', kb(js.raw), kb(js.gzip), kb(js.br)],
    ],
  );
  const html = table(['Page', 'Path', 'Status', 'HTML raw', 'gzip', 'brotli'], rows);
  console.log(`\n${html}\n\n${assets}\n`);
  const section = [
    '## Page weight',
    '',
    `Run on ${today()}: ${describeMachine(machine())}.`,
    '',
    '```sh',
    'npx node bench/pages.ts',
    '```',
    '',
    'Each page type on an instance with 12 full articles (paragraphs, lists, a table, a highlighted ' +
      'code block), as served, then compressed here with gzip -9 and brotli 6 (what the page cache ' +
      'sends to browsers that accept them). Every page also loads the one stylesheet and the one ' +
      'script below, each cached for a year under a name carrying its hash; avatars and article ' +
      'images come on top. No web fonts, no framework.',
    '',
    html,
    '',
    assets,
    '',
    `A first visit to an article costs ${kb((brotliOf.get('Article') ?? 0) + css.br + js.br)} ` +
      'of brotli-compressed HTML, CSS and script; later pages only their HTML.',
  ].join('\n');
  if (!args['no-docs']) writeSection('pages', section);
} finally {
  await server.stop();
}
