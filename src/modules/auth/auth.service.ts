/** Signing in with a password, and changing it. */
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import { AppError, type FieldError, validationFailed } from '../../errors.ts';
import { checkPassword, PASSWORD_MAX } from '../users/users.rules.ts';
import {
  decoyHash,
  findUserByLogin,
  hashPassword,
  verifyPassword,
} from '../users/users.service.ts';
import { setPasswordHash } from './auth.repository.ts';
import {
  assertNotThrottled,
  clearFailures,
  recordFailure,
  throttleKeys,
} from './login-throttle.ts';
import { endSessionsIn } from './sessions.ts';

/** The hash a secret token is stored and looked up by (sessions here, API keys too). */
export { tokenHash } from './sessions.ts';

export async function authenticate(
  ctx: AppContext,
  login: string,
  password: string,
  ip: string,
): Promise<UserRow> {
  const keys = throttleKeys(login.trim(), ip);
  await assertNotThrottled(ctx, keys);
  const user =
    login.length <= 254 ? await findUserByLogin(ctx.database.db, login.trim()) : undefined;
  const ok =
    password.length <= PASSWORD_MAX &&
    (await verifyPassword(password, user?.password_hash ?? (await decoyHash()))) &&
    user !== undefined;
  if (!ok || !user) {
    await recordFailure(ctx, keys);
    throw new AppError('unauthorized', 'Invalid username/email or password');
  }
  await clearFailures(ctx, keys[0] ?? '');
  return user;
}

export interface PasswordChange {
  current: string;
  next: string;
  confirmation: string;
}

/**
 * Replaces the password once the current one is given, and ends every session of the account
 * in the same transaction: whoever had signed in with the old password is signed out. Wrong
 * current passwords count as failed sign-ins, so a borrowed session cannot guess at leisure.
 */
export async function changePassword(
  ctx: AppContext,
  user: UserRow,
  change: PasswordChange,
  ip: string,
): Promise<void> {
  const keys = throttleKeys(user.username, ip);
  await assertNotThrottled(ctx, keys);
  const errors: FieldError[] = [];
  const currentOk =
    change.current.length <= PASSWORD_MAX &&
    (await verifyPassword(change.current, user.password_hash));
  if (!currentOk) {
    await recordFailure(ctx, keys);
    errors.push({ field: 'current_password', message: 'Current password is incorrect' });
  }
  const weak = checkPassword(change.next);
  if (weak) {
    errors.push({ field: 'new_password', message: weak.message });
  } else if (change.confirmation !== change.next) {
    errors.push({
      field: 'new_password_confirmation',
      message: 'Confirmation does not match the new password',
    });
  }
  if (errors.length > 0) throw validationFailed(errors);
  const hash = await hashPassword(change.next);
  const now = ctx.clock.now();
  await ctx.database.transaction(async (tx) => {
    await setPasswordHash(tx.db, user.id, hash, now.toISOString());
    await endSessionsIn(tx.db, user.id, now);
  });
}
