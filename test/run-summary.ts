/**
 * The closing summary of `test/run.ts`: the totals node:test's spec reporter prints for each
 * database run, and the exit code. A cancelled test (one that timed out, or whose file ended
 * before it did) counts as failed, and so does a run whose totals cannot be read.
 */
import { stripVTControlCharacters } from 'node:util';

/** The spec reporter's closing counts ("ℹ pass 12", "ℹ cancelled 1", ...). */
export interface Totals {
  pass: number;
  fail: number;
  cancelled: number;
  skipped: number;
  todo: number;
}

export interface Outcome {
  database: string;
  /** The child's exit code; null when a signal ended it. */
  code: number | null;
  /** undefined when the output has no totals (the run was cut short, or never started). */
  totals: Totals | undefined;
  /** Why the run did not happen, when it did not. */
  note?: string;
}

/** The last totals block in the output, or undefined when any of its counts is missing. */
export function readTotals(output: string): Totals | undefined {
  const text = stripVTControlCharacters(output);
  const read = (label: string) => {
    const last = [...text.matchAll(new RegExp(`^ℹ ${label} (\\d+)\\s*$`, 'gm'))].at(-1);
    return last ? Number(last[1]) : undefined;
  };
  const [pass, fail, cancelled, skipped, todo] = [
    'pass',
    'fail',
    'cancelled',
    'skipped',
    'todo',
  ].map(read);
  if (
    pass === undefined ||
    fail === undefined ||
    cancelled === undefined ||
    skipped === undefined ||
    todo === undefined
  )
    return undefined;
  return { pass, fail, cancelled, skipped, todo };
}

/** Failed tests of one run: failed and cancelled, and at least one when the run itself failed. */
function failedIn(o: Outcome): { failed: number; why: string } {
  const counted = o.totals ? o.totals.fail + o.totals.cancelled : 0;
  if (o.totals === undefined)
    return { failed: Math.max(counted, 1), why: o.note ?? 'no totals in the output' };
  if (o.code !== 0 && counted === 0)
    return { failed: 1, why: `exit ${String(o.code)} with no failed test` };
  return { failed: counted, why: '' };
}

/** One line per run, the closing "N passed, N failed, N skipped" line, and the exit code. */
export function summarize(outcomes: Outcome[]): { lines: string[]; exitCode: number } {
  const lines: string[] = [];
  let pass = 0;
  let failed = 0;
  let skipped = 0;
  for (const o of outcomes) {
    const { failed: f, why } = failedIn(o);
    pass += o.totals?.pass ?? 0;
    failed += f;
    skipped += o.totals?.skipped ?? 0;
    const exit = `exit ${o.code === null ? 'by signal' : String(o.code)}`;
    const t = o.totals;
    const counts = t
      ? `${t.pass} passed, ${f} failed${t.cancelled > 0 ? ` (${t.cancelled} cancelled)` : ''}, ${t.skipped} skipped${t.todo > 0 ? `, ${t.todo} todo` : ''}`
      : `${f} failed`;
    lines.push(
      `${o.database.padEnd(9)} ${counts} (${exit}${why ? `; ${why}, counted as failed` : ''})`,
    );
  }
  if (outcomes.length === 0) {
    lines.push('no database was run');
    failed += 1;
  }
  lines.push(`${pass} passed, ${failed} failed, ${skipped} skipped`);
  return { lines, exitCode: failed > 0 ? 1 : 0 };
}
