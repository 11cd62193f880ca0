/** The runner's closing summary: cancelled tests and broken runs count as failed. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readTotals, summarize, type Totals } from './run-summary.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs `node test/run.ts <files>` on SQLite only, as `npm run test:only` would. */
function runRunner(files: string[]): Promise<{ code: number | null; stdout: string }> {
  // Without this the runner's own `node --test` would report to us in the test runner's
  // private protocol instead of printing its spec output.
  const { NODE_TEST_CONTEXT: _inherited, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['test/run.ts', ...files], {
      cwd: ROOT,
      env: { ...env, QUIRE_TEST_DATABASES: 'sqlite' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

test('a run with a failed and a timed-out test says 2 failed, 1 cancelled, and exits 1', async () => {
  const r = await runRunner(['test/fixtures/runner/mixed.ts']);
  const summary = r.stdout.slice(r.stdout.indexOf('=== Summary ==='));
  assert.match(
    summary,
    /^sqlite +1 passed, 2 failed \(1 cancelled\), 1 skipped, 1 todo \(exit 1\)$/m,
  );
  assert.match(summary, /\n1 passed, 2 failed, 1 skipped\n*$/, 'the closing line');
  assert.equal(r.code, 1);
});

const totals = (over: Partial<Totals> = {}): Totals => ({
  pass: 10,
  fail: 0,
  cancelled: 0,
  skipped: 2,
  todo: 0,
  ...over,
});

test('readTotals reads the last block of the spec reporter, and nothing from a cut-short run', () => {
  const output = [
    '✔ a test named ℹ pass 99 (1ms)',
    'ℹ tests 14',
    'ℹ suites 2',
    'ℹ pass 10',
    'ℹ fail 1',
    'ℹ cancelled 3',
    'ℹ skipped 2',
    'ℹ todo 0',
    'ℹ duration_ms 12.5',
  ].join('\n');
  assert.deepEqual(readTotals(output), totals({ fail: 1, cancelled: 3 }));
  assert.deepEqual(
    readTotals(`\u001b[34mℹ pass 3\u001b[39m\n${output}`),
    totals({ fail: 1, cancelled: 3 }),
  );
  assert.equal(readTotals('▶ postgres suite\n✔ first (2ms)\n'), undefined);
  assert.equal(
    readTotals('ℹ pass 4\nℹ fail 0\n'),
    undefined,
    'a block missing its cancelled count',
  );
});

test('summarize fails the run for cancelled tests, a non-zero exit, or missing totals', () => {
  const clean = summarize([{ database: 'sqlite', code: 0, totals: totals() }]);
  assert.equal(clean.exitCode, 0);
  assert.equal(clean.lines.at(-1), '10 passed, 0 failed, 2 skipped');

  const cancelled = summarize([
    { database: 'sqlite', code: 0, totals: totals() },
    { database: 'postgres', code: 1, totals: totals({ pass: 4, cancelled: 6 }) },
  ]);
  assert.equal(cancelled.exitCode, 1);
  assert.equal(
    cancelled.lines[1],
    'postgres  4 passed, 6 failed (6 cancelled), 2 skipped (exit 1)',
  );
  assert.equal(cancelled.lines.at(-1), '14 passed, 6 failed, 4 skipped');

  const crashed = summarize([{ database: 'postgres', code: 1, totals: totals() }]);
  assert.equal(crashed.exitCode, 1);
  assert.match(crashed.lines[0] ?? '', /exit 1 with no failed test, counted as failed/);
  assert.equal(crashed.lines.at(-1), '10 passed, 1 failed, 2 skipped');

  const unread = summarize([{ database: 'postgres', code: 0, totals: undefined }]);
  assert.equal(unread.exitCode, 1);
  assert.equal(unread.lines.at(-1), '0 passed, 1 failed, 0 skipped');

  const killed = summarize([{ database: 'postgres', code: null, totals: undefined }]);
  assert.equal(killed.exitCode, 1);
  assert.match(killed.lines[0] ?? '', /exit by signal; no totals in the output/);

  assert.equal(summarize([]).exitCode, 1, 'no database run at all');
});
