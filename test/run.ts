/**
 * `npm test` after typecheck and lint: the whole suite once on SQLite and once on PostgreSQL
 * (a throwaway cluster from the local binaries), each with Node's test runner.
 *
 * QUIRE_TEST_DATABASES=sqlite (or postgres) narrows the run; extra arguments are passed to
 * `node --test` (e.g. a single file).
 */
import { spawn } from 'node:child_process';
import { findPgBin, type PgCluster, startPgCluster } from './helpers/pg-cluster.ts';
import { type Outcome, readTotals, summarize } from './run-summary.ts';

const wanted = (process.env.QUIRE_TEST_DATABASES ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim());
const files = process.argv.slice(2);
const targets = files.length > 0 ? files : ['test/**/*.test.ts'];

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
    child.on('close', (code) => resolve({ database, code, totals: readTotals(out) }));
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
      outcomes.push({
        database: 'postgres',
        code: 1,
        totals: undefined,
        note: 'PostgreSQL binaries are missing',
      });
    } else {
      cluster = await startPgCluster();
      outcomes.push(await runSuite('postgres', { QUIRE_TEST_PG_URL: cluster.url }));
    }
  }
} finally {
  cleanup();
}

console.log('\n=== Summary ===');
const { lines, exitCode } = summarize(outcomes);
for (const line of lines) console.log(line);
process.exit(exitCode);
