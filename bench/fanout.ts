/**
 * A publish by an author with 100,000 followers: `quire serve` in a child process on a throwaway
 * SQLite file (and with --postgres a throwaway PostgreSQL cluster, fsync on). Measures the
 * author's publish against the same publish by an author nobody follows, the time until the
 * fan-out has reached every follower, other users' publishes and a page read while it runs, and
 * the server's event-loop delay meanwhile. Run: `npm run bench:fanout` (`--help` for options).
 */
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { type AppContext, openContext } from '../src/context.ts';
import { createApiKey } from '../src/modules/apikeys/apikeys.service.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { freePort } from '../test/helpers/net.ts';
import { findPgBin, type PgCluster, startPgCluster } from '../test/helpers/pg-cluster.ts';
import {
  describeMachine,
  fixed,
  int,
  machine,
  quireEnv,
  table,
  today,
  writeSection,
} from './common.ts';
import { publishedMarkdown } from './content.ts';
import {
  hit,
  type LoopDelay,
  loopDelay,
  type QuireServer,
  startQuire,
  stopQuire,
} from './scale-http.ts';

const { values: args } = parseArgs({
  options: {
    followers: { type: 'string', default: '100000' },
    publishes: { type: 'string', default: '5' },
    quiet: { type: 'string', default: '30' },
    batch: { type: 'string' },
    postgres: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npx node bench/fanout.ts [options]
  --followers N   followers of the famous author (100000)
  --publishes N   publishes by the famous author, each spread to all before the next (5)
  --quiet N       publishes by an author nobody follows, and page reads, with nothing spreading (30)
  --batch N       QUIRE_FANOUT_BATCH for the server (its default, 100, unless given)
  --postgres      the same again on a throwaway PostgreSQL cluster (fsync on)
  --no-docs       leave docs/benchmarks.md alone`);
  process.exit(0);
}
const FOLLOWERS = Number(args.followers);
const PUBLISHES = Number(args.publishes);
const QUIET = Number(args.quiet);
if (!Number.isInteger(FOLLOWERS) || FOLLOWERS < 1) throw new Error('--followers: a count');
if (!Number.isInteger(PUBLISHES) || PUBLISHES < 1) throw new Error('--publishes: a count');
if (!Number.isInteger(QUIET) || QUIET < 1) throw new Error('--quiet: a count');
const SECRET = 'bench-fanout-secret-0123456789abcdef0123456789';
const TIMEOUT_MS = 60_000;
/** A fan-out slower than this is reported as not finished. */
const FANOUT_LIMIT_MS = 300_000;

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Key {
  id: number;
  key: string;
}

interface Setup {
  star: Key;
  loner: Key;
  others: Key[];
}

/** The authors through the services; the followers and their follows straight into the tables. */
async function seed(env: Record<string, string>): Promise<Setup> {
  const ctx = await openContext(loadConfig(env), {
    migrate: true,
    logger: pino({ level: 'warn' }),
  });
  try {
    const account = async (username: string): Promise<Key> => {
      const user = await createAccount(ctx, {
        username,
        email: `${username}@example.com`,
        password: 'correct horse battery staple',
      });
      return { id: user.id, key: (await createApiKey(ctx, user, 'bench')).key };
    };
    const star = await account('star');
    const loner = await account('loner');
    const others = [await account('other_a'), await account('other_b')];
    const stamp = new Date().toISOString();
    const db = ctx.database.db;
    const STEP = 1000;
    for (let i = 0; i < FOLLOWERS; i += STEP) {
      await ctx.database.transaction(async (tx) => {
        const rows = [];
        for (let n = i; n < Math.min(i + STEP, FOLLOWERS); n++)
          rows.push({
            username: `fan_${n}`,
            name: `Fan ${n}`,
            email: `fan_${n}@example.com`,
            password_hash: 'x',
            role: 'user' as const,
            created_at: stamp,
            updated_at: stamp,
            following_users_count: 1,
          });
        const ids = await tx.db.insertInto('users').values(rows).returning('id').execute();
        await tx.db
          .insertInto('follows')
          .values(
            ids.map(({ id }) => ({
              follower_id: id,
              followable_type: 'User' as const,
              followable_id: star.id,
              created_at: stamp,
            })),
          )
          .execute();
      });
    }
    await db
      .updateTable('users')
      .set({ followers_count: FOLLOWERS })
      .where('id', '=', star.id)
      .execute();
    return { star, loner, others };
  } finally {
    await ctx.database.close();
  }
}

let sequence = 0;

async function publish(
  server: QuireServer,
  author: Key,
  agent: Agent,
): Promise<{ ms: number; id: number }> {
  const n = sequence++;
  const answer = await hit(`${server.url}/api/articles`, {
    method: 'POST',
    timeoutMs: TIMEOUT_MS,
    agent,
    headers: { 'content-type': 'application/json', 'api-key': author.key },
    body: JSON.stringify({
      article: {
        title: `Fan-out notes ${n}`,
        body_markdown: publishedMarkdown(n % 64),
        published: true,
      },
    }),
  });
  if (answer.status !== 201)
    throw new Error(`publish answered ${answer.status}: ${answer.body.toString()}`);
  return { ms: answer.ms, id: (JSON.parse(answer.body.toString()) as { id: number }).id };
}

async function read(server: QuireServer, agent: Agent): Promise<number> {
  const answer = await hit(`${server.url}/`, { timeoutMs: TIMEOUT_MS, agent });
  if (answer.status !== 200) throw new Error(`GET / answered ${answer.status}`);
  return answer.ms;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
};

interface Mix {
  publishes: number[];
  reads: number[];
}

/** Other users publishing and a reader reading the home page, one after the other, until told. */
async function mix(server: QuireServer, others: Key[], until: () => boolean, rounds = Infinity) {
  const out: Mix = { publishes: [], reads: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < rounds && !until(); i++) {
      out.publishes.push((await publish(server, others[i % others.length] as Key, agent)).ms);
      out.reads.push(await read(server, agent));
      // A person's pace rather than a load test: the point is what one request waits.
      await sleep(50);
    }
  } finally {
    agent.destroy();
  }
  return out;
}

interface Result {
  database: string;
  loner: number[];
  star: number[];
  /** Per publish of the famous author: ms until its fan-out had reached every follower. */
  spread: Array<number | null>;
  quietMix: Mix;
  busyMix: Mix;
  quietLoop: LoopDelay | null;
  busyLoops: Array<LoopDelay | null>;
}

async function fanoutLeft(ctx: AppContext, articleId: number): Promise<boolean> {
  const row = await ctx.database.db
    .selectFrom('fanouts')
    .select('id')
    .where('article_id', '=', articleId)
    .where('finished_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

async function notified(ctx: AppContext, articleId: number): Promise<number> {
  const row = await ctx.database.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('article_id', '=', articleId)
    .where('kind', '=', 'article')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function runDatabase(database: string, url: string, dir: string): Promise<Result> {
  const port = await freePort();
  const env = quireEnv({
    databaseUrl: url,
    port,
    secret: SECRET,
    logLevel: 'info',
    baseUrl: `http://127.0.0.1:${port}`,
    loadFromOneAddress: { requestTimeoutSeconds: TIMEOUT_MS / 1000 },
    more: args.batch ? { QUIRE_FANOUT_BATCH: args.batch } : {},
  });
  const seeded = performance.now();
  const setup = await seed(env);
  log(
    `${database}: ${int(FOLLOWERS)} followers seeded in ${fixed((performance.now() - seeded) / 1000)} s`,
  );
  const fd = openSync(join(dir, `quire-${database}.log`), 'a');
  let server: QuireServer | null = null;
  const watcher = await openContext(loadConfig(env));
  try {
    server = await startQuire(env, fd, 120_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // Warm-up: the first publishes and reads load code and fill caches.
    await mix(server, setup.others, () => false, 5);
    for (let i = 0; i < 3; i++) await publish(server, setup.loner, agent);

    await loopDelay(server.url);
    const quietMix = await mix(server, setup.others, () => false, QUIET);
    const quietLoop = await loopDelay(server.url);
    const loner: number[] = [];
    for (let i = 0; i < QUIET; i++) loner.push((await publish(server, setup.loner, agent)).ms);
    log(`${database}: quiet: loner publish p50 ${fixed(quantile(loner, 0.5))} ms`);

    const star: number[] = [];
    const spread: Array<number | null> = [];
    const busyLoops: Array<LoopDelay | null> = [];
    const busyMix: Mix = { publishes: [], reads: [] };
    for (let i = 0; i < PUBLISHES; i++) {
      await loopDelay(server.url);
      const started = performance.now();
      const { ms, id } = await publish(server, setup.star, agent);
      star.push(ms);
      let done = false;
      const running = mix(server, setup.others, () => done);
      let took: number | null = null;
      // Done when its fan-out row is gone (created by the consumer, deleted by the last batch).
      let seen = false;
      while (performance.now() - started < FANOUT_LIMIT_MS) {
        const left = await fanoutLeft(watcher, id);
        if (left) seen = true;
        else if (seen || (await notified(watcher, id)) >= FOLLOWERS) {
          took = performance.now() - started;
          break;
        }
        await sleep(100);
      }
      done = true;
      const busy = await running;
      busyMix.publishes.push(...busy.publishes);
      busyMix.reads.push(...busy.reads);
      busyLoops.push(await loopDelay(server.url));
      spread.push(took);
      const count = await notified(watcher, id);
      log(
        `${database}: star publish ${i + 1}: ${fixed(ms)} ms; every follower notified after ${took === null ? 'NOT FINISHED' : `${fixed(took / 1000)} s`} (${int(count)} notifications); meanwhile ${busy.publishes.length} other publishes p50 ${fixed(quantile(busy.publishes, 0.5))} ms`,
      );
      if (took !== null && count !== FOLLOWERS)
        throw new Error(`${database}: ${count} notifications for ${FOLLOWERS} followers`);
    }
    agent.destroy();
    return { database, loner, star, spread, quietMix, busyMix, quietLoop, busyLoops };
  } finally {
    await watcher.database.close();
    if (server) await stopQuire(server);
    closeSync(fd);
  }
}

const f = (n: number) => (Number.isFinite(n) ? fixed(n) : '–');

function report(results: Result[], host: string, command: string): string {
  const rows: string[][] = [];
  for (const r of results) {
    const db = r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const line = (what: string, values: number[]) => [
      db,
      what,
      String(values.length),
      f(quantile(values, 0.5)),
      f(quantile(values, 0.99)),
      f(Math.max(...values)),
    ];
    rows.push(line('publish, author with no followers (quiet)', r.loner));
    rows.push(line(`publish, author with ${int(FOLLOWERS)} followers`, r.star));
    rows.push(line('other users: publish (quiet)', r.quietMix.publishes));
    rows.push(line('other users: publish during the fan-out', r.busyMix.publishes));
    rows.push(line('home page read (quiet)', r.quietMix.reads));
    rows.push(line('home page read during the fan-out', r.busyMix.reads));
  }
  const spreads = results.map((r) => {
    const db = r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const times = r.spread.map((t) => (t === null ? 'not finished' : `${fixed(t / 1000)} s`));
    const finished = r.spread.filter((t): t is number => t !== null);
    const loops = r.busyLoops.filter((l): l is LoopDelay => l !== null);
    return [
      db,
      times.join(', '),
      finished.length === r.spread.length ? int(FOLLOWERS / (Math.max(...finished) / 1000)) : '–',
      r.quietLoop ? `${f(r.quietLoop.p99)} / ${f(r.quietLoop.max)}` : '–',
      loops.length
        ? `${f(Math.max(...loops.map((l) => l.p99)))} / ${f(Math.max(...loops.map((l) => l.max)))}`
        : '–',
      finished.length === r.spread.length && Math.max(...finished) <= 60_000 ? 'yes' : 'no',
    ];
  });
  return [
    `Measured ${today()} on ${host}, load average before the run ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, with \`${command}\`.`,
    '',
    table(['database', 'request', 'n', 'p50 ms', 'p99 ms', 'max ms'], rows),
    '',
    table(
      [
        'database',
        `until all ${int(FOLLOWERS)} are notified, each publish`,
        'followers/s (slowest)',
        'event-loop delay p99 / max ms, quiet',
        'p99 / max ms, during the fan-outs (worst)',
        '≤ 60 s',
      ],
      spreads,
    ),
  ].join('\n');
}

async function main() {
  const host = describeMachine(machine());
  log(`Machine: ${host}`);
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-fanout-'));
  let cluster: PgCluster | null = null;
  const budgetMs = (args.postgres ? 2 : 1) * (PUBLISHES * FANOUT_LIMIT_MS + 300_000);
  const watchdog = setTimeout(() => {
    console.error(`bench/fanout.ts: still running after ${budgetMs / 1000} s; giving up`);
    cluster?.stop();
    process.exit(1);
  }, budgetMs);
  const results: Result[] = [];
  try {
    results.push(await runDatabase('sqlite', `sqlite:${join(dir, 'quire.db')}`, dir));
    if (args.postgres) {
      if (findPgBin()) {
        log('postgres: starting a throwaway cluster (fsync on)');
        cluster = await startPgCluster({ fsync: true });
        results.push(await runDatabase('postgres', cluster.url, dir));
      } else log('postgres: skipped (no PostgreSQL binaries)');
    }
    const command = [
      'npx node bench/fanout.ts',
      `--followers ${FOLLOWERS} --publishes ${PUBLISHES} --quiet ${QUIET}`,
      ...(args.batch ? [`--batch ${args.batch}`] : []),
      ...(args.postgres ? ['--postgres'] : []),
    ].join(' ');
    const section = report(results, host, command);
    console.log(`\n${section}\n`);
    if (!args['no-docs']) {
      writeSection('fanout', section);
      log('Results written to docs/benchmarks.md');
    }
  } finally {
    clearTimeout(watchdog);
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
