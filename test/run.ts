/**
 * `npm test` after typecheck and lint: the whole suite once on SQLite and once on PostgreSQL
 * (a throwaway cluster from the local binaries), each with Node's test runner.
 *
 * QUIRE_TEST_DATABASES=sqlite (or postgres) narrows the run; extra arguments are passed to
 * `node --test` (e.g. a single file).
 */
import { spawn } from 'node:child_process';
import { findPgBin, type PgCluster, startPgCluster } from './helpers/pg-cluster.ts';

const wanted = (process.env.QUIRE_TEST_DATABASES ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim());
const files = process.argv.slice(2);
const targets = files.length > 0 ? files : ['test/**/*.test.ts'];

interface Outcome {
  database: string;
  code: number;
  pass: number;
  fail: number;
  skipped: number;
}

function runSuite(database: string, env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    console.log(`\n=== Tests on ${database} ===\n`);
    const child = spawn(
      process.execPath,
      [
        '--test',
        '--test-concurrency=2',
        '--test-timeout=120000',
        '--test-reporter=spec',
        ...targets,
      ],
      {
        env: { ...process.env, ...env, QUIRE_TEST_DB: database },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) => {
      const count = (label: string) => Number(new RegExp(`ℹ ${label} (\\d+)`).exec(out)?.[1] ?? 0);
      resolve({
        database,
        code: code ?? 1,
        pass: count('pass'),
        fail: count('fail'),
        skipped: count('skipped'),
      });
    });
  });
}

const outcomes: Outcome[] = [];
let cluster: PgCluster | undefined;
const cleanup = () => cluster?.stop();
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

try {
  if (wanted.includes('sqlite')) outcomes.push(await runSuite('sqlite', {}));
  if (wanted.includes('postgres')) {
    if (!findPgBin()) {
      console.error(
        '\nPostgreSQL binaries are missing: install Debian\'s "postgresql" package (.ci/run does),',
      );
      console.error('or run only SQLite with QUIRE_TEST_DATABASES=sqlite npm test.');
      outcomes.push({ database: 'postgres', code: 1, pass: 0, fail: 1, skipped: 0 });
    } else {
      cluster = await startPgCluster();
      outcomes.push(await runSuite('postgres', { QUIRE_TEST_PG_URL: cluster.url }));
    }
  }
} finally {
  cleanup();
}

console.log('\n=== Summary ===');
for (const o of outcomes) {
  console.log(
    `${o.database.padEnd(9)} ${o.pass} passed, ${o.fail} failed, ${o.skipped} skipped (exit ${o.code})`,
  );
}
const pass = outcomes.reduce((n, o) => n + o.pass, 0);
const fail = outcomes.reduce((n, o) => n + o.fail, 0);
console.log(`${pass} passed, ${fail} failed`);
process.exit(outcomes.every((o) => o.code === 0) && fail === 0 ? 0 : 1);
