/**
 * `quire import` and `quire feeds add|list|remove|poll` as an operator runs them, on the test
 * server's database: summaries, progress on big feeds, usage errors, hostile input as one
 * readable line, and `quire serve` polling a saved source through its dispatcher.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { quire, serve } from '../helpers/cli.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/net.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.ts';
import {
  type FeedServer,
  fixture,
  JSON_FEED,
  RSS,
  rssFeed,
  rssItem,
  startFeedServer,
} from './feed-server.ts';
import { articlesOf } from './support.ts';

let server: TestServer;
let feeds: FeedServer;
let env: Record<string, string>;
let dir: string;

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));

before(async () => {
  server = await startTestServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  await makeAuthor(server, 'site_admin');
  feeds = await startFeedServer();
  env = {
    DATABASE_URL: server.db.url,
    QUIRE_SECRET: TEST_SECRET,
    QUIRE_ALLOW_PRIVATE_URLS: '1',
    LOG_LEVEL: 'warn',
  };
  dir = mkdtempSync(join(tmpdir(), 'quire-import-cli-'));
});
after(async () => {
  await feeds.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One readable line on stderr, no stack trace, and a non-zero exit. */
function assertOneLineFailure(
  result: { code: number | null; stderr: string },
  pattern: RegExp,
  code?: number,
) {
  if (code === undefined) assert.notEqual(result.code, 0, result.stderr);
  else assert.equal(result.code, code, result.stderr);
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^quire: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at |Error:/, 'no stack trace');
}

const summaryLine = (imported: number, skipped: number, failed: number, total: number) =>
  `Imported ${imported}, skipped ${skipped} as duplicates, failed ${failed} (of ${total} items).`;

describe('quire import', () => {
  test('--help shows the usage; a missing --username or an unknown account is a usage error', async () => {
    const help = await quire(['import', '--help']);
    assert.equal(help.code, 0);
    assert.match(
      help.stdout,
      /^Usage: quire import <url-or-file> --username U \[--publish\] \[--canonical\]/,
    );
    for (const option of ['--username', '--publish', '--canonical'])
      assert.match(help.stdout, new RegExp(`\\n  ${option}\\b`));
    const overview = await quire(['--help']);
    assert.match(overview.stdout, /\n {2}import {2,}Import a feed/);
    assert.match(overview.stdout, /\n {2}feeds add {2,}/);

    assertOneLineFailure(
      await quire(['import', join(FIXTURES, 'dev-author.xml')], env),
      /missing --username/,
      2,
    );
    assertOneLineFailure(
      await quire(['import', join(FIXTURES, 'dev-author.xml'), '--username', 'nobody_here'], env),
      /no account named "nobody_here"/,
      2,
    );
  });

  test('from a file: drafts and a summary line; a second run skips them all', async () => {
    const author = await makeAuthor(server, 'from_file');
    const file = join(FIXTURES, 'dev-author.xml');
    const first = await quire(['import', file, '--username', 'from_file'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `${summaryLine(3, 0, 0, 3)}\n`);
    const articles = await articlesOf(server, author);
    assert.equal(articles.length, 3);
    assert.ok(articles.every((a) => a.published === false));
    const second = await quire(['import', file, '--username', 'from_file'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `${summaryLine(0, 3, 0, 3)}\n`);
    assert.equal((await articlesOf(server, author)).length, 3);
  });

  test('from a URL with --publish --canonical, naming the items that failed', async () => {
    const author = await makeAuthor(server, 'from_url');
    feeds.serve('/cli-feed.xml', {
      type: RSS,
      body: rssFeed([
        rssItem({
          title: 'Published from the command line',
          link: 'https://blog.example.com/cli',
          date: 'Mon, 02 Mar 2026 08:00:00 +0000',
          html: '<p>Hello</p>',
        }),
        rssItem({
          title: 'Nested to death',
          guid: 'cli-deep',
          html: `${'<div>'.repeat(600)}too deep${'</div>'.repeat(600)}`,
        }),
      ]),
    });
    const res = await quire(
      ['import', feeds.url('/cli-feed.xml'), '--username', 'from_url', '--publish', '--canonical'],
      env,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      `${summaryLine(1, 0, 1, 2)}\n  failed: Nested to death: Cannot convert the HTML: content is nested more than 500 elements deep\n`,
    );
    const [article] = await articlesOf(server, author);
    assert.equal(article.published, true);
    assert.equal(article.published_at, '2026-03-02T08:00:00Z');
    assert.equal(article.canonical_url, 'https://blog.example.com/cli');
  });

  test('a big feed shows its progress on stderr, then the summary', async () => {
    const author = await makeAuthor(server, 'big_feed');
    const file = join(dir, 'big.xml');
    const items = Array.from({ length: 600 }, (_, i) =>
      rssItem({ title: `Item number ${i + 1}`, guid: `big-${i + 1}`, html: `<p>${i + 1}</p>` }),
    );
    writeFileSync(file, rssFeed(items));
    const res = await quire(['import', file, '--username', 'big_feed'], env);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `${summaryLine(600, 0, 0, 600)}\n`);
    const progress = res.stderr.split('\n').filter(Boolean);
    assert.ok(progress.length >= 2, res.stderr);
    const counts = progress.map((line) => {
      const m = /^Imported (\d+)\/600 items$/.exec(line);
      assert.ok(m, `a progress line: ${line}`);
      return Number(m[1]);
    });
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => a - b),
    );
    assert.equal(counts.at(-1), 600);
    const { n } = await server.ctx.database.db
      .selectFrom('articles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', author.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(n), 600);
  });
});

describe('hostile input on the command line: one line, non-zero, nothing imported', () => {
  let victim: Author;
  before(async () => {
    victim = await makeAuthor(server, 'cli_victim');
  });

  async function refusedFile(path: string, pattern: RegExp, extraEnv: Record<string, string> = {}) {
    const state = await snapshot(server);
    const res = await quire(['import', path, '--username', victim.username, '--publish'], {
      ...env,
      ...extraEnv,
    });
    assertOneLineFailure(res, pattern);
    assert.equal(res.stdout, '');
    assert.deepEqual(await snapshot(server), state);
  }

  test('XXE', async () => {
    await refusedFile(join(FIXTURES, 'xxe-file.xml'), /declares XML entities/);
  });

  test('a 50 MB local file is refused by its size', async () => {
    const file = join(dir, 'fifty.xml');
    const out = createWriteStream(file);
    out.write('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Huge</title>\n');
    const chunk = Buffer.from('<item><title>filler</title><guid>x</guid></item>\n'.repeat(20_000));
    for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end('</channel></rss>\n');
    await once(out, 'finish');
    await refusedFile(file, /the file is 5\d MiB; feeds may be at most 10 MiB/);
  });

  test('invalid UTF-8, an HTML page, an empty feed, a missing file', async () => {
    const bad = join(dir, 'bad.xml');
    writeFileSync(
      bad,
      Buffer.concat([
        Buffer.from(
          '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><item><title>',
        ),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('</title><guid>u</guid></item></channel></rss>'),
      ]),
    );
    await refusedFile(bad, /not valid UTF-8/);
    await refusedFile(join(FIXTURES, 'page-with-alternates.html'), /is an HTML page, not a feed/);
    await refusedFile(join(FIXTURES, 'empty-channel.xml'), /has no items/);
    await refusedFile(join(dir, 'missing.xml'), /cannot read .*missing\.xml: no such file/);
  });

  test('SSRF: loopback with private URLs off, a redirect to cloud metadata', async () => {
    feeds.serve('/ssrf-target.xml', { body: fixture('dev-author.xml'), type: RSS });
    const port = new URL(feeds.origin).port;
    const off = { QUIRE_ALLOW_PRIVATE_URLS: '0' };
    await refusedFile(
      `http://127.0.0.1:${port}/ssrf-target.xml`,
      /127\.0\.0\.1 is not allowed/,
      off,
    );
    assert.equal(feeds.hits('/ssrf-target.xml').length, 0);
    feeds.redirect('/cli-moved.xml', 'http://169.254.169.254/latest/meta-data/');
    await refusedFile(feeds.url('/cli-moved.xml'), /169\.254\.169\.254 is not allowed/);
  });
});

describe('quire feeds', () => {
  test('add, list, poll, poll again (304), remove', async () => {
    const author = await makeAuthor(server, 'cli_feeds');
    feeds.serve('/cli-source.xml', {
      body: fixture('rdf-10.xml'),
      type: RSS,
      etag: '"rdf-1"',
    });
    const url = feeds.url('/cli-source.xml');

    const added = await quire(
      ['feeds', 'add', '--username', 'cli_feeds', '--url', url, '--every', '600', '--publish'],
      env,
    );
    assert.equal(added.code, 0, added.stderr);
    const id = /^Added feed source (\d+): (\S+)\n$/.exec(added.stdout);
    assert.ok(id, added.stdout);
    assert.equal(id[2], url);

    const listed = await quire(['feeds', 'list', '--username', 'cli_feeds'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, `${id[1]}\t${url}\tevery 600 s, publish; never polled\n`);

    const polled = await quire(['feeds', 'poll', '--id', id[1] ?? ''], env);
    assert.equal(polled.code, 0, polled.stderr);
    assert.equal(polled.stdout, `${summaryLine(2, 0, 0, 2)}\n`);
    const articles = await articlesOf(server, author);
    assert.deepEqual(
      articles.map((a) => a.published),
      [true, true],
    );

    const notModified = await quire(['feeds', 'poll', '--id', id[1] ?? ''], env);
    assert.equal(notModified.stdout, 'Not modified since the last poll.\n');
    assert.equal(feeds.hits('/cli-source.xml')[1]?.ifNoneMatch, '"rdf-1"');

    const due = await quire(['feeds', 'poll'], env);
    assert.equal(due.code, 0, due.stderr);
    assert.equal(due.stdout, 'Polled 0 due feed sources.\n');
    assert.equal(feeds.hits('/cli-source.xml').length, 2);

    const relisted = await quire(['feeds', 'list', '--username', 'cli_feeds'], env);
    assert.match(relisted.stdout, /every 600 s, publish; last polled \S+ \(not_modified\)\n$/);

    const removed = await quire(
      ['feeds', 'remove', '--username', 'cli_feeds', '--id', id[1] ?? ''],
      env,
    );
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, `Removed feed source ${id[1]}.\n`);
    const empty = await quire(['feeds', 'list', '--username', 'cli_feeds'], env);
    assert.equal(empty.stdout, 'No feed sources.\n');
    assert.equal((await articlesOf(server, author)).length, 2, 'the articles stay');
  });

  test('mistakes are one line each', async () => {
    await makeAuthor(server, 'cli_oops');
    assertOneLineFailure(
      await quire(['feeds', 'remove', '--username', 'cli_oops', '--id', '999999'], env),
      /Feed source not found/,
      1,
    );
    assertOneLineFailure(
      await quire(['feeds', 'poll', '--id', 'seven'], env),
      /--id must be a positive whole number/,
      2,
    );
    assertOneLineFailure(
      await quire(
        ['feeds', 'add', '--username', 'cli_oops', '--url', 'http://169.254.169.254/'],
        env,
      ),
      /169\.254\.169\.254 is not allowed/,
      1,
    );
  });

  test('quire serve polls a due source through its dispatcher', async () => {
    const author = await makeAuthor(server, 'cli_serve');
    feeds.serve('/served-source.xml', { body: fixture('json-feed-1.1.json'), type: JSON_FEED });
    const add = await quire(
      ['feeds', 'add', '--username', 'cli_serve', '--url', feeds.url('/served-source.xml')],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    const port = await freePort();
    const node = await serve({
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUIRE_DISPATCH_POLL: '1',
      LOG_LEVEL: 'info',
    });
    try {
      // Waiting for an outcome, not measuring time: the bound only keeps a failure from hanging.
      for (let i = 0; i < 300 && (await articlesOf(server, author)).length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(feeds.hits('/served-source.xml').length, 1);
      assert.deepEqual((await articlesOf(server, author)).map((a) => a.title).sort(), [
        'Constant folding in forty lines',
        'SSA by hand',
      ]);
    } finally {
      node.child.kill('SIGTERM');
      await node.exited;
    }
  });
});
