/**
 * Builds the databases bench/scale.ts reads from: 1k, 100k or 1M articles that are copies of a
 * few hundred the app itself wrote. First the real services create the authors they need, the
 * site's name and 300 articles (so body_html, descriptions, reading times and tags are exactly
 * what Quire renders and stores); then bulk SQL (INSERT ... SELECT from those rows, joined to a
 * plan of new ids, slugs, authors, tags, series and dates) multiplies them, and every table the
 * public pages read is kept consistent: articles, article_tags, tags, series, users, events.
 * Dialect differences of the bulk SQL live here, not in src/. docs/benchmarks.md describes the
 * path; what it does not copy is listed there too.
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { type AppContext, openContext } from '../src/context.ts';
import type { ArticleRow, UserRow } from '../src/db/schema.ts';
import {
  articleChangeKeys,
  createArticle,
  listTagsByPopularity,
} from '../src/modules/articles/articles.service.ts';
import { countArticlesByState } from '../src/modules/articles/listings.repository.ts';
import { setSiteName } from '../src/modules/site/site.service.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { markdownArticle, random, shortMarkdownArticle } from './content.ts';

/** Bumped when what a build writes changes, so kept databases of an older shape are rebuilt. */
export const BUILD_FORMAT = 3;

export type Dialect = 'sqlite' | 'postgres';

export interface BuildTarget {
  dialect: Dialect;
  /** DATABASE_URL as Quire reads it: `sqlite:<path>` or `postgres://...`. */
  url: string;
}

/** What a build made, kept as JSON beside the SQLite file and read by the measurements. */
export interface Manifest {
  format: number;
  dialect: Dialect;
  articles: number;
  builtAt: string;
  commit: string;
  buildMs: number;
  /** Milliseconds per step of the build, in order. */
  steps: Record<string, number>;
  counts: {
    published: number;
    drafts: number;
    scheduled: number;
    users: number;
    series: number;
    seriesArticles: number;
    tags: number;
    articleTags: number;
    events: number;
  };
  /** What the measured URLs name. */
  names: {
    /** The author with the most articles. */
    author: string;
    authorArticles: number;
    /** The most common tag. */
    tag: string;
    tagArticles: number;
    /** A published article of a series, in the middle of the id range. */
    article: { id: number; path: string };
    /** That article's series, and how many articles it holds. */
    series: { id: number; articles: number };
  };
  /** The administrator, who signs in to save the site's settings (a write every page depends on). */
  admin: { username: string; password: string };
}

export const SEED_ARTICLES = 300;
export const AUTHORS = 1000;
const SEED_AUTHORS = 8;
const YEAR_MS = 365.25 * 86_400_000;
/** Published articles spread over this many years before the build. */
const SPAN_YEARS = 6;
const DRAFT_SHARE = 0.02;
const SCHEDULED_SHARE = 0.001;
const EDITED_SHARE = 0.05;
/** Published articles that are part of a series of their author (3 to 12 parts each). */
const SERIES_SHARE = 0.08;
const PASSWORD = 'a-long-bench-password';
/** The site's name, as the build sets it and as the measurements save it again. */
export const SITE_NAME = 'Quire at scale';
/** Zipf exponents: how strongly a few authors and a few tags dominate. */
const AUTHOR_SKEW = 0.7;
const TAG_SKEW = 1.0;
const TAG_VOCABULARY = 5000;
/** Tags per article: 1 to 4, with these chances. */
const TAGS_PER_ARTICLE = [0.15, 0.3, 0.3, 0.25];

/** The most used tags first, in the order of their popularity. */
const COMMON_TAGS = [
  'javascript',
  'webdev',
  'programming',
  'beginners',
  'tutorial',
  'react',
  'python',
  'node',
  'typescript',
  'devops',
  'css',
  'productivity',
  'ai',
  'career',
  'opensource',
  'database',
  'testing',
  'performance',
  'security',
  'aws',
  'docker',
  'rust',
  'go',
  'java',
  'kubernetes',
  'linux',
  'postgres',
  'sqlite',
  'html',
  'api',
];
const TAIL_WORDS = ['lib', 'tool', 'kit', 'stack', 'lang', 'cloud', 'data', 'ops', 'ui', 'net'];

const FIRST_NAMES = (
  'ada alan grace linus barbara ken dennis margaret edsger donald john frances radia ' +
  'tim guido bjarne james anders brendan yukihiro rasmus larry sophie katherine hedy ' +
  'annie mary joan lynn karen shafi leslie niklaus tony robin judea david sandi kent jessica'
).split(' ');
const LAST_NAMES = (
  'lovelace turing hopper torvalds liskov thompson ritchie hamilton dijkstra knuth ' +
  'backus allen perlman berners rossum stroustrup gosling hejlsberg eich matsumoto ' +
  'lerdorf wall wilson johnson lamarr'
).split(' ');

/** Username and display name of author k (0-based): 40 × 25 distinct pairs. */
function authorName(k: number): { username: string; name: string } {
  const first = FIRST_NAMES[k % FIRST_NAMES.length] as string;
  const last = LAST_NAMES[Math.floor(k / FIRST_NAMES.length) % LAST_NAMES.length] as string;
  const cap = (s: string) => s[0]?.toUpperCase() + s.slice(1);
  return { username: `${first}_${last}`, name: `${cap(first)} ${cap(last)}` };
}

function tagName(rank: number): string {
  return (
    COMMON_TAGS[rank] ??
    `${TAIL_WORDS[rank % TAIL_WORDS.length]}${Math.floor(rank / TAIL_WORDS.length)}`
  );
}

/** Draws ranks 0..n-1 with chance proportional to 1 / (rank + 1)^s. */
function zipf(n: number, s: number, rnd: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += 1 / (k + 1) ** s;
  return () => {
    const x = rnd() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** One bulk article: which seed row it copies, and what is new about it. */
interface Planned {
  id: number;
  user_id: number;
  seed_id: number;
  slug: string;
  published: number;
  published_at: string | null;
  created_at: string;
  edited_at: string | null;
  updated_at: string;
  announced_at: string | null;
  cached_tag_list: string;
  series_id: number | null;
  /** 'published', 'draft' or 'scheduled'. */
  state: string;
  tags: number[];
  /** The cache keys the app names for this article's creation (its event's `cache_keys`). */
  cache_keys: string;
}

interface PlannedSeries {
  id: number;
  user_id: number;
  name: string;
  created_at: string;
}

/** A database connection for bulk statements, the same calls on both dialects. */
interface Bulk {
  dialect: Dialect;
  exec(sql: string): Promise<void>;
  all<T>(sql: string, params?: Array<string | number>): Promise<T[]>;
  run(sql: string, params: Array<string | number>): Promise<void>;
  /** Inserts rows in a few large statements; `types` are PostgreSQL's names of the columns' types. */
  insertRows(
    table: string,
    columns: string[],
    types: string[],
    rows: Array<Array<string | number | null>>,
  ): Promise<void>;
  close(): Promise<void>;
}

function sqliteBulk(path: string): Bulk {
  // Not defensive: that mode refuses journal_mode = OFF. A build that fails is thrown away, so
  // nothing here needs to survive a crash; out of WAL (which the app set) goes through DELETE.
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: false, defensive: false });
  db.exec('PRAGMA journal_mode = DELETE');
  db.exec('PRAGMA journal_mode = OFF');
  const mode = db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
  if (mode.journal_mode !== 'off') throw new Error(`journal_mode is ${mode.journal_mode}, not off`);
  db.exec('PRAGMA synchronous = OFF');
  db.exec('PRAGMA cache_size = -1000000');
  db.exec('PRAGMA temp_store = MEMORY');
  return {
    dialect: 'sqlite',
    exec: async (sql) => {
      db.exec(sql);
    },
    all: async <T>(sql: string, params: Array<string | number> = []) =>
      db.prepare(sql).all(...params) as T[],
    run: async (sql, params) => {
      db.prepare(sql).run(...params);
    },
    insertRows: async (table, columns, _types, rows) => {
      const stmt = db.prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      db.exec('BEGIN');
      for (const row of rows) stmt.run(...row);
      db.exec('COMMIT');
    },
    close: async () => {
      db.exec('PRAGMA journal_mode = WAL');
      db.close();
    },
  };
}

async function postgresBulk(url: string): Promise<Bulk> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  await client.query("SET maintenance_work_mem = '512MB'");
  return {
    dialect: 'postgres',
    exec: async (sql) => {
      await client.query(sql);
    },
    all: async <T>(sql: string, params: Array<string | number> = []) => {
      // The bulk SQL is written with ?; PostgreSQL numbers its parameters.
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      return (await client.query(text, params)).rows as T[];
    },
    run: async (sql, params) => {
      let n = 0;
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      );
    },
    insertRows: async (table, columns, types, rows) => {
      const CHUNK = 20_000;
      for (let from = 0; from < rows.length; from += CHUNK) {
        const chunk = rows.slice(from, from + CHUNK);
        const arrays = columns.map((_, c) => chunk.map((row) => row[c] ?? null));
        const unnest = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
        await client.query(
          `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${unnest})`,
          arrays,
        );
      }
    },
    close: async () => {
      await client.end();
    },
  };
}

function context(target: BuildTarget): Promise<AppContext> {
  return openContext(
    loadConfig({
      DATABASE_URL: target.url,
      LOG_LEVEL: 'warn',
      QUIRE_BASE_URL: 'https://blog.example.test',
      QUIRE_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    }),
    { migrate: true },
  );
}

/** The seed authors and articles, written by the services as any request would. */
async function seed(ctx: AppContext): Promise<UserRow[]> {
  const authors: UserRow[] = [];
  for (let k = 0; k < SEED_AUTHORS; k++) {
    const { username, name } = authorName(k);
    authors.push(
      await createAccount(ctx, {
        username,
        name,
        email: `${username}@example.test`,
        password: PASSWORD,
      }),
    );
  }
  await setSiteName(ctx, SITE_NAME);
  const rnd = random(42);
  for (let n = 1; n <= SEED_ARTICLES; n++) {
    // Two in five are long (6 to 10 KB of Markdown, a table, two code blocks), the rest short.
    let markdown = n % 5 < 2 ? markdownArticle(n) : shortMarkdownArticle(n);
    const extra: string[] = [];
    if (rnd() < 0.2) extra.push(`cover_image: https://images.example.test/covers/${n}.png`);
    if (rnd() < 0.1) extra.push(`canonical_url: https://elsewhere.example.test/posts/${n}`);
    // The services make the seed's series; the copies get series of their own authors.
    if (rnd() < 0.15) extra.push(`series: Field notes ${1 + (n % 3)}`);
    if (extra.length > 0)
      markdown = markdown.replace('published: true\n', `published: true\n${extra.join('\n')}\n`);
    await createArticle(ctx, authors[n % SEED_AUTHORS] as UserRow, { body_markdown: markdown });
  }
  return authors;
}

/** The cache keys the app's own rule names when this article is created as planned. */
function creationKeys(p: Omit<Planned, 'cache_keys'>, now: Date): string {
  const row = {
    id: p.id,
    user_id: p.user_id,
    published: p.published,
    published_at: p.published_at,
    cached_tag_list: p.cached_tag_list,
    series_id: p.series_id,
  } as ArticleRow;
  return [...new Set(articleChangeKeys(null, row, now))].join(' ');
}

/**
 * Where each of `count` articles goes: author, seed row, state, dates, tags and series; and the
 * series themselves, each a run of one author's articles.
 */
function plan(
  count: number,
  firstId: number,
  firstSeriesId: number,
  seeds: Array<{ id: number; slug: string }>,
  authorIds: number[],
  builtAt: number,
): { articles: Planned[]; series: PlannedSeries[] } {
  const rnd = random(7);
  const author = zipf(authorIds.length, AUTHOR_SKEW, rnd);
  // Which author is the most prolific is shuffled, so it is not simply the first account.
  const order = authorIds.map((id) => ({ id, r: rnd() })).sort((a, b) => a.r - b.r);
  const tag = zipf(TAG_VOCABULARY, TAG_SKEW, rnd);
  const start = builtAt - SPAN_YEARS * YEAR_MS;
  const step = (SPAN_YEARS * YEAR_MS - 3_600_000) / count;
  const now = new Date(builtAt);
  const series: PlannedSeries[] = [];
  /** Each author's series still open: its id and how many parts are still to come. */
  const open = new Map<number, { id: number; left: number }>();
  const volumes = new Map<number, number>();
  const out: Planned[] = [];
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    const s = seeds[Math.floor(rnd() * seeds.length)] as { id: number; slug: string };
    const base = s.slug.replace(/-[a-z0-9]{4}$/, '');
    const userId = order[author()]?.id as number;
    // Monotonic in id, so event ids follow their times as they do in a real outbox.
    const at = new Date(start + (i + rnd() * 0.9) * step).toISOString();
    const roll = rnd();
    const state =
      roll < DRAFT_SHARE
        ? 'draft'
        : roll < DRAFT_SHARE + SCHEDULED_SHARE
          ? 'scheduled'
          : 'published';
    const scheduledAt = new Date(builtAt + 60 * 86_400_000 + rnd() * 2 * YEAR_MS).toISOString();
    const edited =
      state === 'published' && rnd() < EDITED_SHARE
        ? new Date(
            Math.min(Date.parse(at) + rnd() * 30 * 86_400_000, builtAt - 60_000),
          ).toISOString()
        : null;
    let wanted = 1;
    for (let r = rnd(), k = 0; k < TAGS_PER_ARTICLE.length - 1; k++) {
      r -= TAGS_PER_ARTICLE[k] as number;
      if (r < 0) break;
      wanted++;
    }
    const tags: number[] = [];
    while (tags.length < wanted) {
      const t = tag();
      if (!tags.includes(t)) tags.push(t);
    }
    let seriesId: number | null = null;
    if (state === 'published' && rnd() < SERIES_SHARE) {
      let current = open.get(userId);
      if (!current || current.left === 0) {
        const volume = (volumes.get(userId) ?? 0) + 1;
        volumes.set(userId, volume);
        current = { id: firstSeriesId + series.length, left: 3 + Math.floor(rnd() * 10) };
        open.set(userId, current);
        series.push({
          id: current.id,
          user_id: userId,
          name: `${tagName(tags[0] as number)} notes, volume ${volume}`,
          created_at: at,
        });
      }
      current.left--;
      seriesId = current.id;
    }
    const planned = {
      id,
      user_id: userId,
      seed_id: s.id,
      slug: state === 'draft' ? `${base}-temp-slug-${id}` : `${base}-${id.toString(36)}`,
      published: state === 'draft' ? 0 : 1,
      published_at: state === 'draft' ? null : state === 'scheduled' ? scheduledAt : at,
      created_at: at,
      edited_at: edited,
      updated_at: edited ?? at,
      announced_at: state === 'published' ? at : null,
      cached_tag_list: tags.map(tagName).join(', '),
      series_id: seriesId,
      state,
      tags,
    };
    out.push({ ...planned, cache_keys: creationKeys(planned, now) });
  }
  return { articles: out, series };
}

/** Secondary indexes of these tables (not those of primary keys or unique constraints). */
async function secondaryIndexes(
  bulk: Bulk,
  tables: string[],
): Promise<Array<{ name: string; sql: string }>> {
  const list = tables.map((t) => `'${t}'`).join(', ');
  if (bulk.dialect === 'sqlite')
    return bulk.all(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${list})`,
    );
  return bulk.all(
    `SELECT indexname AS name, indexdef AS sql FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename IN (${list})
       AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
  );
}

/** Columns of the articles table whose values come from the plan; the rest are the seed row's. */
const PLANNED_COLUMNS = new Set([
  'id',
  'user_id',
  'slug',
  'series_id',
  'published',
  'published_at',
  'cached_tag_list',
  'created_at',
  'edited_at',
  'updated_at',
  'announced_at',
]);

/** The columns of a table as the migrations made it, so a column added later is copied too. */
async function columnsOf(bulk: Bulk, table: string): Promise<string[]> {
  const rows =
    bulk.dialect === 'sqlite'
      ? await bulk.all<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      : await bulk.all<{ name: string }>(
          `SELECT column_name AS name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
          [table],
        );
  return rows.map((r) => r.name);
}

/** Copies the seed rows named by the plan between two ids (inclusive). */
function copyArticlesSql(columns: string[]): string {
  const from = (c: string) => (PLANNED_COLUMNS.has(c) ? `p.${c}` : `s.${c}`);
  return `INSERT INTO articles (${columns.join(', ')})
    SELECT ${columns.map(from).join(', ')}
    FROM bench_plan p JOIN bench_seed s ON s.id = p.seed_id
    WHERE p.id BETWEEN ? AND ? ORDER BY p.id`;
}

/**
 * One event per copied article, with the cache keys the app names for it and a payload that
 * names the article and nothing more (webhook deliveries, which read whole payloads, are not
 * measured).
 */
function copyEventsSql(): string {
  const type = `CASE p.state WHEN 'published' THEN 'article.published' WHEN 'draft' THEN 'article.created' ELSE 'article.scheduled' END`;
  return `INSERT INTO events (type, subject, payload, created_at, owner_id, cache_keys)
    SELECT ${type}, 'article:' || p.id,
      '{"type":"' || ${type} || '","timestamp":"' || p.created_at || '","data":{"id":' || p.id || '}}',
      p.created_at, p.user_id, p.cache_keys
    FROM bench_plan p WHERE p.id BETWEEN ? AND ? ORDER BY p.id`;
}

export interface BuildOptions {
  commit: string;
  log: (line: string) => void;
}

/**
 * Builds `count` articles into an empty database (a new SQLite file, or an empty PostgreSQL
 * database), migrated by the app itself. Returns the manifest; the caller saves it.
 */
export async function buildDatabase(
  target: BuildTarget,
  count: number,
  options: BuildOptions,
): Promise<Manifest> {
  const steps: Record<string, number> = {};
  const started = performance.now();
  let mark = started;
  const step = (name: string) => {
    const now = performance.now();
    steps[name] = Math.round(now - mark);
    options.log(`  ${name}: ${((now - mark) / 1000).toFixed(1)} s`);
    mark = now;
  };
  const builtAt = Date.now();

  let ctx = await context(target);
  const seedAuthors = await seed(ctx);
  await ctx.database.close();
  step(`seed: ${SEED_AUTHORS} authors and ${SEED_ARTICLES} articles through the services`);

  const path = target.url.replace(/^sqlite:/, '');
  const bulk = target.dialect === 'sqlite' ? sqliteBulk(path) : await postgresBulk(target.url);
  try {
    await bulk.exec('CREATE TEMP TABLE bench_seed AS SELECT * FROM articles');
    const seeds = await bulk.all<{ id: number; slug: string }>(
      'SELECT id, slug FROM bench_seed ORDER BY id',
    );
    const seedMax = Math.max(...seeds.map((s) => Number(s.id)));
    const [seriesMax] = await bulk.all<{ id: number | null }>('SELECT max(id) AS id FROM series');
    const articleColumns = await columnsOf(bulk, 'articles');
    // The copies replace the seed: its articles, their tags, series and events go.
    await bulk.exec('DELETE FROM article_tags');
    await bulk.exec('DELETE FROM articles');
    await bulk.exec('DELETE FROM series');
    await bulk.exec('DELETE FROM tags');
    await bulk.exec("DELETE FROM events WHERE subject LIKE 'article:%'");

    // The other authors: copies of a seed author's row (same password hash) under new names.
    const template = seedAuthors[1] as UserRow;
    const userStart = builtAt - (SPAN_YEARS + 0.1) * YEAR_MS;
    const users = [];
    for (let k = SEED_AUTHORS; k < AUTHORS; k++) {
      const { username, name } = authorName(k);
      const at = new Date(userStart + k * 60_000).toISOString();
      users.push([
        username,
        name,
        `${username}@example.test`,
        template.password_hash,
        'user',
        at,
        at,
      ]);
    }
    await bulk.insertRows(
      'users',
      ['username', 'name', 'email', 'password_hash', 'role', 'created_at', 'updated_at'],
      ['text', 'text', 'text', 'text', 'text', 'text', 'text'],
      users,
    );
    const authors = await bulk.all<{ id: number; username: string }>(
      'SELECT id, username FROM users ORDER BY id',
    );
    step(`${AUTHORS} authors`);

    const { articles: planned, series } = plan(
      count,
      seedMax + 1,
      Number(seriesMax?.id ?? 0) + 1,
      seeds.map((s) => ({ id: Number(s.id), slug: s.slug })),
      authors.map((a) => Number(a.id)),
      builtAt,
    );
    step('plan');

    // Indexes are built once at the end rather than kept up to date row by row.
    const indexes = await secondaryIndexes(bulk, ['articles', 'article_tags', 'events', 'series']);
    for (const index of indexes) await bulk.exec(`DROP INDEX ${index.name}`);

    // Tags in order of first use, as the services create them, with what lists read from them:
    // how many published articles (scheduled ones included) carry each, where the schema keeps
    // that count.
    const used = [...new Set(planned.flatMap((p) => p.tags))];
    const publishedWith = new Map<number, number>();
    for (const p of planned)
      if (p.published === 1)
        for (const t of p.tags) publishedWith.set(t, (publishedWith.get(t) ?? 0) + 1);
    const tagColumns = await columnsOf(bulk, 'tags');
    const counted = tagColumns.includes('published_count');
    const tagStamp = new Date(builtAt - (SPAN_YEARS + 0.1) * YEAR_MS).toISOString();
    await bulk.insertRows(
      'tags',
      ['name', 'created_at', ...(counted ? ['published_count'] : [])],
      ['text', 'text', 'integer'],
      used.map((t) => [tagName(t), tagStamp, ...(counted ? [publishedWith.get(t) ?? 0] : [])]),
    );
    await bulk.insertRows(
      'series',
      ['id', 'user_id', 'name', 'created_at'],
      ['bigint', 'bigint', 'text', 'text'],
      series.map((x) => [x.id, x.user_id, x.name, x.created_at]),
    );
    const tagIds = new Map(
      (await bulk.all<{ id: number; name: string }>('SELECT id, name FROM tags')).map((t) => [
        t.name,
        Number(t.id),
      ]),
    );
    await bulk.exec(
      `CREATE TEMP TABLE bench_plan (id ${bulk.dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'bigint PRIMARY KEY'}, user_id bigint, seed_id bigint, slug text, state text, published integer, published_at text, created_at text, edited_at text, updated_at text, announced_at text, cached_tag_list text, series_id bigint, cache_keys text)`,
    );
    const planColumns = [
      'id',
      'user_id',
      'seed_id',
      'slug',
      'state',
      'published',
      'published_at',
      'created_at',
      'edited_at',
      'updated_at',
      'announced_at',
      'cached_tag_list',
      'series_id',
      'cache_keys',
    ] as const;
    const planTypes = [
      'bigint',
      'bigint',
      'bigint',
      'text',
      'text',
      'integer',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'bigint',
      'text',
    ];
    const CHUNK = 100_000;
    for (let from = 0; from < planned.length; from += CHUNK) {
      await bulk.insertRows(
        'bench_plan',
        [...planColumns],
        planTypes,
        planned.slice(from, from + CHUNK).map((p) => planColumns.map((c) => p[c])),
      );
    }
    step(`tags, ${series.length} series and the plan table`);

    const lastId = seedMax + count;
    for (let from = seedMax + 1; from <= lastId; from += CHUNK) {
      await bulk.run(copyArticlesSql(articleColumns), [from, Math.min(lastId, from + CHUNK - 1)]);
      if (count > CHUNK)
        options.log(`    articles ${Math.min(lastId, from + CHUNK - 1) - seedMax} / ${count}`);
    }
    step('articles: INSERT ... SELECT from the seed rows');

    // Each row carries its article's published flag and date, where the schema keeps them there.
    const copied = (await columnsOf(bulk, 'article_tags')).includes('published_at');
    for (let from = 0; from < planned.length; from += CHUNK) {
      const rows = planned
        .slice(from, from + CHUNK)
        .flatMap((p) =>
          p.tags.map((t, position) => [
            p.id,
            tagIds.get(tagName(t)) as number,
            position,
            ...(copied ? [p.published, p.published_at] : []),
          ]),
        );
      await bulk.insertRows(
        'article_tags',
        ['article_id', 'tag_id', 'position', ...(copied ? ['published', 'published_at'] : [])],
        ['bigint', 'bigint', 'integer', 'integer', 'text'],
        rows,
      );
    }
    step('article_tags');

    for (let from = seedMax + 1; from <= lastId; from += CHUNK) {
      await bulk.run(copyEventsSql(), [from, Math.min(lastId, from + CHUNK - 1)]);
    }
    step('events: one per article');

    for (const index of indexes) await bulk.exec(index.sql);
    step(`indexes (${indexes.map((i) => i.name).join(', ')})`);

    if (bulk.dialect === 'postgres') {
      // Identity columns do not move when ids are given; the app's next insert must not collide.
      await bulk.exec(
        `SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))`,
      );
      await bulk.exec(
        `SELECT setval(pg_get_serial_sequence('series', 'id'), (SELECT max(id) FROM series))`,
      );
      // What autovacuum would have done by the time a real site had this many rows.
      await bulk.exec('ANALYZE');
    }
    await bulk.exec('DROP TABLE bench_plan');
    await bulk.exec('DROP TABLE bench_seed');
  } finally {
    await bulk.close();
  }
  step('finish');

  ctx = await context(target);
  await checkTagCounts(ctx);
  const names = await describe(ctx);
  const counts = await countRows(ctx);
  await ctx.database.close();
  step('check, names and counts');

  return {
    format: BUILD_FORMAT,
    dialect: target.dialect,
    articles: count,
    builtAt: new Date(builtAt).toISOString(),
    commit: options.commit,
    buildMs: Math.round(performance.now() - started),
    steps,
    counts,
    names,
    admin: { username: (seedAuthors[0] as UserRow).username, password: PASSWORD },
  };
}

/**
 * The tags API's counts, as the app reads them, against the articles themselves: derived data
 * the bulk SQL did not keep (a column added by a later migration, say) would show here.
 */
async function checkTagCounts(ctx: AppContext): Promise<void> {
  const now = new Date().toISOString();
  for (const tag of await listTagsByPopularity(ctx.database.db, now, 3, 0)) {
    const row = await ctx.database.db
      .selectFrom('article_tags')
      .innerJoin('articles', 'articles.id', 'article_tags.article_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('article_tags.tag_id', '=', tag.id)
      .where('articles.published', '=', 1)
      .where('articles.published_at', '<=', now)
      .executeTakeFirstOrThrow();
    if (Number(row.n) !== Number(tag.articles))
      throw new Error(
        `the build left tag ${tag.name} counted ${tag.articles} where ${row.n} articles carry it`,
      );
  }
}

/** The most prolific author, the most used tag, and an article of a series in the middle. */
async function describe(ctx: AppContext): Promise<Manifest['names']> {
  const db = ctx.database.db;
  const now = new Date().toISOString();
  const top = await db
    .selectFrom('articles')
    .innerJoin('users', 'users.id', 'articles.user_id')
    .select(['users.username', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('users.username')
    .orderBy('n', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const tag = await db
    .selectFrom('article_tags')
    .innerJoin('tags', 'tags.id', 'article_tags.tag_id')
    .select(['tags.name', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('tags.name')
    .orderBy('n', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const range = await db
    .selectFrom('articles')
    .select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')])
    .executeTakeFirstOrThrow();
  const middle = Math.floor((Number(range.lo) + Number(range.hi)) / 2);
  const article = await db
    .selectFrom('articles')
    .innerJoin('users', 'users.id', 'articles.user_id')
    .select(['articles.id', 'articles.slug', 'articles.series_id', 'users.username'])
    .where('articles.id', '>=', middle)
    .where('articles.published', '=', 1)
    .where('articles.published_at', '<=', now)
    .where('articles.series_id', 'is not', null)
    .orderBy('articles.id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const seriesId = Number(article.series_id);
  const inSeries = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('series_id', '=', seriesId)
    .executeTakeFirstOrThrow();
  return {
    author: top.username,
    authorArticles: Number(top.n),
    tag: tag.name,
    tagArticles: Number(tag.n),
    article: { id: Number(article.id), path: `/${article.username}/${article.slug}` },
    series: { id: seriesId, articles: Number(inSeries.n) },
  };
}

async function countRows(ctx: AppContext): Promise<Manifest['counts']> {
  const db = ctx.database.db;
  const now = new Date().toISOString();
  const count = async (table: 'users' | 'series' | 'tags' | 'article_tags' | 'events') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const states = await countArticlesByState(db, null, now);
  return {
    published: Number(states.published),
    drafts: Number(states.drafts),
    scheduled: Number(states.scheduled),
    users: await count('users'),
    series: await count('series'),
    seriesArticles: Number(
      (
        await db
          .selectFrom('articles')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('series_id', 'is not', null)
          .executeTakeFirstOrThrow()
      ).n,
    ),
    tags: await count('tags'),
    articleTags: await count('article_tags'),
    events: await count('events'),
  };
}
