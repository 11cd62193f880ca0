/**
 * A long discussion on a cache miss: one article with a thread of 1,000 comments (many top-level,
 * replies 2 to 6 deep, some with code blocks) on a throwaway SQLite file (and, with --postgres, a
 * throwaway PostgreSQL cluster), served by `quire serve` in a child process. Each round toggles a
 * reaction on the article through the API, whose event drops the article's cached answers, then
 * times the next anonymous request for the article page and for `GET /api/comments?a_id=`, each
 * checked to be a genuine rebuild (`Cache-Status: quire; fwd=miss`), and the server's CPU for it.
 * Prints p50/p99/max per answer and what the page held (bytes, whether the thread is on it).
 * Writes no docs. Run: `npm run bench:thread` (`npx node bench/thread.ts --help`).
 */
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/context.ts';
import type { UserRow } from '../src/db/schema.ts';
import { createApiKey } from '../src/modules/apikeys/apikeys.service.ts';
import { insertArticlesIn, prepareArticle } from '../src/modules/articles/articles.service.ts';
import { insertComment, moveCommentCount } from '../src/modules/comments/comments.repository.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { renderMarkdown } from '../src/render/markdown.ts';
import { freePort } from '../test/helpers/net.ts';
import { findPgBin, type PgCluster, startPgCluster } from '../test/helpers/pg-cluster.ts';
import { cpuSeconds, describeMachine, fixed, machine, quireEnv, table } from './common.ts';
import { hit, type QuireServer, startQuire, stopQuire } from './scale-http.ts';

const { values: args } = parseArgs({
  options: {
    comments: { type: 'string', default: '1000' },
    misses: { type: 'string', default: '30' },
    postgres: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npx node bench/thread.ts [options]
  --comments N   comments in the thread (1000)
  --misses N     cache misses timed for each answer (30)
  --postgres     also on a throwaway PostgreSQL cluster (fsync on)`);
  process.exit(0);
}
const COMMENTS = Number(args.comments);
const MISSES = Number(args.misses);
if (!Number.isInteger(COMMENTS) || COMMENTS < 1 || COMMENTS > 100_000)
  throw new Error('--comments must be a whole number from 1 to 100000');
if (!Number.isInteger(MISSES) || MISSES < 1 || MISSES > 1000)
  throw new Error('--misses must be a whole number from 1 to 1000');
const SECRET = 'bench-thread-secret-0123456789abcdef0123456789';
const WRITERS = 40;
/** The page must render within this on a miss. */
const TARGET_MS = 50;

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** A deterministic generator, so each run builds the same thread. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const CODE = [
  '```ts',
  'export function total(items: Array<{ price: number; qty: number }>): number {',
  '  return items.reduce((sum, item) => sum + item.price * item.qty, 0);',
  '}',
  '```',
].join('\n');

function commentMarkdown(n: number, rand: () => number): string {
  const words = 'the cache key names the article so a comment drops its page and nothing else';
  const sentence = `Comment ${n}: ${words
    .split(' ')
    .slice(0, 6 + Math.floor(rand() * 10))
    .join(' ')}.`;
  const parts = [
    sentence,
    `A second paragraph with **emphasis**, \`code\` and a [link](https://example.com/${n}).`,
  ];
  if (n % 7 === 0) parts.push(CODE);
  if (n % 11 === 0) parts.push('- one point\n- another point\n- a third');
  return parts.join('\n\n');
}

interface Built {
  path: string;
  articleId: number;
  key: string;
  depths: number[];
  codeBlocks: number;
}

/** The article, its thread and a reader's API key, written before the server starts. */
async function build(env: Record<string, string>): Promise<Built> {
  const ctx = await openContext(loadConfig(env), { migrate: true });
  try {
    const make = async (username: string) =>
      createAccount(ctx, {
        username,
        email: `${username}@example.com`,
        password: 'correct horse battery staple',
      });
    const author = await make('thread_author');
    const writers: UserRow[] = [];
    for (let i = 0; i < WRITERS; i++) writers.push(await make(`writer_${i}`));
    const reader = await make('reader');
    const { key } = await createApiKey(ctx, reader, 'bench');
    const [article] = await ctx.database.transaction((tx) =>
      insertArticlesIn(ctx, tx, author, [
        prepareArticle({
          title: 'A long discussion',
          body_markdown: `${'An article that many people answer. '.repeat(40)}\n\n${CODE}`,
          published: true,
          tags: ['discussion'],
        }),
      ]),
    );
    if (!article) throw new Error('no article');
    const rand = random(3);
    const ids: number[] = [];
    const depthOf = new Map<number, number>();
    const depths = [0, 0, 0, 0, 0, 0, 0];
    let codeBlocks = 0;
    const started = Date.parse(article.published_at ?? article.created_at);
    for (let start = 0; start < COMMENTS; start += 100) {
      await ctx.database.transaction(async (tx) => {
        for (let n = start; n < Math.min(COMMENTS, start + 100); n++) {
          // About 40 % top-level; the rest answer an earlier comment, at most 6 deep.
          let parent: number | null = null;
          if (ids.length > 0 && rand() >= 0.4) {
            const candidate = ids[ids.length - 1 - Math.floor(rand() * Math.min(ids.length, 30))];
            if (candidate !== undefined && (depthOf.get(candidate) ?? 1) < 6) parent = candidate;
          }
          const markdown = commentMarkdown(n, rand);
          if (markdown.includes('```')) codeBlocks++;
          const stamp = new Date(started + (n + 1) * 60_000).toISOString();
          const row = await insertComment(tx.db, {
            article_id: article.id,
            user_id: (writers[n % WRITERS] as UserRow).id,
            parent_id: parent,
            body_markdown: markdown,
            body_html: renderMarkdown(markdown).html,
            created_at: stamp,
          });
          await moveCommentCount(tx.db, article.id, 1, stamp);
          const depth = parent === null ? 1 : (depthOf.get(parent) ?? 1) + 1;
          depthOf.set(row.id, depth);
          depths[depth] = (depths[depth] ?? 0) + 1;
          ids.push(row.id);
        }
      });
    }
    return {
      path: `/${author.username}/${article.slug}`,
      articleId: article.id,
      key,
      depths,
      codeBlocks,
    };
  } finally {
    await ctx.database.close();
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

interface Timing {
  p50: number;
  p99: number;
  max: number;
  /** Server CPU per miss (user + system), from /proc in 10 ms ticks, averaged. */
  cpuMs: number | null;
  bytes: number;
}

function summarize(ms: number[], cpu: number[], bytes: number): Timing {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
    cpuMs: cpu.length === ms.length ? (cpu.reduce((a, b) => a + b, 0) / cpu.length) * 1000 : null,
    bytes,
  };
}

async function measure(database: string, url: string, dir: string) {
  const port = await freePort();
  const env = quireEnv({
    databaseUrl: url,
    port,
    secret: SECRET,
    logLevel: 'warn',
    baseUrl: `http://127.0.0.1:${port}`,
    loadFromOneAddress: { requestTimeoutSeconds: 60 },
  });
  log(`${database}: building one article with a thread of ${COMMENTS} comments`);
  const built = await build(env);
  log(
    `${database}: comments by depth ${built.depths
      .slice(1)
      .map((n, i) => `${i + 1}:${n}`)
      .join(' ')}, ${built.codeBlocks} with a code block`,
  );
  const fd = openSync(join(dir, `quire-${database}.log`), 'a');
  let server: QuireServer | null = null;
  try {
    server = await startQuire(env, fd, 120_000);
    const pid = server.child.pid;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      hit(server!.url + path, { timeoutMs: 60_000, agent, headers: { 'accept-encoding': 'br' } });
    const toggle = async () => {
      const answer = await hit(
        `${server!.url}/api/reactions/toggle?category=like&reactable_id=${built.articleId}&reactable_type=Article`,
        { method: 'POST', timeoutMs: 60_000, agent, headers: { 'api-key': built.key } },
      );
      if (answer.status !== 200 && answer.status !== 201)
        throw new Error(`toggle: ${answer.status} ${answer.body.toString()}`);
    };
    const targets = {
      page: built.path,
      api: `/api/comments?a_id=${built.articleId}`,
    };
    const ms = { page: [] as number[], api: [] as number[] };
    const cpu = { page: [] as number[], api: [] as number[] };
    const bytes = { page: 0, api: 0 };
    const hits = { page: [] as number[], api: [] as number[] };
    // Warm up: code paths compiled, the first miss of each not counted.
    for (const path of Object.values(targets)) await get(path);
    for (let round = 0; round < MISSES; round++) {
      await toggle();
      for (const name of ['page', 'api'] as const) {
        const c0 = cpuSeconds(pid);
        const answer = await get(targets[name]);
        const c1 = cpuSeconds(pid);
        if (answer.status !== 200) throw new Error(`${targets[name]}: ${answer.status}`);
        const status = answer.headers['cache-status'];
        if (status !== 'quire; fwd=miss')
          throw new Error(`${targets[name]}: expected a miss, got ${status ?? 'no Cache-Status'}`);
        ms[name].push(answer.ms);
        if (c0 !== null && c1 !== null) cpu[name].push(c1 - c0);
        const again = await get(targets[name]);
        if (again.headers['cache-status'] !== 'quire; hit')
          throw new Error(`${targets[name]}: not cached after its miss`);
        hits[name].push(again.ms);
      }
    }
    // What the page and the API held (uncompressed).
    const page = (await hit(server.url + targets.page, { timeoutMs: 60_000 })).body.toString();
    const api = (await hit(server.url + targets.api, { timeoutMs: 60_000 })).body.toString();
    bytes.page = Buffer.byteLength(page);
    bytes.api = Buffer.byteLength(api);
    const shown = (page.match(/Comment \d+:/g) ?? []).length;
    const listed = (api.match(/"id_code"/g) ?? []).length;
    agent.destroy();
    return {
      database,
      page: summarize(ms.page, cpu.page, bytes.page),
      api: summarize(ms.api, cpu.api, bytes.api),
      pageHit: quantile(
        [...hits.page].sort((a, b) => a - b),
        0.5,
      ),
      apiHit: quantile(
        [...hits.api].sort((a, b) => a - b),
        0.5,
      ),
      shown,
      listed,
    };
  } finally {
    if (server) await stopQuire(server);
    closeSync(fd);
  }
}

async function main() {
  log(`Machine: ${describeMachine(machine())}`);
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-thread-'));
  let cluster: PgCluster | null = null;
  const watchdog = setTimeout(() => {
    console.error('bench/thread.ts: still running after 15 minutes; giving up');
    cluster?.stop();
    process.exit(1);
  }, 15 * 60_000);
  try {
    const runs = [await measure('sqlite', `sqlite:${join(dir, 'quire.db')}`, dir)];
    if (args.postgres) {
      if (findPgBin()) {
        log('postgres: starting a throwaway cluster (fsync on)');
        cluster = await startPgCluster({ fsync: true });
        runs.push(await measure('postgres', cluster.url, dir));
      } else log('postgres: skipped (no PostgreSQL binaries)');
    }
    const rows = runs.flatMap((r) => {
      const db = r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      const line = (what: string, t: Timing, hitMs: number) => [
        db,
        what,
        fixed(t.p50),
        fixed(t.p99),
        fixed(t.max),
        t.cpuMs === null ? '–' : fixed(t.cpuMs),
        fixed(hitMs, 2),
        `${fixed(t.bytes / 1024)} KiB`,
      ];
      return [
        line(`article page (${r.shown} of ${COMMENTS} comments on it)`, r.page, r.pageHit),
        line(`GET /api/comments?a_id= (${r.listed} comments)`, r.api, r.apiHit),
      ];
    });
    console.log(
      `\n${MISSES} misses of each answer, each after a reaction's event dropped it (checked: Cache-Status: quire; fwd=miss); a thread of ${COMMENTS} comments.\n`,
    );
    console.log(
      table(
        [
          'database',
          'answer',
          'miss p50 ms',
          'miss p99 ms',
          'miss max ms',
          'server CPU ms/miss',
          'hit p50 ms',
          'size',
        ],
        rows,
      ),
    );
    for (const r of runs) {
      if (r.shown === 0)
        console.log(
          `\n${r.database}: the article page shows no comment of the thread: its miss times the page without it.`,
        );
      const verdict = r.page.p50 <= TARGET_MS ? 'within' : 'over';
      console.log(
        `${r.database}: article page p50 on a miss ${fixed(r.page.p50)} ms, ${verdict} the ${TARGET_MS} ms target.`,
      );
    }
  } finally {
    clearTimeout(watchdog);
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
