/**
 * Concurrent publishing through the API: `quire serve` in a child process, on a throwaway SQLite
 * file and then on a throwaway PostgreSQL cluster (fsync on), with 1, 8 and 32 clients each
 * sending `POST /api/articles` (published, about 3.4 KB of Markdown with two code blocks) back to
 * back for a fixed time. Reports publishes/s, latency, and the CPU the server (and PostgreSQL)
 * spent per publish, then checks that every 201 left exactly one article and its events.
 * Run: `npm run bench:writes` (`npx node bench/writes.ts --help` for options).
 */
import { mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/context.ts';
import { createApiKey } from '../src/modules/apikeys/apikeys.service.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { freePort } from '../test/helpers/net.ts';
import { findPgBin, type PgCluster, startPgCluster } from '../test/helpers/pg-cluster.ts';
import {
  cpuSeconds,
  describeMachine,
  fixed,
  machine,
  machineSeconds,
  quireEnv,
  table,
  today,
  writeSection,
} from './common.ts';
import { publishedMarkdown, TAGS } from './content.ts';
import { hit, type QuireServer, startQuire, stopQuire } from './scale-http.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    clients: { type: 'string', default: '1,8,32' },
    'shared-key': { type: 'boolean', default: false },
    databases: { type: 'string', default: 'sqlite,postgres' },
    profile: { type: 'string' },
    'no-dispatcher': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npx node bench/writes.ts [options]
  --duration S      seconds each client count publishes for (5)
  --warmup S        unmeasured seconds of publishing before each count (1)
  --clients LIST    concurrent publishers to run, in order (1,8,32)
  --shared-key      every client publishes as one author with one API key (default: one each)
  --databases LIST  sqlite, postgres or both (sqlite,postgres)
  --profile DIR     run the server with --cpu-prof, writing its profile into DIR
  --no-dispatcher   QUIRE_DISPATCHER=0: no background work beside the publishes
  --no-docs         leave docs/benchmarks.md alone`);
  process.exit(0);
}
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CLIENTS = args.clients.split(',').map(Number);
const DATABASES = args.databases.split(',');
if (!(DURATION > 0) || !(WARMUP >= 0)) throw new Error('--duration and --warmup are seconds');
if (CLIENTS.some((n) => !Number.isInteger(n) || n < 1 || n > 256))
  throw new Error('--clients must be whole numbers from 1 to 256');
if (DATABASES.some((d) => d !== 'sqlite' && d !== 'postgres'))
  throw new Error('--databases must name sqlite and/or postgres');
const AUTHORS = args['shared-key'] ? 1 : Math.max(...CLIENTS);
const SECRET = 'bench-writes-secret-0123456789abcdef0123456789';
/** A publish slower than this counts as failed (the server's own timeout is raised past it). */
const TIMEOUT_MS = 60_000;

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Run {
  database: string;
  clients: number;
  seconds: number;
  published: number;
  failed: number;
  /** Status codes other than 201, with how many of each. */
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  /** Cores' worth of CPU the Quire process used. */
  serverCpu: number | null;
  serverMsPerPublish: number | null;
  /** PostgreSQL's processes (server, backends, WAL writer, checkpointer), PostgreSQL only. */
  pgCpu: number | null;
  pgMsPerPublish: number | null;
  /** This process (the clients). */
  loadCpu: number;
  /** Everything else on the machine meanwhile, in cores. */
  otherCpu: number | null;
}

/** CPU seconds of a PostgreSQL cluster: the postmaster, its live children and those it reaped. */
function postgresSeconds(postmaster: number | null): number | null {
  if (postmaster === null) return null;
  const fields = (pid: number | string) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number);
    } catch {
      return null;
    }
  };
  const own = fields(postmaster);
  if (!own) return null;
  // utime, stime, and the children it waited for (cutime, cstime).
  let ticks = (own[11] ?? 0) + (own[12] ?? 0) + (own[13] ?? 0) + (own[14] ?? 0);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = fields(entry);
    if (f && f[1] === postmaster) ticks += (f[11] ?? 0) + (f[12] ?? 0);
  }
  return ticks / 100;
}

/** The postmaster of the cluster `url` points at: the parent of a backend. */
async function postmasterOf(url: string): Promise<number | null> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const stat = readFileSync(`/proc/${rows[0]?.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

interface Author {
  key: string;
  username: string;
}

/** Makes the authors and their API keys through the services, before the server starts. */
async function makeAuthors(env: Record<string, string>): Promise<Author[]> {
  const ctx = await openContext(loadConfig(env), { migrate: true });
  try {
    const authors: Author[] = [];
    for (let i = 0; i < AUTHORS; i += 1) {
      const username = `writer_${i}`;
      const user = await createAccount(ctx, {
        username,
        email: `${username}@example.com`,
        password: 'correct horse battery staple',
      });
      authors.push({ key: (await createApiKey(ctx, user, 'bench')).key, username });
    }
    return authors;
  } finally {
    await ctx.database.close();
  }
}

/** After the runs: articles and publication events in the database, by the services' own handle. */
async function countRows(env: Record<string, string>) {
  const ctx = await openContext(loadConfig(env));
  try {
    const db = ctx.database.db;
    const articles = await db
      .selectFrom('articles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const events = await db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type', '=', 'article.published')
      .executeTakeFirstOrThrow();
    const slugs = await db.selectFrom('articles').select(['user_id', 'slug']).distinct().execute();
    return { articles: Number(articles.n), events: Number(events.n), slugs: slugs.length };
  } finally {
    await ctx.database.close();
  }
}

let sequence = 0;

/** One publish: a new title each time, so every article gets a slug of its own. */
function publish(server: QuireServer, author: Author, agent: Agent) {
  const n = sequence++;
  const body = JSON.stringify({
    article: {
      title: `Notes on ${TAGS[n % TAGS.length]} number ${n}`,
      body_markdown: publishedMarkdown(n % 64),
      published: true,
      tags: [TAGS[n % TAGS.length], TAGS[(n + 3) % TAGS.length]].join(', '),
    },
  });
  return hit(`${server.url}/api/articles`, {
    method: 'POST',
    timeoutMs: TIMEOUT_MS,
    agent,
    headers: { 'content-type': 'application/json', 'api-key': author.key },
    body,
  });
}

/** `clients` publishers, each one request at a time on its own keep-alive connection. */
async function load(server: QuireServer, authors: Author[], clients: number, seconds: number) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const author = authors[i % authors.length] as Author;
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (performance.now() < deadline) {
          const answer = await publish(server, author, agent);
          if (answer.status === 201) latencies.push(answer.ms);
          else if (answer.timedOut || answer.failed) failed += 1;
          else statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  return { latencies, statuses, failed };
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

async function measure(
  database: string,
  server: QuireServer,
  authors: Author[],
  clients: number,
  postmaster: number | null,
): Promise<Run> {
  if (WARMUP > 0) await load(server, authors, clients, WARMUP);
  const pid = server.child.pid;
  const cpu0 = cpuSeconds(pid);
  const pg0 = postgresSeconds(postmaster);
  const machine0 = machineSeconds();
  const self0 = process.cpuUsage();
  const started = performance.now();
  const { latencies, statuses, failed } = await load(server, authors, clients, DURATION);
  const wall = (performance.now() - started) / 1000;
  const cpu1 = cpuSeconds(pid);
  const pg1 = postgresSeconds(postmaster);
  const machine1 = machineSeconds();
  const self = process.cpuUsage(self0);
  const used = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  const pgUsed = pg0 === null || pg1 === null ? null : pg1 - pg0;
  const loadUsed = (self.user + self.system) / 1e6;
  const sorted = latencies.sort((a, b) => a - b);
  const published = sorted.length;
  return {
    database,
    clients,
    seconds: wall,
    published,
    failed,
    statuses,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
    serverCpu: used === null ? null : used / wall,
    serverMsPerPublish: used === null || published === 0 ? null : (used / published) * 1000,
    pgCpu: pgUsed === null ? null : pgUsed / wall,
    pgMsPerPublish: pgUsed === null || published === 0 ? null : (pgUsed / published) * 1000,
    loadCpu: loadUsed / wall,
    otherCpu:
      machine0 === null || machine1 === null || used === null
        ? null
        : Math.max(0, machine1.busy - machine0.busy - used - loadUsed - (pgUsed ?? 0)) / wall,
  };
}

function serverEnv(databaseUrl: string, port: number): Record<string, string> {
  return quireEnv({
    databaseUrl,
    port,
    secret: SECRET,
    // The default level: one line per request, as a deployment logs it (to a file here).
    logLevel: 'info',
    baseUrl: 'http://127.0.0.1',
    // All clients come from one address: neither the API's limit (600 a minute) nor the write
    // limit (60 a minute per route and address) may refuse them.
    loadFromOneAddress: { requestTimeoutSeconds: TIMEOUT_MS / 1000 },
    more: {
      // Background jobs in the web process, as `quire serve` runs them, unless asked otherwise.
      ...(args['no-dispatcher'] ? { QUIRE_DISPATCHER: '0' } : {}),
      ...(args.profile
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${args.profile} --cpu-prof-interval=500` }
        : {}),
    },
  });
}

async function runDatabase(database: string, url: string, dir: string): Promise<Run[]> {
  const port = await freePort();
  const env = serverEnv(url, port);
  log(`${database}: making ${AUTHORS} author(s) and API key(s)`);
  const { NODE_OPTIONS: _profileOnlyTheServer, ...setupEnv } = env;
  const authors = await makeAuthors(setupEnv);
  const fd = openSync(join(dir, `quire-${database}.log`), 'a');
  let server: QuireServer | null = null;
  const runs: Run[] = [];
  try {
    server = await startQuire(env, fd, 120_000);
    const postmaster = database === 'postgres' ? await postmasterOf(url) : null;
    for (const clients of CLIENTS) {
      const run = await measure(database, server, authors, clients, postmaster);
      runs.push(run);
      log(
        `${database}, ${clients} client(s): ${fixed(run.published / run.seconds)} publishes/s, p50 ${fixed(run.p50)} ms, p99 ${fixed(run.p99)} ms, max ${fixed(run.max)} ms, server ${ms(run.serverMsPerPublish)} CPU ms/publish (${pct(run.serverCpu)})` +
          (run.pgCpu === null
            ? ''
            : `, PostgreSQL ${ms(run.pgMsPerPublish)} ms/publish (${pct(run.pgCpu)})`) +
          `, clients ${pct(run.loadCpu)}, rest of machine ${pct(run.otherCpu)}` +
          (run.failed || Object.keys(run.statuses).length
            ? `, FAILED ${run.failed} ${JSON.stringify(run.statuses)}`
            : ''),
      );
    }
  } finally {
    if (server) await stopQuire(server);
    closeSync(fd);
  }
  // Every 201 (warm-up ones too) must have left one article with its own slug and its event.
  const answered = sequence;
  const rows = await countRows(setupEnv);
  log(
    `${database}: ${rows.articles} articles, ${rows.events} article.published events, ${rows.slugs} distinct slugs (${answered} publishes sent in all)`,
  );
  if (rows.articles !== rows.events || rows.slugs !== rows.articles)
    throw new Error(`${database}: articles, events and slugs disagree`);
  return runs;
}

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const ms = (x: number | null) => (x === null ? '–' : fixed(x, 2));

function report(runs: Run[], host: string, command: string): string {
  const rows = runs.map((r) => [
    r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL',
    String(r.clients),
    fixed(r.published / r.seconds),
    fixed(r.p50),
    fixed(r.p99),
    ms(r.serverMsPerPublish),
    ms(r.pgMsPerPublish),
    pct(r.otherCpu),
    String(r.failed + Object.values(r.statuses).reduce((a, b) => a + b, 0)),
  ]);
  return [
    `Measured ${today()} on ${host}, load average before the run ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, with \`${command}\`.`,
    '',
    table(
      [
        'database',
        'clients',
        'publishes/s',
        'p50 ms',
        'p99 ms',
        'server CPU ms/publish',
        'PostgreSQL CPU ms/publish',
        'rest of machine CPU',
        'failed',
      ],
      rows,
    ),
  ].join('\n');
}

async function main() {
  const host = describeMachine(machine());
  log(`Machine: ${host}`);
  const budgetMs =
    DATABASES.length * (CLIENTS.length * (DURATION + WARMUP + 30) + 180) * 1000 + 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-writes-'));
  let cluster: PgCluster | null = null;
  const watchdog = setTimeout(() => {
    console.error(`bench/writes.ts: still running after ${budgetMs / 1000} s; giving up`);
    cluster?.stop();
    process.exit(1);
  }, budgetMs);
  const runs: Run[] = [];
  try {
    for (const database of DATABASES) {
      if (database === 'sqlite') {
        runs.push(...(await runDatabase('sqlite', `sqlite:${join(dir, 'quire.db')}`, dir)));
      } else if (findPgBin()) {
        log('postgres: starting a throwaway cluster (fsync on)');
        cluster = await startPgCluster({ fsync: true });
        runs.push(...(await runDatabase('postgres', cluster.url, dir)));
        cluster.stop();
        cluster = null;
      } else {
        log('postgres: skipped (no PostgreSQL binaries)');
      }
    }
    const command = [
      'npx node bench/writes.ts',
      `--duration ${DURATION} --warmup ${WARMUP} --clients ${CLIENTS.join(',')}`,
      `--databases ${DATABASES.join(',')}`,
      ...(args['shared-key'] ? ['--shared-key'] : []),
      ...(args['no-dispatcher'] ? ['--no-dispatcher'] : []),
    ].join(' ');
    const section = report(runs, host, command);
    console.log(`\n${section}\n`);
    if (!args['no-docs'] && !args.profile) {
      writeSection('writes', section);
      log('Results written to docs/benchmarks.md');
    }
  } finally {
    clearTimeout(watchdog);
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
