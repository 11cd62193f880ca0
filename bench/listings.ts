/**
 * What a listing costs when nothing is cached, at a given number of articles. `seed` writes a
 * site into a database through the articles service; `measure` opens it (applying any pending
 * migration, timed) and times pages and API lists built afresh: pages are asked for with a
 * session cookie and API lists with an API key, which no cache answers.
 *
 *   npx node bench/listings.ts seed --database sqlite:/tmp/l/100k.db --articles 100000
 *   npx node bench/listings.ts measure --database sqlite:/tmp/l/100k.db
 *
 * The same file runs on an older checkout (it uses only services both have), so a database
 * seeded and measured there, then copied and measured here, shows a change before and after.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/context.ts';
import type { UserRow } from '../src/db/schema.ts';
import {
  insertArticlesIn,
  prepareArticle,
  type PreparedArticle,
} from '../src/modules/articles/articles.service.ts';
import { buildFeedModel } from '../src/modules/feeds/feed-model.ts';
import { createApiKey } from '../src/modules/apikeys/apikeys.service.ts';
import { createAccount, userByUsername } from '../src/modules/users/users.service.ts';
import { markdownArticle, random, TAGS } from './content.ts';

const AUTHORS = 50;
const BODIES = 64;
const DAY = 86_400_000;
const BATCH = 500;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    database: { type: 'string' },
    articles: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '30' },
  },
});
const command = positionals[0];
if ((command !== 'seed' && command !== 'measure') || !values.database) {
  process.stderr.write(
    'usage: listings.ts seed --database URL [--articles N]\n' +
      '       listings.ts measure --database URL [--rounds N]\n',
  );
  process.exit(2);
}

const config = loadConfig({
  DATABASE_URL: values.database,
  QUIRE_BASE_URL: 'https://blog.example.test',
  QUIRE_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  LOG_LEVEL: 'silent',
});

async function seed(total: number): Promise<void> {
  const ctx = await openContext(config, { migrate: true, logger: pino({ level: 'silent' }) });
  const rnd = random(42);
  const started = performance.now();
  const authors: UserRow[] = [];
  for (let a = 0; a < AUTHORS; a++)
    authors.push(
      await createAccount(ctx, {
        username: `author_${a}`,
        email: `author_${a}@example.test`,
        password: 'a-long-bench-password',
      }),
    );
  // Rendering is the slow part of a write and not what is measured: a few bodies, reused.
  const bodies = Array.from({ length: BODIES }, (_, n) =>
    prepareArticle({ title: 'x', body_markdown: markdownArticle(n + 1) }),
  );
  const now = Date.now();
  for (let start = 0; start < total; start += BATCH) {
    const author = authors[(start / BATCH) % AUTHORS] as UserRow;
    const batch: PreparedArticle[] = [];
    for (let n = start; n < Math.min(start + BATCH, total); n++) {
      const tags = new Set<string>();
      // javascript on half the articles, the other common tags on a tenth each, and a long tail.
      if (rnd() < 0.5) tags.add('javascript');
      for (const tag of TAGS) if (tags.size < 3 && rnd() < 0.1) tags.add(tag);
      tags.add(`tail${n % 5000}`);
      const roll = rnd();
      const draft = roll < 0.05;
      const scheduled = !draft && roll < 0.06;
      const when = scheduled
        ? new Date(now + (1 + rnd() * 60) * DAY)
        : new Date(now - rnd() * 5 * 365 * DAY);
      const body = bodies[n % BODIES] as PreparedArticle;
      batch.push({
        ...body,
        changes: {
          ...body.changes,
          title: `Article ${n}`,
          tags: [...tags],
          published: !draft,
          ...(!draft && { publishedAt: when }),
        },
      });
    }
    await ctx.database.transaction((tx) => insertArticlesIn(ctx, tx, author, batch));
    if ((start / BATCH) % 20 === 0)
      process.stdout.write(`\r${start + batch.length} of ${total} articles`);
  }
  process.stdout.write(
    `\rseeded ${total} articles in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  await ctx.database.close();
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;

async function measure(rounds: number): Promise<void> {
  const opened = performance.now();
  const ctx = await openContext(config, { migrate: true, logger: pino({ level: 'silent' }) });
  process.stdout.write(
    `opened (pending migrations applied) in ${((performance.now() - opened) / 1000).toFixed(1)} s\n`,
  );
  const app = await buildApp(ctx);
  // A session cookie (not a valid one) makes every page be built for the request, and an API
  // key every API answer: neither comes from a cache.
  const reader = await userByUsername(ctx, 'author_0');
  if (!reader) throw new Error('no author_0: seed the database first');
  const { key } = await createApiKey(ctx, reader, 'bench');
  const page = (url: string) => async () => {
    const headers = url.startsWith('/api/') ? { 'api-key': key } : { cookie: 'quire_session=b' };
    const res = await app.inject({ method: 'GET', url, headers });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  };
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['/', page('/')],
    ['/?page=50', page('/?page=50')],
    ['/t/javascript', page('/t/javascript')],
    ['/t/javascript?page=50', page('/t/javascript?page=50')],
    ['/t/postgres', page('/t/postgres')],
    ['/t/tail42', page('/t/tail42')],
    ['/author_1', page('/author_1')],
    [
      'tag feed model (javascript)',
      () => buildFeedModel(ctx, { kind: 'tag', tag: 'javascript' }, 1),
    ],
    ['/api/articles?tag=javascript', page('/api/articles?tag=javascript')],
    ['/api/articles?tags=postgres,node', page('/api/articles?tags=postgres,node')],
    ['/api/articles?tags_exclude=javascript', page('/api/articles?tags_exclude=javascript')],
    ['/api/articles?username=author_1&tag=node', page('/api/articles?username=author_1&tag=node')],
    ['/api/tags', page('/api/tags')],
    ['/api/tags?page=5', page('/api/tags?page=5')],
  ];
  process.stdout.write(`| request | median ms | p90 ms |\n| --- | --- | --- |\n`);
  for (const [name, run] of cases) {
    for (let i = 0; i < 3; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);
    process.stdout.write(
      `| ${name} | ${ms(percentile(times, 0.5))} | ${ms(percentile(times, 0.9))} |\n`,
    );
  }
  await app.close();
  await ctx.database.close();
}

if (command === 'seed') await seed(Number(values.articles));
else await measure(Number(values.rounds));
