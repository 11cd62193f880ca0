/**
 * One timed import in a fresh process, as `quire import <file> --username U --publish` runs
 * it (same context, same loader, same importer), reporting its timings to bench/import.ts.
 * `--convert-only` times just the item-to-article conversion, with no database writes.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/context.ts';
import { importBody, importTags, importTitle } from '../src/modules/imports/item-mapping.ts';
import { FeedError, type ParsedFeed } from '../src/feeds/parsed.ts';
import { prepareArticle } from '../src/modules/articles/articles.service.ts';
import { loadFeed, parseFeedBytes } from '../src/modules/imports/feed-loader.ts';
import { importFeed } from '../src/modules/imports/import.service.ts';
import { findUserByUsername } from '../src/modules/users/users.repository.ts';
import { createAccount } from '../src/modules/users/users.service.ts';

export interface ImportTiming {
  items: number;
  /** Reading and parsing the file, in ms. */
  parseMs: number;
  /** importFeed, in ms (or the conversion alone with --convert-only). */
  importMs: number;
  imported: number;
  skipped: number;
  failed: number;
  /** Articles the account has afterwards. */
  articles: number;
  /** Why loadFeed refused the file, when it did and the file was parsed directly instead. */
  loaderRefusal: string | null;
  /** CPU time this process used during parse + import, in ms (the database's own is not in it). */
  cpuMs: number;
  /** With --convert-only: ms spent turning HTML into Markdown, and rendering that Markdown. */
  toMarkdownMs?: number;
  renderMs?: number;
}

const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    file: { type: 'string' },
    username: { type: 'string', default: 'importer' },
    'convert-only': { type: 'boolean', default: false },
  },
});
if (!values.database || !values.file) {
  console.error('usage: import-run.ts --database URL --file FEED [--username U] [--convert-only]');
  process.exit(2);
}
const file = values.file;

const config = loadConfig({
  DATABASE_URL: values.database,
  LOG_LEVEL: 'warn',
  QUIRE_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
});
// The logger `quire import` uses: warnings and up, on stderr.
const ctx = await openContext(config, {
  migrate: true,
  logger: pino({ level: 'warn' }, pino.destination(2)),
});
try {
  const user =
    (await findUserByUsername(ctx.database.db, values.username)) ??
    (await createAccount(ctx, {
      username: values.username,
      email: `${values.username}@example.test`,
      password: 'a-long-bench-password',
    }));

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let feed: ParsedFeed;
  let loaderRefusal: string | null = null;
  try {
    const loaded = await loadFeed(ctx, file);
    if (loaded.kind !== 'feed') throw new Error('a local file cannot be "not modified"');
    feed = loaded.feed;
  } catch (error) {
    if (!(error instanceof FeedError && error.code === 'too_large')) throw error;
    // The loader caps files at 10 MiB; parse the same bytes the same way, without the cap.
    loaderRefusal = error.message;
    const bytes = new Uint8Array(await readFile(file));
    const document = await parseFeedBytes(bytes, { url: null, maxBytes: bytes.length });
    if (document.kind !== 'feed') throw new Error(`${file} is not a feed`, { cause: error });
    feed = document.feed;
  }
  const t1 = performance.now();

  let summary = { imported: 0, skipped: 0, failed: 0 };
  let toMarkdownMs = 0;
  let renderMs = 0;
  if (values['convert-only']) {
    // What import.service.ts does to each item before its transaction, without the writes.
    for (const item of feed.items) {
      const a = performance.now();
      const title = importTitle(item.title, item.url ?? 'Untitled');
      const { markdown, frontMatter } = importBody(
        {
          title,
          html: item.html,
          tags: importTags(item.categories),
          canonicalUrl: null,
          date: item.published ?? item.updated,
          published: true,
        },
        item.url,
      );
      const b = performance.now();
      prepareArticle({ body_markdown: markdown }, frontMatter);
      toMarkdownMs += b - a;
      renderMs += performance.now() - b;
    }
  } else {
    const s = await importFeed(ctx, user, feed, { publish: true, canonical: false });
    summary = { imported: s.imported, skipped: s.skipped, failed: s.failed.length };
  }
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);

  const count = await ctx.database.db
    .selectFrom('articles')
    .where('user_id', '=', user.id)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const timing: ImportTiming = {
    items: feed.items.length,
    parseMs: t1 - t0,
    importMs: t2 - t1,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...summary,
    articles: Number(count.n),
    loaderRefusal,
    ...(values['convert-only'] && { toMarkdownMs, renderMs }),
  };
  process.send?.(timing);
} finally {
  await ctx.database.close();
}
