/**
 * nextAttemptAt, alone: the planned wait plus at most 10% jitter, a longer Retry-After winning,
 * and no next attempt once the schedule is spent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_SCHEDULE } from '../../src/config.ts';
import type { AttemptResult } from '../../src/events/delivery-attempt.ts';
import { nextAttemptAt } from '../../src/events/retry-schedule.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');

const failed: AttemptResult = {
  outcome: 'failed',
  statusCode: 500,
  latencyMs: 3,
  response: null,
  error: null,
  retryAfter: null,
};
const throttled = (retryAfter: number): AttemptResult => ({
  ...failed,
  outcome: 'throttled',
  statusCode: 429,
  retryAfter,
});

const waitMs = (at: Date | null) => {
  assert.ok(at, 'a next attempt');
  return at.getTime() - NOW.getTime();
};

test('the wait is the planned one at the least and 10% more at the most', () => {
  for (let made = 1; made < DEFAULT_RETRY_SCHEDULE.length; made++) {
    const planned = (DEFAULT_RETRY_SCHEDULE[made] as number) * 1000;
    assert.equal(
      waitMs(nextAttemptAt(DEFAULT_RETRY_SCHEDULE, made, failed, NOW, () => 0)),
      planned,
    );
    const top = waitMs(nextAttemptAt(DEFAULT_RETRY_SCHEDULE, made, failed, NOW, () => 0.999999));
    assert.ok(top > planned || planned === 0);
    assert.ok(top <= Math.round(planned * 1.1), `${top} <= ${planned} * 1.1`);
  }
});

test('with the real random source every wait stays within its bounds', () => {
  for (let i = 0; i < 2000; i++) {
    const made = 1 + (i % (DEFAULT_RETRY_SCHEDULE.length - 1));
    const planned = (DEFAULT_RETRY_SCHEDULE[made] as number) * 1000;
    const wait = waitMs(nextAttemptAt(DEFAULT_RETRY_SCHEDULE, made, failed, NOW));
    assert.ok(wait >= planned && wait <= Math.round(planned * 1.1), `${wait} for ${planned}`);
  }
});

test('the jitter spreads endpoints that failed together', () => {
  const waits = new Set<number>();
  for (let i = 0; i < 50; i++) waits.add(waitMs(nextAttemptAt([0, 3600], 1, failed, NOW)));
  assert.ok(waits.size > 10, `${waits.size} different waits out of 50`);
});

test('a Retry-After longer than the planned wait wins; a shorter one does not', () => {
  const schedule = [0, 5, 300];
  assert.equal(waitMs(nextAttemptAt(schedule, 1, throttled(120), NOW, () => 0.5)), 120_000);
  assert.equal(
    waitMs(nextAttemptAt(schedule, 2, throttled(120), NOW, () => 0)),
    300_000,
    'the schedule when it asks for longer',
  );
  assert.equal(waitMs(nextAttemptAt(schedule, 1, throttled(0), NOW, () => 0)), 5_000);
});

test('there is no next attempt once the schedule is spent', () => {
  const schedule = [0, 10, 20];
  assert.ok(nextAttemptAt(schedule, 2, failed, NOW));
  assert.equal(nextAttemptAt(schedule, 3, failed, NOW), null);
  assert.equal(
    nextAttemptAt(schedule, 4, throttled(60), NOW),
    null,
    'Retry-After does not extend it',
  );
  assert.equal(nextAttemptAt(DEFAULT_RETRY_SCHEDULE, 10, failed, NOW), null);
  assert.equal(nextAttemptAt([0], 1, failed, NOW), null, 'a one-entry schedule never retries');
});
