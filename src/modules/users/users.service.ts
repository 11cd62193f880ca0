/**
 * Creating accounts (the first on an instance becomes its administrator) and changing their
 * public profile.
 */
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import { AppError, type FieldError, notFound, validationFailed } from '../../errors.ts';
import { PEOPLE_KEY, SEARCH_KEY, SITE_KEY, userKey } from '../../events/cache-keys.ts';
import { appendEvent } from '../../events/outbox.ts';
import { findMentions } from '../../render/mentions.ts';
import { checkHttpUrl, checkStorable } from '../articles/articles.rules.ts';
import { withholdArticlesOf } from '../articles/withholding.service.ts';
import { countAction } from './action-counts.repository.ts';
import { hashPassword } from './password.ts';
import { userJson } from './users.presenter.ts';
import {
  claimFirstAdminMarker,
  findExistingUsernames,
  findUserById,
  findUserByUsername,
  insertUser,
  lockUser,
  updateUserRow,
  usersByIds,
} from './users.repository.ts';
import { checkEmail, checkPassword, checkUsername, NAME_MAX, SUMMARY_MAX } from './users.rules.ts';

/**
 * Accounts as other modules look them up; each takes the database handle, or a transaction's,
 * first.
 */
export { findUserById, findUserByLogin, findUserByUsername } from './users.repository.ts';

/** Password hashes, which sign-in checks and password changes write. */
export { decoyHash, hashPassword, verifyPassword } from './password.ts';

export interface NewAccount {
  username: string;
  email: string;
  password: string;
  name?: string | undefined;
  /** Make this account an administrator even if it is not the first. */
  admin?: boolean;
}

function checkName(name: string): FieldError | null {
  return name.trim() === '' || name.length > NAME_MAX
    ? { field: 'name', message: `Name must be 1 to ${NAME_MAX} characters` }
    : null;
}

export function checkAccount(input: NewAccount): FieldError[] {
  const errors = [
    checkUsername(input.username),
    checkEmail(input.email),
    checkPassword(input.password),
    input.name === undefined ? null : checkName(input.name),
  ];
  return errors.filter((e): e is FieldError => e !== null);
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
      // Only one transaction can claim the marker, so two simultaneous first sign-ups cannot
      // both become administrators.
      const first = await claimFirstAdminMarker(tx.db, stamp);
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
        {
          type: 'user.created',
          subject: `user:${user.id}`,
          data: userJson(user, ctx.config.baseUrl),
          ownerId: null,
          // A people search may find the new account.
          keys: [userKey(user.id), PEOPLE_KEY],
        },
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

/** The public profile an account may change; an empty text clears an optional field. */
export interface ProfileChanges {
  name: string;
  summary: string;
  website_url: string;
  profile_image: string;
}

function checkProfile(changes: ProfileChanges): FieldError[] {
  const errors: (FieldError | null)[] = [checkName(changes.name)];
  if ([...changes.summary].length > SUMMARY_MAX) {
    errors.push({
      field: 'summary',
      message: `Summary is too long (maximum is ${SUMMARY_MAX} characters)`,
    });
  }
  for (const field of ['website_url', 'profile_image'] as const) {
    if (changes[field] !== '') errors.push(checkHttpUrl(field, changes[field]));
  }
  for (const field of ['name', 'summary', 'website_url', 'profile_image'] as const) {
    errors.push(checkStorable(field, changes[field]));
  }
  return errors.filter((e): e is FieldError => e !== null);
}

/**
 * Saves the profile. The event makes every cached page and feed that shows the author (articles,
 * profile, feeds) be built again.
 */
export async function updateProfile(
  ctx: AppContext,
  user: UserRow,
  changes: ProfileChanges,
): Promise<UserRow> {
  const clean: ProfileChanges = {
    name: changes.name.trim(),
    summary: changes.summary.trim(),
    website_url: changes.website_url.trim(),
    profile_image: changes.profile_image.trim(),
  };
  const errors = checkProfile(clean);
  if (errors.length > 0) throw validationFailed(errors);
  const now = ctx.clock.now();
  return ctx.database.transaction(async (tx) => {
    // The name as stored, held until commit: whether it changes decides the people key.
    const before = await lockUser(ctx.database, tx.db, user.id);
    const updated = await updateUserRow(tx.db, user.id, {
      name: clean.name,
      summary: clean.summary || null,
      website_url: clean.website_url || null,
      profile_image: clean.profile_image || null,
      updated_at: now.toISOString(),
    });
    await appendEvent(
      tx,
      {
        type: 'user.updated',
        subject: `user:${updated.id}`,
        data: userJson(updated, ctx.config.baseUrl),
        ownerId: updated.id,
        // A new name is found by other people searches; answers showing the account have its key.
        keys: [userKey(updated.id), ...(updated.name !== before.name ? [PEOPLE_KEY] : [])],
      },
      now,
    );
    return updated;
  });
}

/** The account with this id, if there is one. */
export function userById(ctx: AppContext, id: number): Promise<UserRow | undefined> {
  return findUserById(ctx.database.db, id);
}

/** The accounts with these ids, by id; ids of no account are left out. */
export async function usersById(
  ctx: AppContext,
  ids: readonly number[],
): Promise<Map<number, UserRow>> {
  const unique = [...new Set(ids)];
  return new Map((await usersByIds(ctx.database.db, unique)).map((user) => [user.id, user]));
}

/** The account with this username (as stored: lower case), if there is one. */
export function userByUsername(ctx: AppContext, username: string): Promise<UserRow | undefined> {
  return findUserByUsername(ctx.database.db, username);
}

/**
 * Which of these lower-case usernames (a text's mentions, at most MENTIONS_MAX) name an account:
 * one query.
 */
export async function existingUsernames(
  ctx: AppContext,
  usernames: readonly string[],
): Promise<Set<string>> {
  return new Set(await findExistingUsernames(ctx.database.db, usernames));
}

/**
 * The accounts the Markdown @mentions, for renderMarkdown to link (`mentions`): the rendered
 * Markdown, so an article's body without its front matter.
 */
export async function mentionedAccounts(ctx: AppContext, markdown: string): Promise<Set<string>> {
  const names = findMentions(markdown);
  return names.length === 0 ? new Set() : existingUsernames(ctx, names);
}

/**
 * An administrator suspends an account (`suspended`) or lifts its suspension. A suspended account
 * may still sign in and read, but writes nothing (`assertMayWrite`), its comments show "[hidden
 * by a moderator]", and its published articles are withheld from every public list, feed and
 * page (withholding.service.ts) until the suspension is lifted. Neither the administrator's own
 * account nor another administrator's can be suspended. The event names the site's key: every
 * cached answer may show the account's articles or comments, so every one is built again.
 */
async function setSuspended(
  ctx: AppContext,
  admin: UserRow,
  userId: number,
  suspended: boolean,
): Promise<UserRow> {
  if (admin.role !== 'admin') throw notFound('not found');
  const target = await findUserById(ctx.database.db, userId);
  if (!target) throw notFound('No such account');
  if (target.id === admin.id) throw new AppError('forbidden', 'You cannot suspend yourself');
  if (target.role === 'admin')
    throw new AppError('forbidden', 'An administrator cannot be suspended');
  const now = ctx.clock.now();
  return ctx.database.transaction(async (tx) => {
    // The account's row first: article writes hold it while they run (articles.service.ts), so
    // none lands between the articles withheld here and the commit.
    const fresh = await lockUser(ctx.database, tx.db, userId);
    if ((fresh.suspended_at !== null) === suspended) return fresh;
    const updated = await updateUserRow(tx.db, userId, {
      suspended_at: suspended ? now.toISOString() : null,
    });
    const articles = await withholdArticlesOf(tx, userId, suspended);
    await appendEvent(
      tx,
      {
        type: suspended ? 'user.suspended' : 'user.unsuspended',
        subject: `user:${userId}`,
        data: {
          ...userJson(updated, ctx.config.baseUrl),
          suspended_at: updated.suspended_at,
          articles,
        },
        ownerId: admin.id,
        // `site` drops every answer (any may show the account's articles or comments); searches
        // are named as well, since who and what they find changes.
        keys: [SITE_KEY, SEARCH_KEY, PEOPLE_KEY],
      },
      now,
    );
    return updated;
  });
}

export function suspendAccount(ctx: AppContext, admin: UserRow, userId: number): Promise<UserRow> {
  return setSuspended(ctx, admin, userId, true);
}

export function unsuspendAccount(
  ctx: AppContext,
  admin: UserRow,
  userId: number,
): Promise<UserRow> {
  return setSuspended(ctx, admin, userId, false);
}

/**
 * Counts an action of `kind` by `user` in the current fixed window of `windowMs`, and refuses it
 * (429, with the seconds left in the window) past `max`. Counted in the database, so every node
 * enforces the same limit, and an action undone still counts.
 */
export async function takeAccountAction(
  ctx: AppContext,
  user: Pick<UserRow, 'id'>,
  kind: string,
  windowMs: number,
  max: number,
  message: string,
): Promise<void> {
  const now = ctx.clock.now().getTime();
  const start = now - (now % windowMs);
  const count = await countAction(
    ctx.database.db,
    `${kind}:${user.id}`,
    new Date(start).toISOString(),
  );
  if (count > max)
    throw new AppError('rate_limited', message, {
      retryAfter: Math.max(1, Math.ceil((start + windowMs - now) / 1000)),
    });
}
