/**
 * Follows: a reader follows an account or a tag. Each follow or unfollow inserts or deletes the
 * row and moves the counts by what it actually did, in one transaction with its event, so under
 * any number of concurrent requests the counts equal the rows. Following twice changes nothing.
 * Its events name only the follow counts' keys: no list or article page shows a follow.
 */
import type { AppContext } from '../../context.ts';
import type { DbHandle, Tx } from '../../db/database.ts';
import type { FollowRow, UserRow } from '../../db/schema.ts';
import { notFound, validationFailed } from '../../errors.ts';
import { followersKey, tagFollowersKey } from '../../events/cache-keys.ts';
import { appendEvent } from '../../events/outbox.ts';
import { sharedUserJson } from '../users/users.presenter.ts';
import { assertMayWrite } from '../users/users.rules.ts';
import { findUserById, usersById } from '../users/users.service.ts';
import {
  deleteFollow,
  ensureTag,
  findFollow,
  findFollowById,
  findTag,
  findTagById,
  type FollowKey,
  followedBy,
  followersOf,
  insertFollow,
  moveTagFollowers,
  moveUserCount,
  type TagFollowCount,
  tagsByIds,
} from './follows.repository.ts';
import { isFollowableTag, normalizeTagName } from './follows.rules.ts';

/** What a reader asks to follow: an account by id, or a tag by name. */
export interface FollowInput {
  user_id?: number | undefined;
  tag?: string | undefined;
}

/** What is followed: the account, or the tag's name (its row may not exist yet). */
export type FollowTarget = { type: 'User'; user: UserRow } | { type: 'Tag'; name: string };

export interface FollowResult {
  follow: FollowRow;
  target: FollowTarget;
  /** Whether this request made the follow (false: it existed). */
  created: boolean;
}

/** The account or tag asked for, checked: not oneself, not a suspended account, a tag name. */
async function targetOf(ctx: AppContext, user: UserRow, input: FollowInput): Promise<FollowTarget> {
  const hasUser = input.user_id !== undefined;
  const hasTag = input.tag !== undefined;
  if (hasUser === hasTag)
    throw validationFailed([{ field: 'user_id', message: 'give either user_id or tag' }]);
  if (hasTag) {
    const name = normalizeTagName(input.tag ?? '');
    if (!isFollowableTag(name))
      throw validationFailed([
        { field: 'tag', message: 'must be a tag name: letters and digits, at most 30' },
      ]);
    return { type: 'Tag', name };
  }
  if (input.user_id === user.id)
    throw validationFailed([{ field: 'user_id', message: 'you cannot follow yourself' }]);
  const followed = await findUserById(ctx.database.db, input.user_id ?? 0);
  // A suspended account is as good as gone to readers.
  if (!followed || followed.suspended_at !== null) throw notFound('user not found');
  return { type: 'User', user: followed };
}

const keysOf = (followerId: number, target: FollowTarget) => [
  followersKey(followerId),
  target.type === 'User' ? followersKey(target.user.id) : tagFollowersKey(target.name),
];

/**
 * Moves the counts a follow row stands for. Locks are taken in the order every writer keeps, so
 * no two wait for each other: account rows (in id order), then the outbox, then tag rows (which
 * article writes change holding the outbox lock).
 */
async function moveCounts(tx: Tx, row: FollowRow, by: 1 | -1): Promise<void> {
  if (row.followable_type === 'Tag') {
    await moveUserCount(tx.db, row.follower_id, 'following_tags_count', by);
    await tx.lockOutbox();
    await moveTagFollowers(tx.db, row.followable_id, by);
    return;
  }
  const moves: Array<[number, 'followers_count' | 'following_users_count']> = [
    [row.follower_id, 'following_users_count'],
    [row.followable_id, 'followers_count'],
  ];
  moves.sort((a, b) => a[0] - b[0]);
  for (const [id, column] of moves) await moveUserCount(tx.db, id, column, by);
}

async function appendFollowEvent(
  ctx: AppContext,
  tx: Tx,
  type: 'follow.created' | 'follow.deleted',
  follower: UserRow,
  row: FollowRow,
  target: FollowTarget,
): Promise<void> {
  await appendEvent(
    tx,
    {
      type,
      subject: `follow:${row.id}`,
      data: {
        id: row.id,
        followable_type: row.followable_type,
        followable_id: row.followable_id,
        ...(target.type === 'Tag' ? { tag: target.name } : { username: target.user.username }),
        created_at: row.created_at,
        follower: sharedUserJson(follower, ctx.config.baseUrl),
      },
      ownerId: target.type === 'User' ? target.user.id : null,
      keys: keysOf(follower.id, target),
    },
    ctx.clock.now(),
  );
}

/**
 * The tag's id. A tag no article carried yet gets its row first, on its own (no page shows a tag
 * without articles), holding the outbox lock as every tag write does.
 */
async function tagIdOf(ctx: AppContext, name: string, stamp: string): Promise<number> {
  const found = await findTag(ctx.database.db, name);
  if (found) return found.id;
  return ctx.database.transaction(async (tx) => {
    await tx.lockOutbox();
    return ensureTag(tx.db, name, stamp);
  });
}

/** Follows the account or tag; answers the existing follow when there is one. */
export async function follow(
  ctx: AppContext,
  user: UserRow,
  input: FollowInput,
): Promise<FollowResult> {
  assertMayWrite(user);
  const target = await targetOf(ctx, user, input);
  const stamp = ctx.clock.now().toISOString();
  const followableId =
    target.type === 'User' ? target.user.id : await tagIdOf(ctx, target.name, stamp);
  return ctx.database.transaction(async (tx) => {
    const key: FollowKey = {
      follower_id: user.id,
      followable_type: target.type,
      followable_id: followableId,
    };
    const added = await insertFollow(tx.db, key, stamp);
    if (!added) {
      // Another request of the same reader made it meanwhile, or long ago: nothing changes.
      const existing = await findFollow(tx.db, key);
      if (!existing) throw new Error('follow vanished');
      return { follow: existing, target, created: false };
    }
    await moveCounts(tx, added, 1);
    await appendFollowEvent(ctx, tx, 'follow.created', user, added, target);
    return { follow: added, target, created: true };
  });
}

/** What a follow row is of, for its answer. */
async function targetOfRow(ctx: AppContext, row: FollowRow): Promise<FollowTarget> {
  if (row.followable_type === 'Tag') {
    const tag = await findTagById(ctx.database.db, row.followable_id);
    return { type: 'Tag', name: tag?.name ?? '' };
  }
  const user = await findUserById(ctx.database.db, row.followable_id);
  if (!user) throw notFound('follow not found');
  return { type: 'User', user };
}

/** Ends a follow of the reader's; anyone else's is a 404, as if it did not exist. */
async function remove(ctx: AppContext, user: UserRow, row: FollowRow | undefined) {
  if (!row || row.follower_id !== user.id) throw notFound('follow not found');
  const target = await targetOfRow(ctx, row);
  return ctx.database.transaction(async (tx) => {
    const removed = await deleteFollow(tx.db, row.id);
    // Another request ended it meanwhile: nothing more to do.
    if (!removed) return;
    await moveCounts(tx, removed, -1);
    await appendFollowEvent(ctx, tx, 'follow.deleted', user, removed, target);
  });
}

/** Ends the reader's follow by its id. */
export async function unfollowById(ctx: AppContext, user: UserRow, id: number): Promise<void> {
  assertMayWrite(user);
  await remove(ctx, user, await findFollowById(ctx.database.db, id));
}

/** Ends the reader's follow of an account or tag, if there is one. */
export async function unfollow(ctx: AppContext, user: UserRow, input: FollowInput): Promise<void> {
  assertMayWrite(user);
  const key = await followKeyOf(ctx, user, input);
  if (!key) return;
  const row = await findFollow(ctx.database.db, key);
  if (row) await remove(ctx, user, row);
}

/** The key of the reader's follow of an account or tag; null when the tag has no row. */
async function followKeyOf(
  ctx: AppContext,
  user: UserRow,
  input: FollowInput,
): Promise<FollowKey | null> {
  if (input.tag !== undefined) {
    const tag = await findTag(ctx.database.db, normalizeTagName(input.tag));
    return tag ? { follower_id: user.id, followable_type: 'Tag', followable_id: tag.id } : null;
  }
  return { follower_id: user.id, followable_type: 'User', followable_id: input.user_id ?? 0 };
}

/** Whether the reader follows the account or tag (for the button on its page). */
export async function isFollowing(
  ctx: AppContext,
  user: UserRow,
  input: FollowInput,
): Promise<boolean> {
  const key = await followKeyOf(ctx, user, input);
  return key !== null && (await findFollow(ctx.database.db, key)) !== undefined;
}

/** Whether this follow exists now, read in the caller's transaction (the notifications consumer's). */
export async function followExists(db: DbHandle, key: FollowKey): Promise<boolean> {
  return (await findFollow(db, key)) !== undefined;
}

/** How many follow a tag (0 when no one ever did). */
export async function tagFollowersCount(ctx: AppContext, name: string): Promise<number> {
  return (await findTag(ctx.database.db, name))?.followers_count ?? 0;
}

const offsetOf = (page: number, perPage: number) => (page - 1) * perPage;

/** One page of the reader's followers, newest first, each with their account. */
export async function followersPage(
  ctx: AppContext,
  user: UserRow,
  page: number,
  perPage: number,
): Promise<Array<{ follow: FollowRow; user: UserRow }>> {
  const rows = await followersOf(ctx.database.db, user.id, perPage, offsetOf(page, perPage));
  return withUsers(ctx, rows, (row) => row.follower_id);
}

/** One page of the accounts the reader follows, newest first. */
export async function followedUsersPage(
  ctx: AppContext,
  user: UserRow,
  page: number,
  perPage: number,
): Promise<Array<{ follow: FollowRow; user: UserRow }>> {
  const db = ctx.database.db;
  const rows = await followedBy(db, user.id, 'User', perPage, offsetOf(page, perPage));
  return withUsers(ctx, rows, (row) => row.followable_id);
}

/** One page of the tags the reader follows, newest first. */
export async function followedTagsPage(
  ctx: AppContext,
  user: UserRow,
  page: number,
  perPage: number,
): Promise<Array<{ follow: FollowRow; tag: TagFollowCount }>> {
  const db = ctx.database.db;
  const rows = await followedBy(db, user.id, 'Tag', perPage, offsetOf(page, perPage));
  const tags = new Map(
    (
      await tagsByIds(
        db,
        rows.map((row) => row.followable_id),
      )
    ).map((tag) => [tag.id, tag]),
  );
  return rows.flatMap((follow) => {
    const tag = tags.get(follow.followable_id);
    return tag ? [{ follow, tag }] : [];
  });
}

async function withUsers(
  ctx: AppContext,
  rows: FollowRow[],
  idOf: (row: FollowRow) => number,
): Promise<Array<{ follow: FollowRow; user: UserRow }>> {
  const users = await usersById(ctx, rows.map(idOf));
  return rows.flatMap((follow) => {
    const user = users.get(idOf(follow));
    return user ? [{ follow, user }] : [];
  });
}
