/**
 * Slows down password guessing. Failures are counted per account and per client address in the
 * database, so every node sees the same count; past the limit, sign-in answers 429 until the
 * window has passed.
 */
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import {
  deleteLoginFailures,
  findLoginFailure,
  lockedUntil,
  saveLoginFailure,
} from './auth.repository.ts';

export const throttleKeys = (login: string, ip: string) => [
  `user:${login.toLowerCase()}`,
  `ip:${ip}`,
];

/** Throws 429 with Retry-After when any of the keys is locked. */
export async function assertNotThrottled(ctx: AppContext, keys: string[]): Promise<void> {
  const now = ctx.clock.now();
  const locks = await lockedUntil(ctx.database.db, keys, now.toISOString());
  const until = Math.max(0, ...locks.map((at) => new Date(at).getTime()));
  if (until > now.getTime()) {
    const retryAfter = Math.ceil((until - now.getTime()) / 1000);
    throw new AppError('rate_limited', 'Too many failed sign-in attempts; try again later', {
      retryAfter,
    });
  }
}

export async function recordFailure(ctx: AppContext, keys: string[]): Promise<void> {
  const { loginMaxFailures: max, loginWindowSeconds: window } = ctx.config;
  const now = ctx.clock.now();
  const windowStart = new Date(now.getTime() - window * 1000).toISOString();
  const lockedUntil = new Date(now.getTime() + window * 1000).toISOString();
  await ctx.database.transaction(async (tx) => {
    for (const key of keys) {
      const row = await findLoginFailure(tx.db, key);
      const fresh = !row || row.first_failure_at < windowStart;
      const failures = fresh ? 1 : row.failures + 1;
      const values = {
        failures,
        first_failure_at: fresh ? now.toISOString() : row.first_failure_at,
        locked_until: failures >= max ? lockedUntil : null,
      };
      await saveLoginFailure(tx.db, key, values);
    }
  });
}

export async function clearFailures(ctx: AppContext, key: string): Promise<void> {
  await deleteLoginFailures(ctx.database.db, key);
}
