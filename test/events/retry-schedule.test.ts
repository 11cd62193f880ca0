/**
 * The retry schedule, alone: the first attempt after the schedule's first step; each retry after
 * its planned wait plus at most 10% jitter, a longer Retry-After winning, and none once the
 * schedule is spent; Retry-After read as seconds or as an HTTP date, within a day.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_SCHEDULE } from '../../src/config.ts';
import type { AttemptResult } from '../../src/events/delivery-attempt.ts';
import {
  firstAttemptAt,
  MAX_RETRY_AFTER,
  nextAttemptAt,
  retryAfterSeconds,
} from '../../src/events/retry-schedule.ts';

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

test('the first attempt is due after the first step: at once on the default schedule', () => {
  assert.equal(firstAttemptAt(DEFAULT_RETRY_SCHEDULE, NOW).getTime(), NOW.getTime());
  assert.equal(waitMs(firstAttemptAt([30, 60], NOW)), 30_000, 'no jitter on the first');
  assert.equal(waitMs(firstAttemptAt([], NOW)), 0, 'an empty schedule starts at once');
});

test('the waits grow with the attempts made, step by step', () => {
  const schedule = [0, 5, 300, 3600];
  const waits = [1, 2, 3].map((made) =>
    waitMs(nextAttemptAt(schedule, made, failed, NOW, () => 0)),
  );
  assert.deepEqual(waits, [5_000, 300_000, 3_600_000]);
  assert.equal(
    waitMs(nextAttemptAt(schedule, 1, failed, NOW, () => 0.5)),
    5_250,
    'half the jitter: 5% more',
  );
});

test('Retry-After in seconds, as digits only; anything else adds no wait', () => {
  assert.equal(retryAfterSeconds('120', NOW), 120);
  assert.equal(retryAfterSeconds('  7 ', NOW), 7, 'surrounding spaces are fine');
  assert.equal(retryAfterSeconds('0', NOW), 0);
  for (const unreadable of ['soon', '12abc', '5 seconds', '1e3', '', '   ']) {
    assert.equal(retryAfterSeconds(unreadable, NOW), null, JSON.stringify(unreadable));
  }
  assert.equal(retryAfterSeconds(null, NOW), null, 'no header');
  // Not seconds, but a date to Date.parse (the year -5, 1.5 as 5 January 2001): long past.
  for (const past of ['-5', '+5', '1.5']) assert.equal(retryAfterSeconds(past, NOW), 0, past);
});

test('Retry-After as an HTTP date: the seconds until then, rounded up; a past date is now', () => {
  assert.equal(retryAfterSeconds('Sun, 01 Mar 2026 12:02:00 GMT', NOW), 120);
  assert.equal(
    retryAfterSeconds('Sun, 01 Mar 2026 12:00:00 GMT', new Date(NOW.getTime() - 1)),
    1,
    'a millisecond ahead waits a whole second',
  );
  assert.equal(retryAfterSeconds('Sun, 01 Mar 2026 11:00:00 GMT', NOW), 0);
  assert.equal(retryAfterSeconds('Thu, 01 Jan 1970 00:00:00 GMT', NOW), 0);
});

test('a Retry-After is honoured for a day at the most', () => {
  assert.equal(MAX_RETRY_AFTER, 86_400);
  assert.equal(retryAfterSeconds('86400', NOW), 86_400);
  assert.equal(retryAfterSeconds('86401', NOW), 86_400);
  assert.equal(retryAfterSeconds('99999999999999999999', NOW), 86_400);
  assert.equal(retryAfterSeconds('Tue, 01 Mar 2027 12:00:00 GMT', NOW), 86_400);
  assert.equal(
    waitMs(nextAttemptAt([0, 5], 1, throttled(retryAfterSeconds('604800', NOW) ?? 0), NOW)),
    86_400_000,
    'a week asked for waits a day',
  );
});
