/**
 * The "Following" view at scale: a site of 1M articles (built as bench/scale.ts builds its
 * databases, kept under bench/data/ with --keep), one reader following 1,000 authors and 100
 * tags, its timeline filled as the notifications consumer fills it on each follow (the newest
 * TIMELINE_BACKFILL of each). Times `followingPage` (the service the page and the API call) and
 * its raw timeline query per page, and prints SQLite's query plan.
 * Run: `npm run bench:following` (`--help` for options).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { type AppContext, openContext } from '../src/context.ts';
import { explainSelects, refreshStatistics } from '../src/db/query-plans.ts';
import type { UserRow } from '../src/db/schema.ts';
import {
  addToTimelines,
  newestOfAuthor,
  newestOfTag,
  timelinePage,
  VIA_AUTHOR,
  VIA_TAG,
} from '../src/modules/notifications/notifications.repository.ts';
import {
  TIMELINE_BACKFILL,
  TIMELINE_PAGE,
} from '../src/modules/notifications/notifications.rules.ts';
import { followingPage } from '../src/modules/notifications/notifications.service.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { findUserById } from '../src/modules/users/users.repository.ts';
import { findPgBin, type PgCluster, startPgCluster } from '../test/helpers/pg-cluster.ts';
import {
  describeMachine,
  fixed,
  int,
  machine,
  ROOT,
  table,
  today,
  writeSection,
} from './common.ts';
import { BUILD_FORMAT, buildDatabase, type Manifest } from './scale-build.ts';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1m' },
    'pg-size': { type: 'string', default: '100k' },
    authors: { type: 'string', default: '1000' },
    tags: { type: 'string', default: '100' },
    requests: { type: 'string', default: '500' },
    pages: { type: 'string', default: '1,2,10,50' },
    keep: { type: 'boolean', default: false },
    data: { type: 'string', default: join(ROOT, 'bench', 'data') },
    postgres: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npx node bench/following.ts [options]
  --size S        articles on the SQLite site: 1k, 100k, 1m or a count (1m)
  --keep          reuse the database an earlier run built (bench/data/following-<size>.db)
  --authors N     authors the reader follows (1000), --tags N tags (100)
  --requests N    timed calls per page (500)
  --pages LIST    pages to time (1,2,10,50)
  --postgres      the same on a throwaway PostgreSQL cluster, built every run, of --pg-size (100k)
  --data DIR      where the SQLite database is kept (bench/data)
  --no-docs       leave docs/benchmarks.md alone`);
  process.exit(0);
}
const sizeOf = (label: string) => {
  const n = { '1k': 1000, '100k': 100_000, '1m': 1_000_000 }[label.toLowerCase()] ?? Number(label);
  if (!Number.isInteger(n) || n < 1000)
    throw new Error(`a size is 1k, 100k, 1m or a count: ${label}`);
  return n;
};
const SIZE = sizeOf(args.size);
const PG_SIZE = sizeOf(args['pg-size']);
const AUTHORS = Number(args.authors);
const TAGS = Number(args.tags);
const REQUESTS = Number(args.requests);
const PAGES = args.pages.split(',').map(Number);
/** Bumped when what this script adds to a built site changes. */
const FOLLOWING_FORMAT = 1;
const READER = 'bench_reader';
const SECRET = 'bench-following-secret-0123456789abcdef0123456789';

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const quiet = pino({ level: 'warn' });

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

interface Follows {
  authors: number;
  tags: number;
  timeline: number;
  ms: number;
}

/**
 * The reader, its follows (rows as the follows service writes them), and its timeline as the
 * notifications consumer's backfill makes it: the newest TIMELINE_BACKFILL visible articles of
 * each author and each tag followed, through the consumer's own queries.
 */
async function addReader(url: string): Promise<Follows> {
  const started = performance.now();
  const ctx = await openContext(loadConfig({ DATABASE_URL: url, QUIRE_SECRET: SECRET }), {
    migrate: true,
    logger: quiet,
  });
  try {
    const db = ctx.database.db;
    const reader = await createAccount(ctx, {
      username: READER,
      email: `${READER}@example.com`,
      password: 'a-long-bench-password',
    });
    const authors = await db
      .selectFrom('articles')
      .select('user_id')
      .where('published', '=', 1)
      .groupBy('user_id')
      .orderBy((eb) => eb.fn.countAll(), 'desc')
      .limit(AUTHORS)
      .execute();
    const tags = await db
      .selectFrom('tags')
      .select('id')
      .orderBy('published_count', 'desc')
      .limit(TAGS)
      .execute();
    const stamp = ctx.clock.now().toISOString();
    const now = stamp;
    await db
      .insertInto('follows')
      .values([
        ...authors.map((a) => ({
          follower_id: reader.id,
          followable_type: 'User' as const,
          followable_id: a.user_id,
          created_at: stamp,
        })),
        ...tags.map((t) => ({
          follower_id: reader.id,
          followable_type: 'Tag' as const,
          followable_id: t.id,
          created_at: stamp,
        })),
      ])
      .execute();
    await db
      .updateTable('users')
      .set({ following_users_count: authors.length, following_tags_count: tags.length })
      .where('id', '=', reader.id)
      .execute();
    for (const { user_id } of authors) {
      await ctx.database.transaction(async (tx) => {
        const newest = await newestOfAuthor(tx.db, user_id, now, TIMELINE_BACKFILL);
        await addToTimelines(
          tx.db,
          newest.map((e) => ({ ...e, user_id: reader.id })),
          VIA_AUTHOR,
        );
      });
    }
    for (const { id } of tags) {
      await ctx.database.transaction(async (tx) => {
        const newest = await newestOfTag(tx.db, id, now, TIMELINE_BACKFILL);
        await addToTimelines(
          tx.db,
          newest.map((e) => ({ ...e, user_id: reader.id })),
          VIA_TAG,
        );
      });
    }
    const row = await db
      .selectFrom('timeline')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', reader.id)
      .executeTakeFirstOrThrow();
    return {
      authors: authors.length,
      tags: tags.length,
      timeline: Number(row.n),
      ms: performance.now() - started,
    };
  } finally {
    await ctx.database.close();
  }
}

interface Kept {
  manifest: Manifest;
  following: Follows;
  followingFormat: number;
  authors: number;
  tags: number;
}

/** The SQLite site with its reader: built now, or (with --keep) the one an earlier run built. */
async function sqliteSite(): Promise<{ url: string; kept: Kept; built: boolean }> {
  mkdirSync(args.data, { recursive: true });
  const label = args.size.toLowerCase();
  const file = join(args.data, `following-${label}.db`);
  const manifestFile = join(args.data, `following-${label}.json`);
  if (args.keep && existsSync(file) && existsSync(manifestFile)) {
    const kept = JSON.parse(readFileSync(manifestFile, 'utf8')) as Kept;
    if (
      kept.manifest.format === BUILD_FORMAT &&
      kept.manifest.articles === SIZE &&
      kept.followingFormat === FOLLOWING_FORMAT &&
      kept.authors === AUTHORS &&
      kept.tags === TAGS
    ) {
      log(`Using ${file}, built ${kept.manifest.builtAt}`);
      return { url: `sqlite:${file}`, kept, built: false };
    }
    log(`${file}: built differently; building again`);
  }
  const building = join(args.data, `following-${label}.building.db`);
  for (const f of [file, building])
    for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true });
  rmSync(manifestFile, { force: true });
  log(`Building ${label} (${int(SIZE)} articles) into ${file}...`);
  const url = `sqlite:${building}`;
  const manifest = await buildDatabase({ dialect: 'sqlite', url }, SIZE, {
    commit: gitCommit(),
    log,
  });
  const following = await addReader(url);
  // Checkpointed into the main file, so the rename moves everything.
  const raw = new DatabaseSync(building);
  raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  raw.close();
  for (const s of ['-wal', '-shm']) rmSync(building + s, { force: true });
  renameSync(building, file);
  const kept: Kept = {
    manifest,
    following,
    followingFormat: FOLLOWING_FORMAT,
    authors: AUTHORS,
    tags: TAGS,
  };
  writeFileSync(manifestFile, `${JSON.stringify(kept, null, 2)}\n`);
  return { url: `sqlite:${file}`, kept, built: true };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

interface Timing {
  page: number;
  items: number;
  service: { p50: number; p99: number };
  raw: { p50: number; p99: number };
}

async function time(fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 20; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/** Times each page through the service and its raw query, on a context opened as the server opens it. */
async function measure(url: string): Promise<Timing[]> {
  const ctx: AppContext = await openContext(
    loadConfig({ DATABASE_URL: url, QUIRE_SECRET: SECRET }),
    { logger: quiet },
  );
  try {
    const found = await ctx.database.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', READER)
      .executeTakeFirstOrThrow();
    const reader = (await findUserById(ctx.database.db, found.id)) as UserRow;
    const timings: Timing[] = [];
    for (const page of PAGES) {
      const { items } = await followingPage(ctx, reader, page);
      const service = await time(() => followingPage(ctx, reader, page));
      const raw = await time(() =>
        timelinePage(
          ctx.database.db,
          reader.id,
          ctx.clock.now().toISOString(),
          TIMELINE_PAGE + 1,
          (page - 1) * TIMELINE_PAGE,
        ),
      );
      timings.push({ page, items: items.length, service, raw });
      log(
        `page ${page}: ${items.length} items; followingPage p50 ${fixed(service.p50, 2)} p99 ${fixed(service.p99, 2)} ms; query p50 ${fixed(raw.p50, 2)} p99 ${fixed(raw.p99, 2)} ms`,
      );
    }
    return timings;
  } finally {
    await ctx.database.close();
  }
}

/** The plan of page 50's timeline query, captured as the repository runs it. */
async function planOf(url: string): Promise<string> {
  const ctx = await openContext(loadConfig({ DATABASE_URL: url, QUIRE_SECRET: SECRET }), {
    logger: quiet,
  });
  try {
    // Statistics, as autovacuum would leave them soon after the load (on PostgreSQL it would
    // otherwise run during the timings): without them PostgreSQL guessed, and sorted the
    // reader's whole timeline. A whole ANALYZE of the 10 GB SQLite file would take minutes.
    if (ctx.database.dialect === 'postgres') await refreshStatistics(ctx.database);
    else await sql`analyze timeline`.execute(ctx.database.db);
    const found = await ctx.database.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', READER)
      .executeTakeFirstOrThrow();
    const plans = await explainSelects(ctx.database, (database) =>
      timelinePage(
        database.db,
        found.id,
        ctx.clock.now().toISOString(),
        TIMELINE_PAGE + 1,
        49 * TIMELINE_PAGE,
      ),
    );
    return plans.map((p) => p.steps.join('\n')).join('\n');
  } finally {
    await ctx.database.close();
  }
}

interface Result {
  database: string;
  articles: number;
  following: Follows;
  timings: Timing[];
}

function report(results: Result[], host: string, command: string, plan: string): string {
  const rows = results.flatMap((r) =>
    r.timings.map((t) => [
      r.database,
      int(r.articles),
      String(t.page),
      String(t.items),
      fixed(t.service.p50, 2),
      fixed(t.service.p99, 2),
      fixed(t.raw.p50, 2),
      fixed(t.raw.p99, 2),
      t.service.p99 <= 20 ? 'yes' : 'no',
    ]),
  );
  const sites = results.map(
    (r) =>
      `${r.database}: ${int(r.articles)} articles; the reader follows ${int(r.following.authors)} authors and ${r.following.tags} tags, ${int(r.following.timeline)} timeline rows (built in ${fixed(r.following.ms / 1000)} s)`,
  );
  return [
    `Measured ${today()} on ${host}, load average before the run ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}, with \`${command}\`. ${REQUESTS} timed calls per page after 20 unmeasured, in-process: the service \`GET /following\` calls, without the HTTP round trip and the page's layout.`,
    '',
    ...sites.map((s) => `- ${s}`),
    '',
    table(
      [
        'database',
        'articles',
        'page',
        'items',
        'followingPage p50 ms',
        'p99 ms',
        'timeline query p50 ms',
        'p99 ms',
        'p99 ≤ 20 ms',
      ],
      rows,
    ),
    '',
    'The plan of the timeline query for page 50 (`explainSelects`, as test/db/query-plans.test.ts reads plans):',
    '',
    '```',
    plan,
    '```',
  ].join('\n');
}

async function main() {
  const host = describeMachine(machine());
  log(`Machine: ${host}`);
  const results: Result[] = [];
  let cluster: PgCluster | null = null;
  const watchdog = setTimeout(() => {
    console.error('bench/following.ts: still running after 30 minutes; giving up');
    cluster?.stop();
    process.exit(1);
  }, 30 * 60_000);
  try {
    const site = await sqliteSite();
    log(
      `SQLite: reader follows ${site.kept.following.authors} authors and ${site.kept.following.tags} tags; ${int(site.kept.following.timeline)} timeline rows`,
    );
    const plans = [`SQLite:\n${await planOf(site.url)}`];
    log(plans[0] ?? '');
    results.push({
      database: 'SQLite',
      articles: SIZE,
      following: site.kept.following,
      timings: await measure(site.url),
    });
    if (args.postgres) {
      if (findPgBin()) {
        log(`postgres: a throwaway cluster with ${int(PG_SIZE)} articles`);
        cluster = await startPgCluster();
        const manifest = await buildDatabase({ dialect: 'postgres', url: cluster.url }, PG_SIZE, {
          commit: gitCommit(),
          log,
        });
        const following = await addReader(cluster.url);
        plans.push(`PostgreSQL:\n${await planOf(cluster.url)}`);
        log(plans.at(-1) ?? '');
        results.push({
          database: 'PostgreSQL',
          articles: manifest.articles,
          following,
          timings: await measure(cluster.url),
        });
      } else log('postgres: skipped (no PostgreSQL binaries)');
    }
    const command = [
      'npx node bench/following.ts',
      `--size ${args.size}`,
      ...(args.keep ? ['--keep'] : []),
      `--requests ${REQUESTS}`,
      ...(args.postgres ? [`--postgres --pg-size ${args['pg-size']}`] : []),
    ].join(' ');
    const section = report(results, host, command, plans.join('\n\n'));
    console.log(`\n${section}\n`);
    if (!args['no-docs']) {
      writeSection('following', section);
      log('Results written to docs/benchmarks.md');
    }
  } finally {
    clearTimeout(watchdog);
    cluster?.stop();
  }
}

await main();
