/**
 * Start-up and memory: spawns `quire serve` (bin/quire.js, as an operator runs it) several times
 * on an empty SQLite database and, with `--db`, on a copy of a given database file, and times
 * spawn to the first 200 of /healthz and of /readyz; reads the server's resident memory right
 * after ready and after it has idled; reads its V8 heap spaces from /metrics; and times
 * `quire --help`. The first start of a run has an empty compile cache of its own (the cost of
 * the first start after an install or an upgrade), the others reuse it.
 * Run: `npx node bench/startup.ts [--runs 5] [--idle 10] [--db PATH] [--no-docs]`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { constants, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  describeMachine,
  fixed,
  int,
  machine,
  memoryOf,
  ROOT,
  quireEnv,
  table,
  today,
  writeSection,
} from './common.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    idle: { type: 'string', default: '10' },
    'help-runs': { type: 'string', default: '10' },
    db: { type: 'string' },
    'node-options': { type: 'string', default: '' },
    'no-docs': { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const IDLE_MS = Number(args.idle) * 1000;
const HELP_RUNS = Number(args['help-runs']);
const BIN = join(ROOT, 'bin', 'quire.js');
const SECRET = 'startup-bench-secret-startup-bench-secret-0123';

// A run that hangs (a server that never gets ready) must not hold the machine.
const watchdog = setTimeout(
  () => {
    console.error('bench/startup.ts: watchdog: the run took too long');
    process.exit(1);
  },
  (RUNS * 2 * (IDLE_MS + 60_000) + 300_000) * (args.db ? 2 : 1),
);
watchdog.unref();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const max = (xs: number[]) => Math.max(...xs);

interface Start {
  healthzMs: number;
  readyzMs: number;
  rssReady: number;
  rssIdle: number;
  /** CPU seconds the process (every thread) used until ready. */
  cpuReady: number;
  threads: number;
}

/** CPU seconds (user + system) of a process, all its threads, from /proc. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const threadsOf = (pid: number) =>
  Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

async function status(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

function env(databaseUrl: string, port: number, cache: string): NodeJS.ProcessEnv {
  return quireEnv({
    databaseUrl,
    port,
    secret: SECRET,
    logLevel: 'warn',
    baseUrl: `http://127.0.0.1:${port}`,
    more: {
      NODE_COMPILE_CACHE: cache,
      ...(args['node-options'] ? { NODE_OPTIONS: args['node-options'] } : {}),
    },
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let nextPort = 21000 + Math.floor(Math.random() * 20000);

/** One start: spawn, /healthz, /readyz, memory now and after idling; heap spaces if asked. */
async function start(databaseUrl: string, cache: string, heap: boolean) {
  const port = nextPort++;
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: env(databaseUrl, port, cache),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const pid = child.pid as number;
  const until = async (path: string) => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`quire serve exited while starting: ${stderr}`);
      if (performance.now() - started > 60_000) {
        child.kill('SIGKILL');
        throw new Error(`quire serve did not answer ${path} within 60 s`);
      }
      if ((await status(url + path)) === 200) return performance.now() - started;
      await sleep(5);
    }
  };
  try {
    const healthzMs = await until('/healthz');
    const readyzMs = await until('/readyz');
    const cpuReady = cpuOf(pid);
    const rssReady = memoryOf(pid)?.rss ?? NaN;
    const threads = threadsOf(pid);
    await sleep(IDLE_MS);
    const rssIdle = memoryOf(pid)?.rss ?? NaN;
    const result: Start = { healthzMs, readyzMs, rssReady, rssIdle, cpuReady, threads };
    // Read last: scraping /metrics is itself work the idle figures must not include.
    const spaces = heap ? await heapSpaces(url) : null;
    return { result, spaces };
  } finally {
    await stop(child);
  }
}

/** V8's heap spaces (committed and used bytes) from prom-client's default metrics. */
async function heapSpaces(url: string): Promise<Map<string, { size: number; used: number }>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const spaces = new Map<string, { size: number; used: number }>();
  for (const [, kind, space, value] of text.matchAll(
    /^nodejs_heap_space_size_(total|used)_bytes\{space="([a-z_]+)"\} (\S+)$/gm,
  )) {
    const entry = spaces.get(space as string) ?? { size: 0, used: 0 };
    if (kind === 'total') entry.size = Number(value);
    else entry.used = Number(value);
    spaces.set(space as string, entry);
  }
  return spaces;
}

interface Series {
  label: string;
  cold: Start;
  warm: Start[];
  spaces: Map<string, { size: number; used: number }> | null;
  migrateMs: number | null;
}

async function series(
  label: string,
  database: () => string,
  cache: string,
  migrateMs: number | null,
): Promise<Series> {
  const starts: Start[] = [];
  let spaces: Series['spaces'] = null;
  for (let i = 0; i <= RUNS; i++) {
    const last = i === RUNS;
    const { result, spaces: s } = await start(database(), cache, last);
    if (s) spaces = s;
    starts.push(result);
    console.log(
      `[${label}] ${i === 0 ? 'cold cache' : `run ${i}`}: /healthz ${int(result.healthzMs)} ms, /readyz ${int(result.readyzMs)} ms, CPU ${fixed(result.cpuReady, 2)} s, RSS ${mibs(result.rssReady)} → ${mibs(result.rssIdle)} after ${args.idle} s idle`,
    );
  }
  const [cold, ...warm] = starts as [Start, ...Start[]];
  return { label, cold, warm, spaces, migrateMs };
}

const mibs = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/** Wall time of `node <script> --help`, in ms, each in a fresh process. */
function helpTimes(script: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < HELP_RUNS; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [script, '--help'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      encoding: 'utf8',
    });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${script} --help failed: ${r.stderr}`);
  }
  return times;
}

const dir = mkdtempSync(join(tmpdir(), 'quire-startup-'));
try {
  const cache = join(dir, 'compile-cache');
  const results: Series[] = [];
  let fresh = 0;
  results.push(
    await series(
      'empty',
      () => {
        const folder = join(dir, `empty-${fresh++}`);
        mkdirSync(folder);
        return `sqlite:${join(folder, 'quire.db')}`;
      },
      cache,
      null,
    ),
  );
  if (args.db) {
    // A copy (a reflink where the file system has them): the server migrates and writes.
    const copy = join(dir, basename(args.db));
    copyFileSync(args.db, copy, constants.COPYFILE_FICLONE);
    const databaseUrl = `sqlite:${copy}`;
    const t = performance.now();
    const migrated = spawnSync(process.execPath, [BIN, 'migrate'], {
      cwd: ROOT,
      env: env(databaseUrl, 0, cache),
      encoding: 'utf8',
    });
    if (migrated.status !== 0) throw new Error(`quire migrate failed: ${migrated.stderr}`);
    const migrateMs = performance.now() - t;
    // Its own cache, so that its first start is as cold as the empty database's.
    const own = join(dir, 'compile-cache-db');
    results.push(await series(basename(args.db), () => databaseUrl, own, migrateMs));
  }
  const help = {
    bin: helpTimes(BIN),
    main: helpTimes(join(ROOT, 'src', 'cli', 'main.ts')),
  };
  console.log(
    `quire --help: bin/quire.js median ${int(median(help.bin))} ms (max ${int(max(help.bin))}), src/cli/main.ts median ${int(median(help.main))} ms (max ${int(max(help.main))})`,
  );
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const section = report(results, help, load);
  console.log(`\n${section}`);
  if (!args['no-docs']) writeSection('startup', section);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function report(results: Series[], help: { bin: number[]; main: number[] }, load: string): string {
  const rows = results.flatMap((s) => {
    const w = s.warm;
    return [
      [
        `${s.label}, warm cache (${w.length} runs)`,
        `${int(median(w.map((r) => r.healthzMs)))} / ${int(max(w.map((r) => r.healthzMs)))}`,
        `${int(median(w.map((r) => r.readyzMs)))} / ${int(max(w.map((r) => r.readyzMs)))}`,
        fixed(median(w.map((r) => r.cpuReady)), 2),
        mibs(median(w.map((r) => r.rssReady))),
        mibs(median(w.map((r) => r.rssIdle))),
        String(median(w.map((r) => r.threads))),
        s.migrateMs === null ? '' : int(s.migrateMs),
      ],
      [
        `${s.label}, cold cache (first start)`,
        int(s.cold.healthzMs),
        int(s.cold.readyzMs),
        fixed(s.cold.cpuReady, 2),
        mibs(s.cold.rssReady),
        mibs(s.cold.rssIdle),
        String(s.cold.threads),
        '',
      ],
    ];
  });
  const spaces = results[0]?.spaces;
  const spaceRows = spaces
    ? [...spaces]
        .filter(([, v]) => v.size > 0)
        .map(([name, v]) => [name, mibs(v.size), mibs(v.used)])
    : [];
  return [
    `Measured ${today()} on ${describeMachine(machine())}; load average at the end ${load}.`,
    `\`npx node bench/startup.ts --runs ${RUNS} --idle ${args.idle}${args.db ? ' --db <file>' : ''}${args['node-options'] ? ` --node-options '${args['node-options']}'` : ''}\``,
    '',
    table(
      [
        'Database',
        'spawn to /healthz ms (median / max)',
        'spawn to /readyz ms (median / max)',
        'CPU s to ready',
        'RSS at ready',
        `RSS after ${args.idle} s idle`,
        'threads',
        'quire migrate ms',
      ],
      rows,
    ),
    '',
    `V8 heap of the last start on the empty database, after ${args.idle} s idle (from /metrics):`,
    '',
    table(['space', 'committed', 'used'], spaceRows),
    '',
    `\`quire --help\`, ${HELP_RUNS} runs: \`node bin/quire.js --help\` median ${int(median(help.bin))} ms (max ${int(max(help.bin))}); \`node src/cli/main.ts --help\` median ${int(median(help.main))} ms (max ${int(max(help.main))}).`,
  ].join('\n');
}
