/**
 * When a delivery is tried: the configured schedule's waits in seconds (the first before the
 * first attempt, normally 0, then one before each retry), each retry up to 10% later, and never
 * before a receiver's Retry-After. Pure: the caller gives the schedule and the time.
 */

/** A Retry-After is honoured up to a day; a longer one waits a day. */
export const MAX_RETRY_AFTER = 86_400;
/** The most a retry is put off beyond its planned wait, as a share of that wait. */
export const JITTER = 0.1;

/** When the first attempt of a new delivery is due: after the schedule's first step. */
export function firstAttemptAt(schedule: readonly number[], now: Date): Date {
  return new Date(now.getTime() + (schedule[0] ?? 0) * 1000);
}

/**
 * When the next attempt should be, after `attemptsMade` attempts and the last one's Retry-After
 * (in seconds), or null when the schedule is spent. `random` is in [0, 1).
 */
export function nextAttemptAt(
  schedule: readonly number[],
  attemptsMade: number,
  last: { retryAfter: number | null },
  now: Date,
  random: () => number = Math.random,
): Date | null {
  if (attemptsMade >= schedule.length) return null;
  const planned = schedule[attemptsMade] ?? 0;
  // Up to 10% later, so endpoints that failed together do not all retry in the same second.
  const delay = planned * (1 + JITTER * random());
  const wait = Math.max(delay, last.retryAfter ?? 0);
  return new Date(now.getTime() + Math.round(wait * 1000));
}

/**
 * A Retry-After header as seconds from `now`: a number of seconds or an HTTP date, at least 0
 * and at most MAX_RETRY_AFTER; null when absent or unreadable.
 */
export function retryAfterSeconds(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const text = value.trim();
  let seconds: number;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return null;
    seconds = Math.ceil((date - now.getTime()) / 1000);
  }
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER);
}
