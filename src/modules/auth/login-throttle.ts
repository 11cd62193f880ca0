/**
 * Slows down password guessing. Failures are counted per account and per client address in the
 * database, so every node sees the same count; past the limit, sign-in answers 429 until the
 * window has passed.
 */
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';

export const throttleKeys = (login: string, ip: string) => [
  `user:${login.toLowerCase()}`,
  `ip:${ip}`,
];

/** Throws 429 with Retry-After when any of the keys is locked. */
export async function assertNotThrottled(ctx: AppContext, keys: string[]): Promise<void> {
  const now = ctx.clock.now();
  const rows = await ctx.database.db
    .selectFrom('login_failures')
    .select(['locked_until'])
    .where('key', 'in', keys)
    .where('locked_until', '>', now.toISOString())
    .execute();
  const until = Math.max(0, ...rows.map((r) => new Date(r.locked_until ?? 0).getTime()));
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
      const row = await tx.db
        .selectFrom('login_failures')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirst();
      const fresh = !row || row.first_failure_at < windowStart;
      const failures = fresh ? 1 : row.failures + 1;
      const values = {
        failures,
        first_failure_at: fresh ? now.toISOString() : row.first_failure_at,
        locked_until: failures >= max ? lockedUntil : null,
      };
      await tx.db
        .insertInto('login_failures')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute();
    }
  });
}

export async function clearFailures(ctx: AppContext, key: string): Promise<void> {
  await ctx.database.db.deleteFrom('login_failures').where('key', '=', key).execute();
}
