/**
 * Full-text search at scale: a site of N articles (1M by default) whose text is drawn from a
 * Zipf-distributed vocabulary, so some words are in a third of the articles and some in one of
 * ten thousand, with a few planted phrases and tags. The articles are inserted with the app's
 * schema and its search triggers on (migration 0011), so the build time is what keeping the
 * FTS5 index costs; then `searchPublished` (the service the search page and the API call) is
 * timed in-process for each kind of query, on a context opened as the server opens it.
 * SQLite by default, PostgreSQL with `--postgres`. Run: `npm run bench:search` (`--help` for
 * options).
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { type AppContext, openContext } from '../src/context.ts';
import { fts5Match, tsFilterText } from '../src/db/full-text.ts';
import { parseSearchQuery } from '../src/modules/search/query.ts';
import { searchArticles } from '../src/modules/search/search.repository.ts';
import { searchPublished } from '../src/modules/search/search.service.ts';
import { SEARCH_CANDIDATES, SEARCH_PER_PAGE } from '../src/modules/search/search.rules.ts';
import { type PgCluster, startPgCluster } from '../test/helpers/pg-cluster.ts';
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

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1m' },
    queries: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
    budget: { type: 'string', default: '90' },
    data: { type: 'string', default: join(ROOT, 'bench', 'data') },
    'no-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npx node bench/search.ts [options]
  --size S        articles: 1k, 100k, 200k, 1m or a count (1m)
  --queries N     timed queries per kind, after 20 unmeasured (300)
  --budget S      stop timing a kind after S seconds, short of --queries if need be (90)
  --raw           also time the repository call (searchArticles) without the service around it
  --keep          reuse the SQLite database an earlier run built (bench/data/search-<size>.db)
  --postgres      the same site on a throwaway PostgreSQL cluster instead, built every run
  --data DIR      where the database is kept (bench/data)
  --no-docs       leave docs/benchmarks.md alone`);
  process.exit(0);
}
const sizeOf = (label: string) => {
  const l = label.toLowerCase();
  const n = l.endsWith('m')
    ? Number(l.slice(0, -1)) * 1e6
    : l.endsWith('k')
      ? Number(l.slice(0, -1)) * 1e3
      : Number(l);
  if (!Number.isInteger(n) || n < 1000)
    throw new Error(`a size is like 1k, 200k, 1m or a count: ${label}`);
  return n;
};
const SIZE = sizeOf(args.size);
const QUERIES = Number(args.queries);
const WARMUP = 20;
const BUDGET_MS = Number(args.budget) * 1000;
const SECRET = 'bench-search-secret-0123456789abcdef0123456789';
const TARGET_MS = 50;

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const quiet = pino({ level: 'warn' });

/** A small deterministic generator (mulberry32), so every build has the same text. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words of the vocabulary; rank 1 is the most frequent. */
const VOCABULARY = 200_000;
/** Real words at fixed ranks, so the queries read naturally; `deve*` matches three of them. */
const NAMED: Record<number, string> = {
  12: 'system',
  20: 'data',
  30: 'developer',
  45: 'code',
  60: 'server',
  90: 'development',
  150: 'release',
  250: 'performance',
  400: 'devenv',
  600: 'kubernetes',
  1000: 'latency',
  2000: 'rust',
  5000: 'typescript',
};
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'ta',
  'vo',
  'zi',
  'be',
  'do',
  'fu',
  'ga',
  'hi',
  'jo',
  'pe',
  'su',
];
function word(rank: number): string {
  const named = NAMED[rank];
  if (named) return named;
  let n = rank;
  let out = '';
  do {
    out = (SYLLABLES[n % 16] as string) + out;
    n = Math.floor(n / 16);
  } while (n > 0);
  return `${out}x`; // a suffix no named word has, so generated words never collide with them
}
/** Phrases planted into 1% of articles each (their words also occur apart). */
const PHRASES = [
  'continuous integration',
  'memory leak',
  'query planner',
  'cold start',
  'type inference',
];
const TAGS = 500;
const tagName = (rank: number) => `topic${rank}`;

/** Zipf sampler over 1..n with exponent s: a cumulative table searched by halves. */
function zipf(n: number, s: number, rnd: () => number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / k ** s;
    cumulative[k - 1] = sum;
  }
  return () => {
    const u = rnd() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

interface Build {
  ms: number;
  insertMs: number;
  perSecond: number;
  /** The full-text index: FTS5's tables, or `article_search` with its GIN index. */
  ftsBytes: number;
  /** The whole database: the file, or PostgreSQL's database size. */
  fileBytes: number;
  articlesBytes: number;
}

const AUTHORS = 1000;

interface GeneratedArticle {
  /** The column values of `articles` in ARTICLE_COLUMNS order. */
  values: Array<string | number | null>;
  tags: number[];
  published: number;
  at: string;
}

const ARTICLE_COLUMNS = `id, user_id, slug, title, description, description_auto, body_markdown,
  body_html, body_text, published, published_at, reading_time_minutes, cached_tag_list,
  created_at, updated_at`;

/** The site's articles, the same on every run and either database. */
function* generated(): Generator<GeneratedArticle> {
  const rnd = random(42);
  const nextWord = zipf(VOCABULARY, 1.0, rnd);
  const nextTag = zipf(TAGS, 1.1, rnd);
  const words = (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(word(nextWord()));
    return out;
  };
  const base = Date.UTC(2020, 0, 1);
  for (let id = 1; id <= SIZE; id++) {
    const body = words(140);
    for (const phrase of PHRASES)
      if (rnd() < 0.01) body.splice(Math.floor(rnd() * body.length), 0, phrase);
    const paragraphs = [body.slice(0, 50), body.slice(50, 100), body.slice(100)].map((p) =>
      p.join(' '),
    );
    const tags: number[] = [];
    const wanted = 1 + Math.floor(rnd() * 4);
    while (tags.length < wanted) {
      const t = nextTag();
      if (!tags.includes(t)) tags.push(t);
    }
    const published = rnd() < 0.95 ? 1 : 0;
    const at = new Date(base + id * 60_000).toISOString();
    const title = words(6).join(' ');
    yield {
      values: [
        id,
        1 + (id % AUTHORS),
        `article-${id}`,
        title,
        words(15).join(' '),
        1,
        paragraphs.join('\n\n'),
        paragraphs.map((p) => `<p>${p}</p>`).join('\n'),
        // What htmlText makes of those paragraphs (plain words: nothing to decode), as a write
        // through the articles service would store it; it is what the index reads.
        paragraphs.join('\n'),
        published,
        published ? at : null,
        1,
        tags.map(tagName).join(', '),
        at,
        at,
      ],
      tags,
      published,
      at,
    };
  }
}

const STAMP = new Date(Date.UTC(2020, 0, 1)).toISOString();
const userValues = (u: number) => [
  u,
  `author${u}`,
  `Author ${u}`,
  `author${u}@example.test`,
  'not-a-hash',
  STAMP,
  STAMP,
];
const USER_COLUMNS = 'id, username, name, email, password_hash, created_at, updated_at';
const progress = (id: number, started: number) => {
  if (id % 100_000 === 0)
    log(`  ${int(id)} articles, ${int(id / ((performance.now() - started) / 1000))}/s`);
};

/** The schema by the app's migrations (its triggers on), then the site by bulk SQL. */
async function migrated(url: string): Promise<void> {
  const ctx = await openContext(loadConfig({ DATABASE_URL: url, QUIRE_SECRET: SECRET }), {
    migrate: true,
    logger: quiet,
  });
  await ctx.database.close();
}

/** The SQLite site, in batches of 10,000 articles per transaction. */
async function buildSqlite(file: string): Promise<Build> {
  const started = performance.now();
  await migrated(`sqlite:${file}`);
  const db = new DatabaseSync(file, { enableForeignKeyConstraints: false, defensive: false });
  db.exec('PRAGMA journal_mode = DELETE');
  db.exec('PRAGMA journal_mode = OFF');
  db.exec('PRAGMA synchronous = OFF');
  db.exec('PRAGMA cache_size = -1000000');
  db.exec('BEGIN');
  const user = db.prepare(`INSERT INTO users (${USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  for (let u = 1; u <= AUTHORS; u++) user.run(...userValues(u));
  const tag = db.prepare('INSERT INTO tags (id, name, created_at) VALUES (?, ?, ?)');
  for (let t = 1; t <= TAGS; t++) tag.run(t, tagName(t), STAMP);
  db.exec('COMMIT');
  const article = db.prepare(
    `INSERT INTO articles (${ARTICLE_COLUMNS}) VALUES (${Array(15).fill('?').join(', ')})`,
  );
  const tagged = db.prepare(
    'INSERT INTO article_tags (article_id, tag_id, position, published, published_at) VALUES (?, ?, ?, ?, ?)',
  );
  const insertStarted = performance.now();
  const BATCH = 10_000;
  for (const a of generated()) {
    const id = a.values[0] as number;
    if (id % BATCH === 1) db.exec('BEGIN');
    article.run(...a.values);
    a.tags.forEach((t, position) =>
      tagged.run(id, t, position, a.published, a.published ? a.at : null),
    );
    if (id % BATCH === 0 || id === SIZE) db.exec('COMMIT');
    progress(id, insertStarted);
  }
  const insertMs = performance.now() - insertStarted;
  db.exec(`UPDATE tags SET published_count = (SELECT count(*) FROM article_tags a
      WHERE a.tag_id = tags.id AND a.published = 1)`);
  db.exec('ANALYZE');
  const bytes = (like: string) =>
    Number(
      (
        db.prepare(`SELECT sum(pgsize) AS n FROM dbstat WHERE name LIKE ?`).get(like) as {
          n: number;
        }
      ).n,
    );
  const ftsBytes = bytes('articles_fts%');
  const articlesBytes = bytes('articles');
  db.exec('PRAGMA journal_mode = WAL');
  db.close();
  return {
    ms: performance.now() - started,
    insertMs,
    perSecond: SIZE / (insertMs / 1000),
    ftsBytes,
    articlesBytes,
    fileBytes: statSync(file).size,
  };
}

/** Multi-row INSERT text for `rows` rows of `width` parameters each. */
function valuesList(rows: number, width: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++)
    out.push(`(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
  return out.join(', ');
}

/** The PostgreSQL site, 1,000 articles per statement, 10,000 per transaction. */
async function buildPostgres(url: string): Promise<Build> {
  const started = performance.now();
  await migrated(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    const users = Array.from({ length: AUTHORS }, (_, i) => userValues(i + 1));
    await client.query(
      `INSERT INTO users (${USER_COLUMNS}) VALUES ${valuesList(users.length, 7)}`,
      users.flat(),
    );
    const tags = Array.from({ length: TAGS }, (_, i) => [i + 1, tagName(i + 1), STAMP]);
    await client.query(
      `INSERT INTO tags (id, name, created_at) VALUES ${valuesList(tags.length, 3)}`,
      tags.flat(),
    );
    const insertStarted = performance.now();
    const STATEMENT = 1000;
    let articles: GeneratedArticle[] = [];
    const flush = async () => {
      if (articles.length === 0) return;
      await client.query(
        `INSERT INTO articles (${ARTICLE_COLUMNS}) VALUES ${valuesList(articles.length, 15)}`,
        articles.flatMap((a) => a.values),
      );
      const tagged = articles.flatMap((a) =>
        a.tags.map((t, position) => [
          a.values[0],
          t,
          position,
          a.published,
          a.published ? a.at : null,
        ]),
      );
      await client.query(
        `INSERT INTO article_tags (article_id, tag_id, position, published, published_at)
          VALUES ${valuesList(tagged.length, 5)}`,
        tagged.flat(),
      );
      articles = [];
    };
    await client.query('BEGIN');
    for (const a of generated()) {
      articles.push(a);
      const id = a.values[0] as number;
      if (articles.length === STATEMENT) await flush();
      if (id % 10_000 === 0) {
        await client.query('COMMIT');
        await client.query('BEGIN');
      }
      progress(id, insertStarted);
    }
    await flush();
    await client.query('COMMIT');
    const insertMs = performance.now() - insertStarted;
    await client.query(`UPDATE tags SET published_count = (SELECT count(*) FROM article_tags a
        WHERE a.tag_id = tags.id AND a.published = 1)`);
    await client.query(`SELECT setval(pg_get_serial_sequence('articles', 'id'), ${SIZE})`);
    await client.query('VACUUM ANALYZE');
    const size = async (expression: string) =>
      Number((await client.query<{ n: string }>(`SELECT ${expression} AS n`)).rows[0]?.n);
    return {
      ms: performance.now() - started,
      insertMs,
      perSecond: SIZE / (insertMs / 1000),
      ftsBytes: await size(`pg_total_relation_size('article_search')`),
      articlesBytes: await size(`pg_total_relation_size('articles')`),
      fileBytes: await size('pg_database_size(current_database())'),
    };
  } finally {
    await client.end();
  }
}

interface Kind {
  name: string;
  queries: string[];
  /** Subject to the p99 target. */
  targeted: boolean;
}

const common = [22, 25, 28, 35, 40, 45, 50, 55].map(word);
const rare = [100_000, 100_500, 101_000, 102_000, 103_000, 104_000, 105_000, 106_000].map(word);
const middle = [250, 300, 400, 500, 600, 800, 1000, 2000].map(word);
const KINDS: Kind[] = [
  { name: 'one word, common', queries: common, targeted: true },
  { name: 'one word, rare', queries: rare, targeted: true },
  { name: 'two words', queries: common.map((w, i) => `${w} ${middle[i]}`), targeted: true },
  { name: 'phrase', queries: PHRASES.map((p) => `"${p}"`), targeted: true },
  { name: 'prefix', queries: ['deve*'], targeted: false },
  {
    name: 'tag-filtered',
    queries: [1, 2, 3, 5, 8, 13].map((t, i) => `tag:${tagName(t)} ${middle[i]}`),
    targeted: false,
  },
];

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function time(queries: string[], fn: (q: string) => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await fn(queries[i % queries.length] as string);
  const samples: number[] = [];
  const began = performance.now();
  for (let i = 0; i < QUERIES && performance.now() - began < BUDGET_MS; i++) {
    const started = performance.now();
    await fn(queries[i % queries.length] as string);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), n: samples.length };
}
type Quantiles = Awaited<ReturnType<typeof time>>;

interface Timing {
  kind: Kind;
  /** Published articles the kind's queries match, fewest and most. */
  matches: [number, number];
  service: Quantiles;
  raw: Quantiles | null;
}

/** How many published articles a query matches, by the engine's own full-text operator. */
async function matchCounter(url: string): Promise<{
  count: (q: string) => Promise<number>;
  close: () => Promise<void>;
}> {
  if (url.startsWith('sqlite:')) {
    const counter = new DatabaseSync(url.slice('sqlite:'.length), { readOnly: true });
    const statement =
      counter.prepare(`SELECT count(*) AS n FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE articles_fts MATCH ? AND a.published = 1`);
    return {
      count: async (q) => {
        return Number((statement.get(fts5Match(parseSearchQuery(q))) as { n: number }).n);
      },
      close: async () => counter.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    count: async (q) => {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM article_search s JOIN articles a ON a.id = s.article_id
          WHERE s.document @@ to_tsquery('simple', $1) AND a.published = 1`,
        [tsFilterText(parseSearchQuery(q))],
      );
      return Number(rows[0]?.n);
    },
    close: () => client.end(),
  };
}

async function measure(url: string): Promise<Timing[]> {
  const ctx: AppContext = await openContext(
    loadConfig({ DATABASE_URL: url, QUIRE_SECRET: SECRET }),
    { logger: quiet },
  );
  const counter = await matchCounter(url);
  try {
    const out: Timing[] = [];
    for (const kind of KINDS) {
      const counts: number[] = [];
      for (const q of kind.queries) counts.push(await counter.count(q));
      const service = await time(kind.queries, (q) => searchPublished(ctx, { q }));
      const raw = args.raw
        ? await time(kind.queries, (q) =>
            searchArticles(ctx.database, parseSearchQuery(q), {
              visibleAt: ctx.clock.now().toISOString(),
              limit: SEARCH_PER_PAGE,
              offset: 0,
              candidates: SEARCH_CANDIDATES,
            }),
          )
        : null;
      const t: Timing = { kind, matches: [Math.min(...counts), Math.max(...counts)], service, raw };
      out.push(t);
      log(
        `${kind.name}: ${int(t.matches[0])}–${int(t.matches[1])} matches; searchPublished p50 ${fixed(service.p50, 2)} p99 ${fixed(service.p99, 2)} ms${raw ? `; searchArticles p50 ${fixed(raw.p50, 2)} p99 ${fixed(raw.p99, 2)} ms` : ''}`,
      );
    }
    return out;
  } finally {
    await counter.close();
    await ctx.database.close();
  }
}

const mb = (n: number) => `${fixed(n / 1024 / 1024, 0)} MB`;

function report(built: Build | null, timings: Timing[], host: string, command: string): string {
  const rows = timings.map((t) => [
    t.kind.name,
    t.kind.queries.length === 1
      ? `\`${t.kind.queries[0]}\``
      : `${t.kind.queries.length}, e.g. \`${t.kind.queries[0]}\``,
    `${int(t.matches[0])}–${int(t.matches[1])} (${fixed((100 * t.matches[1]) / SIZE, 2)} %)`,
    String(t.service.n),
    fixed(t.service.p50, 2),
    fixed(t.service.p99, 2),
    ...(args.raw ? [fixed(t.raw?.p50 ?? NaN, 2), fixed(t.raw?.p99 ?? NaN, 2)] : []),
    t.kind.targeted ? (t.service.p99 <= TARGET_MS ? 'yes' : 'no') : '(no target)',
  ]);
  const buildLine = built
    ? args.postgres
      ? `Build: ${fixed(built.ms / 1000)} s in all; the article inserts (1,000 rows a statement, with tags, every index and the search trigger on) ran at ${int(built.perSecond)} articles/s (${fixed(built.insertMs / 1000)} s). Full-text index (\`article_search\` with its GIN index and TOAST, \`pg_total_relation_size\`): ${mb(built.ftsBytes)}; \`articles\` with its indexes ${mb(built.articlesBytes)}; the database ${mb(built.fileBytes)}.`
      : `Build: ${fixed(built.ms / 1000)} s in all; the article inserts (with tags, every index and the FTS5 triggers on) ran at ${int(built.perSecond)} articles/s (${fixed(built.insertMs / 1000)} s). FTS5 index (\`articles_fts\` and its shadow tables, \`sum(pgsize)\` from \`dbstat\`): ${mb(built.ftsBytes)}; the \`articles\` table itself ${mb(built.articlesBytes)}; the whole file ${mb(built.fileBytes)}.`
    : 'Build: an earlier run’s database (--keep); its build figures are not repeated here.';
  return [
    `Measured ${today()} on ${host}, load average before the run ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}, with \`${command}\`: ${args.postgres ? 'PostgreSQL (a throwaway local cluster)' : 'SQLite'}, ${int(SIZE)} articles. ${QUERIES} timed queries per kind after ${WARMUP} unmeasured (fewer where a kind ran out of its ${args.budget} s: the "timed" column), the kind's queries in turn, first page (${SEARCH_PER_PAGE} results), in-process.`,
    '',
    buildLine,
    '',
    table(
      [
        'kind',
        'queries',
        'published matches',
        'timed',
        'searchPublished p50 ms',
        'p99 ms',
        ...(args.raw ? ['searchArticles p50 ms', 'p99 ms'] : []),
        `p99 ≤ ${TARGET_MS} ms`,
      ],
      rows,
    ),
  ].join('\n');
}

async function main() {
  const host = describeMachine(machine());
  log(`Machine: ${host}`);
  let built: Build | null = null;
  let cluster: PgCluster | null = null;
  let url: string;
  try {
    if (args.postgres) {
      log(`Building ${int(SIZE)} articles on a throwaway PostgreSQL cluster...`);
      cluster = await startPgCluster();
      url = cluster.url;
      built = await buildPostgres(url);
    } else {
      mkdirSync(args.data, { recursive: true });
      const file = join(args.data, `search-${args.size.toLowerCase()}.db`);
      url = `sqlite:${file}`;
      if (args.keep && existsSync(file)) log(`Using ${file}`);
      else {
        for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
        log(`Building ${int(SIZE)} articles into ${file}...`);
        built = await buildSqlite(file);
      }
    }
    if (built)
      log(
        `Built in ${fixed(built.ms / 1000)} s; inserts ${int(built.perSecond)} articles/s; full-text index ${mb(built.ftsBytes)}, database ${mb(built.fileBytes)}`,
      );
    const timings = await measure(url);
    const command = [
      'npx node bench/search.ts',
      `--size ${args.size}`,
      ...(args.postgres ? ['--postgres'] : args.keep ? ['--keep'] : []),
      `--queries ${QUERIES}`,
      `--budget ${args.budget}`,
      ...(args.raw ? ['--raw'] : []),
    ].join(' ');
    const section = report(built, timings, host, command);
    console.log(`\n${section}\n`);
    if (!args['no-docs']) {
      writeSection(args.postgres ? 'search-postgres' : 'search', section);
      log('Results written to docs/benchmarks.md');
    }
  } finally {
    cluster?.stop();
  }
}

await main();
