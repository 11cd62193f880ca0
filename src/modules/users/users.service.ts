/** Creating accounts. The first account on an instance becomes its administrator. */
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import type { UserRow } from '../../db/schema.ts';
import { type FieldError, validationFailed } from '../../errors.ts';
import { appendEvent } from '../../events/outbox.ts';
import { hashPassword } from '../auth/password.ts';
import { userJson } from './users.presenter.ts';
import { insertUser } from './users.repository.ts';
import { checkEmail, checkPassword, checkUsername } from './users.rules.ts';

export interface NewAccount {
  username: string;
  email: string;
  password: string;
  name?: string | undefined;
  /** Make this account an administrator even if it is not the first. */
  admin?: boolean;
}

export function checkAccount(input: NewAccount): FieldError[] {
  const errors = [
    checkUsername(input.username),
    checkEmail(input.email),
    checkPassword(input.password),
  ];
  if (input.name !== undefined && (input.name.trim() === '' || input.name.length > 80)) {
    errors.push({ field: 'name', message: 'Name must be 1 to 80 characters' });
  }
  return errors.filter((e): e is FieldError => e !== null);
}

/**
 * Claims the first-administrator marker. Exactly one transaction can insert it, so two
 * simultaneous first sign-ups cannot both become administrators.
 */
async function claimFirstAdmin(tx: Tx, now: string): Promise<boolean> {
  const result = await tx.db
    .insertInto('settings')
    .values({ key: 'first_admin_claimed', value: now, updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function createAccount(ctx: AppContext, input: NewAccount): Promise<UserRow> {
  const account = {
    ...input,
    username: input.username.trim().toLowerCase(),
    email: input.email.trim().toLowerCase(),
  };
  const errors = checkAccount(account);
  if (errors.length > 0) throw validationFailed(errors);
  const passwordHash = await hashPassword(account.password);
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  try {
    return await ctx.database.transaction(async (tx) => {
      const first = await claimFirstAdmin(tx, stamp);
      const user = await insertUser(tx.db, {
        username: account.username,
        email: account.email,
        name: account.name?.trim() || account.username,
        password_hash: passwordHash,
        role: first || account.admin ? 'admin' : 'user',
        summary: null,
        website_url: null,
        location: null,
        profile_image: null,
        twitter_username: null,
        github_username: null,
        created_at: stamp,
        updated_at: stamp,
      });
      await appendEvent(
        tx,
        'user.created',
        `user:${user.id}`,
        userJson(user, ctx.config.baseUrl),
        now,
      );
      return user;
    });
  } catch (error) {
    if (!ctx.database.isUniqueViolation(error)) throw error;
    const field = /email/.test(String((error as Error).message)) ? 'email' : 'username';
    throw validationFailed([
      { field, message: `${field === 'email' ? 'Email' : 'Username'} has already been taken` },
    ]);
  }
}
