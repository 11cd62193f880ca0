/**
 * Reads as the site grows: builds SQLite databases of 1k, 100k and 1M articles (bench/
 * scale-build.ts; kept under bench/data/), starts `quire serve` on each as a child process on
 * 127.0.0.1, and times every public page type, every feed kind and the API's listings: the first
 * request after a write (a cache miss, confirmed by Cache-Status), the cached answer, the
 * server's CPU per request, its event-loop delay (/metrics), start-up to /readyz and memory;
 * cached answers under load next to a bare node:http server sending the same bytes, in the same
 * run. Writes the "Scale" section of docs/benchmarks.md and a JSON file of every figure.
 * Run: `npx node bench/scale.ts [--sizes=1k,100k,1m] [--keep] [--duration 3] [--no-docs]`;
 * `--from-json docs/benchmarks-scale.json` writes the section again from saved figures.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { format, resolveConfig } from 'prettier';
import {
  ROOT,
  cpuSeconds,
  describeMachine,
  forkScript,
  int,
  machine,
  machineSeconds,
  memoryOf,
  mib,
  stopChild,
  quireEnv,
  today,
  writeSection,
} from './common.ts';
import { freePort } from '../test/helpers/net.ts';
import type { Answers, Ready } from './feed-server.ts';
import {
  BUILD_FORMAT,
  buildDatabase,
  type Dialect,
  type Manifest,
  SITE_NAME,
} from './scale-build.ts';
import {
  AdminSession,
  type Hit,
  hit,
  type LoopDelay,
  loopDelay,
  type QuireServer,
  startQuire,
  stopQuire,
} from './scale-http.ts';
import {
  type Answer,
  type Kind,
  type LoadResult,
  report,
  type ReportContext,
  type SizeResult,
  type UrlResult,
} from './scale-report.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1k,100k,1m' },
    keep: { type: 'boolean', default: false },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '60' },
    misses: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    data: { type: 'string', default: join(ROOT, 'bench', 'data') },
    json: { type: 'string' },
    postgres: { type: 'boolean', default: false },
    'no-dispatcher': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    'from-json': { type: 'string' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const TIMEOUT_MS = Number(args.timeout) * 1000;
const MISSES = Number(args.misses);
const ROUNDS = Number(args.rounds);
for (const [name, v] of Object.entries({
  DURATION,
  CONNECTIONS,
  TIMEOUT: TIMEOUT_MS,
  MISSES,
  ROUNDS,
})) {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name.toLowerCase()} must be a whole number`);
}
const JSON_FILE =
  args.json ??
  (args['no-docs'] ? join(args.data, 'scale.json') : join(ROOT, 'docs', 'benchmarks-scale.json'));

/** `1k`, `100k`, `1m`, `2500` into a count of articles. */
function parseSize(text: string): { label: string; count: number } {
  const m = /^(\d+)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`--sizes: cannot read "${text}" (say 1k, 100k or 1m)`);
  const unit = (m[2] ?? '').toLowerCase();
  const count = Number(m[1]) * (unit === 'k' ? 1000 : unit === 'm' ? 1_000_000 : 1);
  if (count < 500) throw new Error('--sizes: at least 500 articles');
  return { label: `${m[1]}${unit === 'm' ? 'M' : unit}`, count };
}
const SIZES = args.sizes.split(',').map(parseSize);

/** Requests slower than this are timed one at a time only: a load run would say nothing more. */
const LOAD_MAX_MS = 100;
/** Sequential requests for the cached latency: this many, or as many as fit in the time. */
const SEQUENTIAL = 200;
const SEQUENTIAL_MS = 10_000;
/** How long the server is watched doing nothing after start: two of the dispatcher's 5 s polls. */
const IDLE_MS = 12_000;
/** A URL whose first hit is slower than this twice is not timed again. */
const SLOW_MS = 2000;
/** How long the measurements of one size may take before the rest of its URLs are skipped. */
const measureBudgetMs = (count: number) =>
  (count >= 1_000_000 ? 30 : count >= 100_000 ? 15 : 10) * 60_000;
/** How long a build of this size may take (10 minutes is the goal for 1M). */
const buildBudgetMs = (count: number) => Math.max(2 * 60_000, (count / 1_000_000) * 20 * 60_000);

const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const BASE_URL = 'https://blog.example.test';

interface Target {
  name: string;
  kind: Kind;
  path: string;
}

/** Every public page type, every feed kind and format, and the API's listings. */
function targets(m: Manifest): Target[] {
  const { author, tag, article, series } = m.names;
  const feeds = (label: string, base: string): Target[] => [
    { name: `${label} RSS`, kind: 'feed', path: base },
    { name: `${label} Atom`, kind: 'feed', path: `${base}.atom` },
    { name: `${label} JSON Feed`, kind: 'feed', path: `${base}.json` },
  ];
  return [
    { name: 'home', kind: 'page', path: '/' },
    { name: 'home, page 50', kind: 'page', path: '/?page=50' },
    { name: 'article (in a series)', kind: 'page', path: article.path },
    { name: 'author page', kind: 'page', path: `/${author}` },
    { name: 'tag page', kind: 'page', path: `/t/${tag}` },
    { name: 'tag page, page 50', kind: 'page', path: `/t/${tag}?page=50` },
    ...feeds('site', '/feed'),
    ...feeds('author', `/feed/${author}`),
    ...feeds('tag', `/feed/tag/${tag}`),
    { name: 'API articles', kind: 'api', path: '/api/articles' },
    { name: 'API articles ?tag=', kind: 'api', path: `/api/articles?tag=${tag}` },
    { name: 'API articles ?username=', kind: 'api', path: `/api/articles?username=${author}` },
    { name: 'API articles ?top=7', kind: 'api', path: '/api/articles?top=7' },
    { name: 'API articles ?page=50', kind: 'api', path: '/api/articles?page=50' },
    {
      name: 'API articles ?collection_id=',
      kind: 'api',
      path: `/api/articles?collection_id=${series.id}`,
    },
    { name: 'API article by id', kind: 'api', path: `/api/articles/${article.id}` },
    { name: 'API tags', kind: 'api', path: '/api/tags' },
  ];
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

function gitCommit(): string {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src') ? `${head} (src/ changed since)` : head;
  } catch {
    return 'unknown';
  }
}

const children = new Set<ChildProcess>();
const log = (line: string) => console.log(line);

/** What a timed request says, without its body. */
function answerOf(h: Hit, cpuMs: number | null = null): Answer {
  return {
    ms: h.timedOut ? null : h.ms,
    status: h.status,
    bytes: h.body.length,
    cacheStatus: h.headers['cache-status'] ?? null,
    cpuMs,
  };
}

/** The SQLite database of this size: built now, or (with --keep) the one an earlier run built. */
async function sqliteDatabase(label: string, count: number, commit: string) {
  mkdirSync(args.data, { recursive: true });
  const file = join(args.data, `sqlite-${label}.db`);
  const manifestFile = join(args.data, `sqlite-${label}.json`);
  if (args.keep && existsSync(file) && existsSync(manifestFile)) {
    const kept = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (kept.format === BUILD_FORMAT && kept.articles === count) {
      log(`Using ${file}, built ${kept.builtAt} in ${(kept.buildMs / 1000).toFixed(1)} s`);
      return { url: `sqlite:${file}`, manifest: kept, built: false, bytes: statSync(file).size };
    }
    log(`${file}: built by an older bench/scale-build.ts; building again`);
  }
  const building = join(args.data, `sqlite-${label}.building.db`);
  for (const f of [file, building])
    for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true });
  rmSync(manifestFile, { force: true });
  log(`Building ${label} (${int(count)} articles) into ${file}...`);
  const manifest = await buildDatabase({ dialect: 'sqlite', url: `sqlite:${building}` }, count, {
    commit,
    log,
  });
  renameSync(building, file);
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`Built ${label} in ${(manifest.buildMs / 1000).toFixed(1)} s`);
  return { url: `sqlite:${file}`, manifest, built: true, bytes: statSync(file).size };
}

/** A PostgreSQL database of this size in the throwaway cluster, built every run. */
async function postgresDatabase(clusterUrl: string, label: string, count: number, commit: string) {
  const name = `quire_scale_${label.toLowerCase()}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = clusterUrl.replace(/\/[^/]*$/, `/${name}`);
  log(`Building ${label} (${int(count)} articles) on PostgreSQL...`);
  const manifest = await buildDatabase({ dialect: 'postgres', url }, count, { commit, log });
  log(`Built ${label} on PostgreSQL in ${(manifest.buildMs / 1000).toFixed(1)} s`);
  return { url, manifest, built: true, bytes: null };
}

function serverEnv(databaseUrl: string, port: number): Record<string, string> {
  return quireEnv({
    databaseUrl,
    port,
    secret: SECRET,
    logLevel: 'warn',
    baseUrl: BASE_URL,
    // The load comes from one address; a slow answer is timed (up to --timeout), not cut at the
    // default 30 s and answered 503.
    loadFromOneAddress: { requestTimeoutSeconds: 3600 },
    // Background jobs in the web process, as `quire serve` runs them, unless asked otherwise.
    more: args['no-dispatcher'] ? { QUIRE_DISPATCHER: '0' } : {},
  });
}

/** `quire migrate` on the database, timed, so that start-up is timed without migrations. */
function migrate(env: Record<string, string>): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'quire.js'), 'migrate'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  if (result.status !== 0)
    throw new Error(`quire migrate failed: ${result.stderr || result.stdout}`);
  return performance.now() - started;
}

/** CPU seconds of a process, and of the rest of the machine, around `work`. */
async function withCpu<T>(pid: number | undefined, work: () => PromiseLike<T>) {
  const cpu0 = cpuSeconds(pid);
  const machine0 = machineSeconds();
  const self0 = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const wall = (performance.now() - started) / 1000;
  const cpu1 = cpuSeconds(pid);
  const machine1 = machineSeconds();
  const self = process.cpuUsage(self0);
  const server = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  const load = (self.user + self.system) / 1e6;
  const other =
    machine0 === null || machine1 === null || server === null
      ? null
      : Math.max(0, machine1.busy - machine0.busy - server - load) / wall;
  return { value, server, other, wall };
}

/** A bounded autocannon run against one URL, with the server's CPU and the machine's around it. */
async function loadRun(url: string, pid: number | undefined, expect: number): Promise<LoadResult> {
  const run = await withCpu(pid, () =>
    autocannon({ url, connections: CONNECTIONS, duration: DURATION, timeout: 10 }),
  );
  const r = run.value;
  const total = r.requests.total ?? 0;
  return {
    rps: r.requests.mean,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: total,
    cpuUs: run.server === null || total === 0 ? null : (run.server / total) * 1e6,
    serverCpu: run.server === null ? null : run.server / run.wall,
    otherCpu: run.other,
    errors: r.errors + r.timeouts,
    unexpected: total - (r.statusCodeStats[String(expect)]?.count ?? 0),
  };
}

const meanOf = (xs: Array<number | null>) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};

/** Rounds of one server on one URL as one result: means, and CPU over all requests. */
function combine(runs: LoadResult[]): LoadResult {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const cpu = runs.every((r) => r.cpuUs !== null)
    ? runs.reduce((t, r) => t + (r.cpuUs as number) * r.requests, 0)
    : null;
  return {
    rps: meanOf(runs.map((r) => r.rps)) ?? 0,
    p50: meanOf(runs.map((r) => r.p50)) ?? 0,
    p99: meanOf(runs.map((r) => r.p99)) ?? 0,
    requests,
    cpuUs: cpu === null || requests === 0 ? null : cpu / requests,
    serverCpu: meanOf(runs.map((r) => r.serverCpu)),
    otherCpu: meanOf(runs.map((r) => r.otherCpu)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    unexpected: runs.reduce((n, r) => n + r.unexpected, 0),
  };
}

async function measureSize(
  dialect: Dialect,
  label: string,
  count: number,
  database: { url: string; manifest: Manifest; built: boolean; bytes: number | null },
  dir: string,
): Promise<SizeResult> {
  const { manifest } = database;
  const deadline = performance.now() + measureBudgetMs(count);
  const port = await freePort();
  const env = serverEnv(database.url, port);
  log(`[${label}] quire migrate...`);
  const migrateMs = migrate(env);
  const fd = openSync(join(dir, `quire-${dialect}-${label}.log`), 'a');
  let restarts = 0;
  const start = async () => {
    const s = await startQuire(env, fd, 10 * 60_000);
    children.add(s.child);
    s.child.once('exit', () => children.delete(s.child));
    return s;
  };
  let server: QuireServer = await start();
  const startup = { healthzMs: server.healthzMs, readyzMs: server.readyzMs };
  const memStart = memoryOf(server.child.pid);
  log(
    `[${label}] started: /healthz after ${int(startup.healthzMs)} ms, /readyz after ${int(startup.readyzMs)} ms, RSS ${memStart ? mib(memStart.rss) : '?'}`,
  );
  // 0. Nothing asked of it: what the background jobs cost on their own.
  await loopDelay(server.url);
  const quiet = await withCpu(server.child.pid, () => sleep(IDLE_MS));
  const quietLoop = await loopDelay(server.url);
  const idle = {
    seconds: quiet.wall,
    serverCpu: quiet.server === null ? null : quiet.server / quiet.wall,
    loop: quietLoop,
  };
  log(
    `[${label}] idle ${quiet.wall.toFixed(1)} s: server CPU ${idle.serverCpu === null ? '?' : `${Math.round(idle.serverCpu * 100)}%`}, event-loop delay max ${quietLoop ? `${quietLoop.max.toFixed(0)} ms` : '?'}`,
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const session = new AdminSession(server.url, TIMEOUT_MS);
  /** A request stuck past the deadline holds the server: it is killed and started again. */
  const restart = async () => {
    log(`[${label}] a request passed ${TIMEOUT_MS / 1000} s: restarting the server`);
    await stopQuire(server, true);
    server = await start();
    restarts++;
  };
  const get = (path: string) => hit(server.url + path, { timeoutMs: TIMEOUT_MS, agent });
  /** One request, with the server's CPU time it took (whole clock ticks, 10 ms). */
  const timed = async (path: string) => {
    const run = await withCpu(server.child.pid, () => get(path));
    return { hit: run.value, cpuMs: run.server === null ? null : run.server * 1000 };
  };

  const list = targets(manifest);
  const results: UrlResult[] = list.map((t) => ({
    ...t,
    cold: null,
    misses: [],
    missLoopMaxMs: null,
    cached: null,
    quire: null,
    bare: null,
    skipped: null,
  }));
  const load0 = loadavg()[0] ?? 0;

  // 1. Each URL once, in order, right after start: nothing cached, code not yet optimised.
  for (const r of results) {
    if (performance.now() > deadline) break;
    const { hit: answer, cpuMs } = await timed(r.path);
    r.cold = answerOf(answer, cpuMs);
    log(
      `[${label}] cold ${r.name}: ${answer.timedOut ? `> ${TIMEOUT_MS / 1000} s` : `${answer.ms.toFixed(1)} ms (${answer.status})`}`,
    );
    if (answer.timedOut) await restart();
  }

  // 2. Per URL: a write that drops every cached answer, then the first request (a miss).
  await session.signIn(manifest.admin.username, manifest.admin.password);
  const writes: number[] = [];
  const write = async () => writes.push(await session.saveSite(SITE_NAME));
  for (const r of results) {
    if (performance.now() > deadline) {
      r.skipped = 'time budget of this size spent';
      continue;
    }
    for (let n = 0; n < MISSES; n++) {
      // A slow URL is timed twice, not more: one slow answer alone may have met a stall.
      if (r.misses.filter((a) => (a.ms ?? Infinity) > SLOW_MS).length >= 2) break;
      await write();
      await loopDelay(server.url);
      const { hit: answer, cpuMs } = await timed(r.path);
      const loop = await loopDelay(server.url);
      r.misses.push(answerOf(answer, cpuMs));
      if (loop) r.missLoopMaxMs = Math.max(r.missLoopMaxMs ?? 0, loop.max);
      if (answer.timedOut) {
        await restart();
        await session.signIn(manifest.admin.username, manifest.admin.password);
        break;
      }
    }
    const ms = r.misses.map((a) => a.ms ?? Infinity);
    log(
      `[${label}] first hit ${r.name}: ${ms.map((m) => (Number.isFinite(m) ? m.toFixed(1) : '> timeout')).join(', ')} ms; ${r.misses.map((a) => a.cacheStatus ?? 'no Cache-Status').join(', ')}`,
    );
  }

  // 3. Fill the cache once more, then keep each cached answer for the bare server.
  await write();
  const captured: Answers = {};
  const bodies = new Map<string, Buffer>();
  for (const r of results) {
    if (r.skipped || r.misses.some((a) => a.ms === null)) continue;
    await get(r.path);
    const answer = await get(r.path);
    if (answer.timedOut) {
      await restart();
      r.skipped = 'a repeated request timed out';
      continue;
    }
    const file = `${Object.keys(captured).length}.body`;
    bodies.set(r.path, answer.body);
    captured[r.path] = {
      status: answer.status,
      headers: Object.fromEntries(
        Object.entries(answer.headers).filter(([k]) => k !== 'x-request-id'),
      ),
      body: file,
    };
  }
  const bareDir = mkdtempSync(join(dir, `bare-${label}-`));
  for (const [path, v] of Object.entries(captured))
    writeFileSync(join(bareDir, v.body as string), bodies.get(path) as Buffer);
  writeFileSync(join(bareDir, 'answers.json'), JSON.stringify(captured));
  const bare = await forkScript<Ready>('feed-server.ts', ['--mode', 'answers', '--dir', bareDir], {
    timeoutMs: 30_000,
  });
  children.add(bare.child);

  // 4. Per URL: cached latency one request at a time, then Quire and the bare server under load.
  try {
    for (const r of results) {
      const kept = captured[r.path];
      if (!kept) continue;
      if (performance.now() > deadline) {
        r.skipped = 'time budget of this size spent';
        continue;
      }
      const check = await hit(bare.message.url + r.path, { timeoutMs: 10_000 });
      if (!check.body.equals(bodies.get(r.path) as Buffer))
        throw new Error(`the bare server does not send the bytes of ${r.path}`);
      const samples: number[] = [];
      const statuses: Record<string, number> = {};
      const seq = await withCpu(server.child.pid, async () => {
        const started = performance.now();
        while (samples.length < SEQUENTIAL && performance.now() - started < SEQUENTIAL_MS) {
          const answer = await get(r.path);
          if (answer.timedOut) break;
          samples.push(answer.ms);
          const cs = answer.headers['cache-status'] ?? 'none';
          statuses[cs] = (statuses[cs] ?? 0) + 1;
        }
      });
      if (samples.length === 0) {
        await restart();
        r.skipped = 'a repeated request timed out';
        continue;
      }
      const sorted = [...samples].sort((a, b) => a - b);
      r.cached = {
        count: samples.length,
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
        cpuUs: seq.server === null ? null : (seq.server / samples.length) * 1e6,
        cacheStatus: statuses,
      };
      if (r.cached.p50 < LOAD_MAX_MS) {
        // Quire, then bare, in turn: both see about the same noise from the rest of the machine.
        const quire: LoadResult[] = [];
        const plain: LoadResult[] = [];
        let loop: LoopDelay | null = null;
        for (let round = 0; round < ROUNDS; round++) {
          await loopDelay(server.url);
          quire.push(await loadRun(server.url + r.path, server.child.pid, kept.status));
          const delay = await loopDelay(server.url);
          if (delay && (!loop || delay.max > loop.max)) loop = delay;
          plain.push(await loadRun(bare.message.url + r.path, bare.child.pid, kept.status));
        }
        r.quire = { ...combine(quire), loop, runs: quire };
        r.bare = { ...combine(plain), runs: plain };
      }
      log(
        `[${label}] cached ${r.name}: p50 ${r.cached.p50.toFixed(2)} ms` +
          (r.quire && r.bare
            ? `; ${int(r.quire.rps)} req/s (bare ${int(r.bare.rps)}), ${r.quire.cpuUs === null ? '?' : int(r.quire.cpuUs)} µs CPU/req (bare ${r.bare.cpuUs === null ? '?' : int(r.bare.cpuUs)})`
            : '; too slow for a load run'),
      );
    }
  } finally {
    await stopChild(bare.child);
    children.delete(bare.child);
  }

  const memEnd = memoryOf(server.child.pid);
  await stopQuire(server);
  closeSync(fd);
  agent.destroy();
  return {
    dialect,
    label,
    count,
    manifest: { ...manifest, admin: { ...manifest.admin, password: '(bench password)' } },
    built: database.built,
    bytes: database.bytes,
    migrateMs,
    startup,
    idle,
    memStart,
    memEnd,
    restarts,
    writeMs: writes.length > 0 ? median(writes) : null,
    urls: results,
    loadAverage: [load0, loadavg()[0] ?? 0],
  };
}

/** Writes the section again from the figures of an earlier run, measuring nothing. */
async function fromJson(file: string) {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as ReportContext & {
    results: SizeResult[];
  };
  const { results, ...context } = saved;
  const section = report(results, context);
  console.log(section);
  if (!args['no-docs']) {
    writeSection('scale', section);
    log('Results written to docs/benchmarks.md');
  }
}

async function main() {
  if (args['from-json']) return fromJson(args['from-json']);
  const host = machine();
  const commit = gitCommit();
  log(
    `Machine: ${describeMachine(host)}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  log(`Commit ${commit}; sizes ${SIZES.map((s) => s.label).join(', ')}`);
  const budget =
    SIZES.reduce((ms, s) => ms + measureBudgetMs(s.count) + buildBudgetMs(s.count), 0) *
      (args.postgres ? 2 : 1) +
    5 * 60_000;
  const watchdog = setTimeout(() => {
    console.error(
      `bench/scale.ts: still running after ${Math.round(budget / 60_000)} min; giving up`,
    );
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  }, budget);
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-scale-'));
  const results: SizeResult[] = [];
  let cluster: { url: string; stop(): void } | null = null;
  try {
    for (const { label, count } of SIZES) {
      const database = await sqliteDatabase(label, count, commit);
      results.push(await measureSize('sqlite', label, count, database, dir));
    }
    if (args.postgres) {
      const { startPgCluster } = await import('../test/helpers/pg-cluster.ts');
      cluster = await startPgCluster();
      for (const { label, count } of SIZES) {
        const database = await postgresDatabase(cluster.url, label, count, commit);
        results.push(await measureSize('postgres', label, count, database, dir));
      }
    }
    const command = [
      'npx node bench/scale.ts',
      `--sizes=${args.sizes}`,
      ...(args.keep ? ['--keep'] : []),
      `--duration ${DURATION} --rounds ${ROUNDS} --connections ${CONNECTIONS} --timeout ${TIMEOUT_MS / 1000} --misses ${MISSES}`,
      ...(args.postgres ? ['--postgres'] : []),
      ...(args['no-dispatcher'] ? ['--no-dispatcher'] : []),
    ].join(' ');
    const context: ReportContext = {
      machine: describeMachine(host),
      date: today(),
      commit,
      command,
      duration: DURATION,
      connections: CONNECTIONS,
      timeoutMs: TIMEOUT_MS,
      misses: MISSES,
      rounds: ROUNDS,
      sequential: SEQUENTIAL,
      sequentialMs: SEQUENTIAL_MS,
      loadMaxMs: LOAD_MAX_MS,
      dispatcher: !args['no-dispatcher'],
      jsonFile: JSON_FILE.startsWith(ROOT) ? relative(ROOT, JSON_FILE) : JSON_FILE,
    };
    const section = report(results, context);
    console.log(`\n${section}\n`);
    mkdirSync(dirname(JSON_FILE), { recursive: true });
    // Three decimals are more than any of these figures can tell.
    const json = JSON.stringify({ ...context, results }, (_key, value: unknown) =>
      typeof value === 'number' && !Number.isInteger(value)
        ? Math.round(value * 1000) / 1000
        : value,
    );
    // Formatted as the repository's prettier settings want, so `npm run lint` accepts the file.
    const style = (await resolveConfig(JSON_FILE)) ?? {};
    writeFileSync(JSON_FILE, await format(json, { ...style, parser: 'json' }));
    log(`Figures written to ${JSON_FILE}`);
    if (!args['no-docs']) {
      writeSection('scale', section);
      log('Results written to docs/benchmarks.md');
    }
  } finally {
    clearTimeout(watchdog);
    for (const child of children) child.kill('SIGKILL');
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
