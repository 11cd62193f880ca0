/**
 * Load test of one author's RSS feed (12 full articles, already cached) on Quire, next to a bare
 * node:http server that answers with the same bytes and headers: how close Quire comes to the
 * cost of just writing the response. `--target profile` loads the author's profile page instead
 * (the same 12 articles, as a visitor without a session gets it from the page cache).
 * Run: `npx node bench/feed.ts [--duration 10] [--target feed|profile]`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import {
  ROOT,
  cpuSeconds,
  describeMachine,
  fixed,
  forkScript,
  int,
  machine,
  machineSeconds,
  stopChild,
  table,
  today,
  writeSection,
} from './common.ts';
import type { Ready, Variant, Variants } from './feed-server.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    target: { type: 'string', default: 'feed' },
    'no-docs': { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
for (const [name, v] of Object.entries({ DURATION, WARMUP, CONNECTIONS, ROUNDS })) {
  if (!Number.isInteger(v) || v < (name === 'WARMUP' ? 0 : 1))
    throw new Error(`--${name.toLowerCase()} must be a whole number`);
}

const AUTHOR = 'bench';
const ARTICLES = 12;
/** What is loaded: its path, its section of docs/benchmarks.md, and how that section names it. */
const TARGETS = {
  feed: {
    path: `/feed/${AUTHOR}`,
    section: 'feed',
    heading: 'Feed under load',
    what: `the RSS feed of one author with ${ARTICLES} full articles`,
  },
  profile: {
    path: `/${AUTHOR}`,
    section: 'page',
    heading: 'A page under load',
    what: `the profile page of one author listing ${ARTICLES} articles, for a visitor without a session`,
  },
} as const;
if (args.target !== 'feed' && args.target !== 'profile')
  throw new Error('--target must be feed or profile');
const TARGET = TARGETS[args.target];
const PATH = TARGET.path;
/** Headers a server adds by itself per connection or per second, not part of the answer. */
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Captured {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One GET with node:http, which (unlike fetch) hands back the body exactly as sent. */
function get(url: string, headers: Record<string, string> = {}): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const req = request(url + PATH, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const kept: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (!OWN_HEADERS.has(k) && v !== undefined) kept[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        resolve({ status: res.statusCode ?? 0, headers: kept, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Same status, body and headers, except the request id that Quire makes per request. */
function sameAnswer(a: Captured, b: Captured): boolean {
  const strip = (h: Record<string, string>) =>
    JSON.stringify(
      Object.entries(h)
        .filter(([k]) => k !== 'x-request-id')
        .sort(([x], [y]) => x.localeCompare(y)),
    );
  return a.status === b.status && a.body.equals(b.body) && strip(a.headers) === strip(b.headers);
}

interface Target {
  name: string;
  url: string;
  child: ChildProcess;
}

interface Scenario {
  name: string;
  headers: Record<string, string>;
  expect: number;
  rounds: number;
}

interface Run {
  scenario: string;
  target: string;
  round: number;
  result: Result;
  /** Share of one core the server used during the measured run. */
  serverCpu: number | null;
  /** CPU time the server spent per answered request, in microseconds. */
  serverCpuPerRequest: number | null;
  loadCpu: number;
  /** Cores' worth of CPU used by everything else on the machine meanwhile. */
  otherCpu: number | null;
  /** Cores' worth of CPU the hypervisor held back meanwhile. */
  stealCpu: number | null;
}

async function measure(target: Target, scenario: Scenario, seconds: number) {
  const cpu0 = cpuSeconds(target.child.pid);
  const machine0 = machineSeconds();
  const self0 = process.cpuUsage();
  const started = performance.now();
  const result = await autocannon({
    url: target.url + PATH,
    connections: CONNECTIONS,
    duration: seconds,
    headers: scenario.headers,
  });
  const wall = (performance.now() - started) / 1000;
  const cpu1 = cpuSeconds(target.child.pid);
  const machine1 = machineSeconds();
  const self = process.cpuUsage(self0);
  const used = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  const load = (self.user + self.system) / 1e6;
  return {
    otherCpu:
      machine0 === null || machine1 === null || used === null
        ? null
        : Math.max(0, machine1.busy - machine0.busy - used - load) / wall,
    stealCpu:
      machine0 === null || machine1 === null ? null : (machine1.steal - machine0.steal) / wall,
    result,
    serverCpu: used === null ? null : used / wall,
    serverCpuPerRequest:
      used === null || !result.requests.total ? null : (used / result.requests.total) * 1e6,
    loadCpu: load / wall,
  };
}

const unexpected = (r: Result, expect: number) =>
  Object.entries(r.statusCodeStats)
    .filter(([code]) => Number(code) !== expect)
    .reduce((n, [, s]) => n + s.count, 0);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);

async function main() {
  const host = machine();
  console.log(`Machine: ${describeMachine(host)}`);
  const autocannonVersion = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-feed-'));
  const database = `sqlite:${join(dir, 'quire.db')}`;
  const children: ChildProcess[] = [];
  const runs: Run[] = [];
  const logs: Record<string, string> = {};

  const quire = async (level: string, seed: boolean): Promise<Target> => {
    const log = join(dir, `quire-${level}.log`);
    const fd = openSync(log, 'w');
    const extra = seed ? ['--seed', AUTHOR, '--articles', String(ARTICLES)] : [];
    try {
      const { child, message } = await forkScript<Ready>(
        'feed-server.ts',
        ['--mode', 'quire', '--database', database, '--log-level', level, ...extra],
        { stdout: fd, timeoutMs: 120_000 },
      );
      children.push(child);
      logs[level] = log;
      return { name: `Quire, LOG_LEVEL=${level}`, url: message.url, child };
    } finally {
      closeSync(fd);
    }
  };

  const runsPlanned = 3 * (ROUNDS + 2);
  const budgetMs = (runsPlanned * DURATION + 9 * WARMUP + 180) * 1000;
  const watchdog = setTimeout(() => {
    console.error(`bench/feed.ts: still running after ${budgetMs / 1000} s; giving up`);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  }, budgetMs);

  try {
    console.log(`Seeding ${ARTICLES} articles and starting Quire (logs in ${dir})...`);
    const info = await quire('info', true);
    const warn = await quire('warn', false);

    // Warm: the first request builds and compresses the feed; later ones are served from cache.
    await get(info.url);
    await get(warn.url);
    const identity = await get(info.url);
    const br = await get(info.url, { 'accept-encoding': 'br' });
    const etag = identity.headers.etag ?? '';
    const notModified = await get(info.url, { 'if-none-match': etag });
    if (identity.status !== 200 || br.status !== 200 || notModified.status !== 304 || !etag)
      throw new Error(
        `unexpected answers from Quire: ${identity.status}, ${br.status}, ${notModified.status}`,
      );
    if (br.headers['content-encoding'] !== 'br')
      throw new Error('Quire did not answer accept-encoding: br with brotli');

    const save = (name: string, c: Captured): Variant => {
      if (c.body.length > 0) writeFileSync(join(dir, name), c.body);
      return { status: c.status, headers: c.headers, body: c.body.length > 0 ? name : null };
    };
    const variants: Variants = {
      identity: save('identity.body', identity),
      br: save('br.body', br),
      notModified: save('not-modified.body', notModified),
    };
    writeFileSync(join(dir, 'variants.json'), JSON.stringify(variants, null, 2));
    const bareChild = await forkScript<Ready>('feed-server.ts', ['--mode', 'bare', '--dir', dir], {
      timeoutMs: 30_000,
    });
    children.push(bareChild.child);
    const bare: Target = {
      name: 'bare node:http',
      url: bareChild.message.url,
      child: bareChild.child,
    };
    const targets = [bare, info, warn];

    const scenarios: Scenario[] = [
      { name: '200, no compression', headers: {}, expect: 200, rounds: ROUNDS },
      {
        name: '200, accept-encoding: br',
        headers: { 'accept-encoding': 'br' },
        expect: 200,
        rounds: 1,
      },
      { name: '304, If-None-Match', headers: { 'if-none-match': etag }, expect: 304, rounds: 1 },
    ];

    // Every server must give the same answer before any of them is timed.
    for (const s of scenarios) {
      const expected = await get(info.url, s.headers);
      for (const t of targets) {
        if (!sameAnswer(expected, await get(t.url, s.headers)))
          throw new Error(`${t.name} does not answer "${s.name}" like Quire does`);
      }
    }
    console.log(
      `${PATH}: ${int(identity.body.length)} bytes, ${int(br.body.length)} bytes as br; all servers answer alike.`,
    );

    for (const s of scenarios) {
      for (let round = 1; round <= s.rounds; round++) {
        for (const t of targets) {
          if (round === 1 && WARMUP > 0) await measure(t, s, WARMUP);
          const m = await measure(t, s, DURATION);
          runs.push({ scenario: s.name, target: t.name, round, ...m });
          const r = m.result;
          console.log(
            `${s.name} | ${t.name} | round ${round}: ${int(r.requests.mean)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors + r.timeouts}, unexpected ${unexpected(r, s.expect)}, server CPU ${pct(m.serverCpu)}, load generator CPU ${pct(m.loadCpu)}, rest of machine ${pct(m.otherCpu)}, steal ${pct(m.stealCpu)}`,
          );
        }
      }
    }

    const logLines = Object.fromEntries(
      Object.entries(logs).map(([level, file]) => {
        const text = readFileSync(file, 'utf8');
        return [level, { lines: text.split('\n').length - 1, bytes: Buffer.byteLength(text) }];
      }),
    );

    const rows: string[][] = [];
    const verdicts: string[] = [];
    const loadBound: string[] = [];
    for (const s of scenarios) {
      const of = (t: Target) => runs.filter((r) => r.scenario === s.name && r.target === t.name);
      const rateOf = (t: Target) => mean(of(t).map((r) => r.result.requests.mean));
      const costOf = (t: Target) => {
        const costs = of(t).map((r) => r.serverCpuPerRequest);
        return costs.every((c) => c !== null) ? mean(costs) : null;
      };
      const bareRate = rateOf(bare);
      const bareCost = costOf(bare);
      for (const t of targets) {
        const mine = of(t);
        const rate = rateOf(t);
        const cost = costOf(t);
        const sum = (f: (r: Run) => number) => mine.reduce((n, r) => n + f(r), 0);
        if (t !== bare) {
          const level = t.name.replace(/^.*=/, '');
          const byCpu =
            cost === null || bareCost === null ? '' : `, ${pct(bareCost / cost)} by CPU`;
          verdicts.push(`${s.name}, ${level}: ${pct(rate / bareRate)} by req/s${byCpu}`);
        }
        if (mine.some((r) => r.serverCpu !== null && r.serverCpu < 0.9))
          loadBound.push(`${s.name} (${t.name})`);
        rows.push([
          s.name,
          t.name,
          int(rate),
          t === bare ? '1.00' : fixed(rate / bareRate, 2),
          fixed(mean(mine.map((r) => r.result.latency.p50))),
          fixed(mean(mine.map((r) => r.result.latency.p99))),
          int(mean(mine.map((r) => r.result.throughput.mean)) / 1024 ** 2),
          `${sum((r) => r.result.errors + r.result.timeouts)} / ${sum((r) => unexpected(r.result, s.expect))}`,
          mine.every((r) => r.serverCpu !== null)
            ? pct(mean(mine.map((r) => r.serverCpu ?? 0)))
            : '–',
          cost === null ? '–' : int(cost),
          cost === null || bareCost === null ? '–' : fixed(cost / bareCost, 2),
        ]);
      }
    }
    const summary = table(
      [
        'Request',
        'Server',
        'req/s',
        'req/s vs bare',
        'p50 ms',
        'p99 ms',
        'MiB/s',
        'errors / unexpected status',
        'server CPU',
        'server CPU µs/req',
        'CPU/req vs bare',
      ],
      rows,
    );
    const detail = table(
      [
        '#',
        'Request',
        'Server',
        'round',
        'req/s',
        'p50 ms',
        'p99 ms',
        'server CPU',
        'server CPU µs/req',
        'load generator CPU',
        'rest of machine CPU',
        'steal',
      ],
      runs.map((r, i) => [
        String(i + 1),
        r.scenario,
        r.target,
        String(r.round),
        int(r.result.requests.mean),
        String(r.result.latency.p50),
        String(r.result.latency.p99),
        pct(r.serverCpu),
        r.serverCpuPerRequest === null ? '–' : int(r.serverCpuPerRequest),
        pct(r.loadCpu),
        pct(r.otherCpu),
        pct(r.stealCpu),
      ]),
    );
    console.log(`\n${summary}\n`);
    const infoLog = logLines.info;
    const warnLog = logLines.warn;
    const busiest = Math.max(0, ...runs.map((r) => (r.otherCpu ?? 0) + (r.stealCpu ?? 0)));
    const section = [
      `## ${TARGET.heading}`,
      '',
      `Run on ${today()}: ${describeMachine(host)}; autocannon ${autocannonVersion}.`,
      '',
      '```sh',
      `npx node bench/feed.ts --duration ${DURATION} --warmup ${WARMUP} --connections ${CONNECTIONS} --rounds ${ROUNDS}${TARGET.section === 'feed' ? '' : ` --target ${args.target}`}`,
      '```',
      '',
      `\`GET ${PATH}\`: ${TARGET.what} (${int(identity.body.length)} bytes; ${int(br.body.length)} bytes as br), already built and cached. ` +
        `${CONNECTIONS} connections, ${DURATION} s per run after a ${WARMUP} s warm-up run per server and request kind; ` +
        `the no-compression rows are means of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}, each running bare, info, warn in turn; the other rows are one round.`,
      '',
      summary,
      '',
      `Target: Quire at least 90% of bare req/s. Measured, Quire as a share of bare (by CPU: bare's CPU per request ÷ Quire's, ` +
        `the share Quire would reach if both servers were the bottleneck): ${verdicts.join('; ')}.`,
      '',
      ...(busiest > 0.2
        ? [
            `Other work on this machine, or the hypervisor, took up to ${pct(busiest)} of a core during some runs (last columns of the table below); ` +
              'expect more noise than on an idle machine.',
            '',
          ]
        : []),
      ...(loadBound.length > 0
        ? [
            `The server used less than 90% of a core in some runs of: ${loadBound.join('; ')}. There the server was not the bottleneck ` +
              '(autocannon, one thread on the same two cores, or other work was), so req/s says little about the server; compare CPU per request.',
            '',
          ]
        : []),
      `Quire's logs went to a file: ${infoLog ? int(infoLog.lines) : '?'} lines (${infoLog ? fixed(infoLog.bytes / 1024 ** 2) : '?'} MiB) at info, ${warnLog ? int(warnLog.lines) : '?'} at warn, warm-ups included.`,
      '',
      '<details><summary>Every run, in order</summary>',
      '',
      detail,
      '',
      '</details>',
    ].join('\n');
    if (!args['no-docs']) {
      writeSection(TARGET.section, section);
      console.log('Results written to docs/benchmarks.md');
    }
  } finally {
    clearTimeout(watchdog);
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
