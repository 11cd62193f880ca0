/**
 * Password reset by email. Asking for a reset answers the same whether or not an account has the
 * address (no one learns who has an account); for an account that has it, a one-time token valid
 * for an hour is stored as its hash and the link that carries it is queued as mail in the same
 * transaction. Using the token sets the new password, ends every session of the account, and
 * retires the token, in one transaction.
 */
import { randomBytes } from 'node:crypto';
import { html } from 'ghtml';
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import { AppError, type FieldError, validationFailed } from '../../errors.ts';
import { mailConfigured, queueMail } from '../mail/mail.service.ts';
import { siteName } from '../site/site.service.ts';
import { checkEmail, checkPassword } from '../users/users.rules.ts';
import {
  findUserById,
  findUserByLogin,
  hashPassword,
  takeAccountAction,
} from '../users/users.service.ts';
import { setPasswordHash } from './auth.repository.ts';
import {
  findPasswordReset,
  insertPasswordReset,
  retireResetTokensOf,
  useResetToken,
} from './password-resets.repository.ts';
import { endSessionsIn, tokenHash } from './sessions.ts';

/** How long a reset link works. */
export const RESET_TTL_MS = 60 * 60_000;
/** Reset mails one account may be sent per hour; more asks answer the same and send nothing. */
export const RESETS_PER_HOUR = 5;
/** What a token looks like: 32 random bytes in base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const RESET_PATH = '/password/reset';

/** Whether password reset by email is offered here: it needs a mail server. */
export const passwordResetAvailable = mailConfigured;

function resetMail(site: string, user: UserRow, link: string) {
  const subject = `Reset your password on ${site}`;
  const text = `Hello ${user.name},

Someone (we hope you) asked to reset the password of the account ${user.username} on ${site}.
To choose a new password, open this link within an hour:

${link}

If you did not ask, ignore this mail: your password stays as it is.
`;
  const body = html`<p>Hello ${user.name},</p>
<p>Someone (we hope you) asked to reset the password of the account <strong>${user.username}</strong> on ${site}.
To choose a new password, open this link within an hour:</p>
<p><a href="${link}">${link}</a></p>
<p>If you did not ask, ignore this mail: your password stays as it is.</p>`;
  return { to: user.email, subject, text, html: body };
}

/**
 * Asks for a reset link for the account with this address. Answers the same (nothing) whether
 * or not there is one, and past the hourly limit of the account; only a malformed address is
 * refused (422), and a site without mail (503).
 */
export async function requestPasswordReset(ctx: AppContext, email: string): Promise<void> {
  if (!passwordResetAvailable(ctx)) {
    throw new AppError('unavailable', 'Password reset by email is not available on this site');
  }
  const address = email.trim();
  const invalid = checkEmail(address);
  if (invalid) throw validationFailed([invalid]);
  const user = await findUserByLogin(ctx.database.db, address);
  if (!user) return;
  try {
    await takeAccountAction(ctx, user, 'password-reset', RESET_TTL_MS, RESETS_PER_HOUR, 'limit');
  } catch (error) {
    if (error instanceof AppError && error.code === 'rate_limited') return;
    throw error;
  }
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const link = `${ctx.config.baseUrl}${RESET_PATH}?token=${token}`;
  const mail = resetMail(await siteName(ctx), user, link);
  await ctx.database.transaction(async (tx) => {
    await insertPasswordReset(tx.db, {
      user_id: user.id,
      token_hash: tokenHash(token),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + RESET_TTL_MS).toISOString(),
      used_at: null,
    });
    await queueMail(ctx, tx, mail, user.id, now);
  });
}

const invalidLink = () =>
  new AppError(
    'not_found',
    'This password reset link is not valid: it may have expired (links work for an hour) or been used already. Ask for a new one.',
  );

/** Whether a token is one that can still be used now; the reset form is shown only then. */
export async function checkResetToken(ctx: AppContext, token: string): Promise<void> {
  if (!TOKEN.test(token)) throw invalidLink();
  const reset = await findPasswordReset(ctx.database.db, tokenHash(token));
  if (!reset || reset.used_at !== null || reset.expires_at <= ctx.clock.now().toISOString()) {
    throw invalidLink();
  }
}

export interface PasswordResetInput {
  token: string;
  next: string;
  confirmation: string;
}

/**
 * Sets a new password with a reset token: the token must exist, be unused and unexpired. The
 * password follows the rules of any password; every session of the account ends, and every
 * other token of it stops working. Returns the account.
 */
export async function resetPassword(ctx: AppContext, input: PasswordResetInput): Promise<UserRow> {
  await checkResetToken(ctx, input.token);
  const errors: FieldError[] = [];
  const weak = checkPassword(input.next);
  if (weak) {
    errors.push({ field: 'new_password', message: weak.message });
  } else if (input.confirmation !== input.next) {
    errors.push({
      field: 'new_password_confirmation',
      message: 'Confirmation does not match the new password',
    });
  }
  if (errors.length > 0) throw validationFailed(errors);
  const hash = await hashPassword(input.next);
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  return ctx.database.transaction(async (tx) => {
    const reset = await findPasswordReset(tx.db, tokenHash(input.token));
    // Used or expired since the check above (two tabs submitting at once): only one wins.
    if (!reset || !(await useResetToken(tx.db, reset.id, stamp))) throw invalidLink();
    await setPasswordHash(tx.db, reset.user_id, hash, stamp);
    await endSessionsIn(tx.db, reset.user_id, now);
    await retireResetTokensOf(tx.db, reset.user_id, stamp);
    const user = await findUserById(tx.db, reset.user_id);
    if (!user) throw invalidLink();
    return user;
  });
}
