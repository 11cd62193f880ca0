/** Signing in with a password. */
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { findUserByLogin } from '../users/users.repository.ts';
import {
  assertNotThrottled,
  clearFailures,
  recordFailure,
  throttleKeys,
} from './login-throttle.ts';
import { decoyHash, PASSWORD_MAX, verifyPassword } from './password.ts';

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
