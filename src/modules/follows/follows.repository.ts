/**
 * Queries of follows. The counts on users and tags move in the same transaction as the row, by
 * what the insert or delete did.
 */
import type { DbHandle } from '../../db/database.ts';
import type { FollowRow } from '../../db/schema.ts';
import type { FollowableType } from './follows.rules.ts';

export interface FollowKey {
  follower_id: number;
  followable_type: FollowableType;
  followable_id: number;
}

export function findFollow(db: DbHandle, key: FollowKey): Promise<FollowRow | undefined> {
  return db
    .selectFrom('follows')
    .selectAll()
    .where('follower_id', '=', key.follower_id)
    .where('followable_type', '=', key.followable_type)
    .where('followable_id', '=', key.followable_id)
    .executeTakeFirst();
}

export function findFollowById(db: DbHandle, id: number): Promise<FollowRow | undefined> {
  return db.selectFrom('follows').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts the follow unless it exists; returns it when this inserted it. */
export function insertFollow(
  db: DbHandle,
  key: FollowKey,
  stamp: string,
): Promise<FollowRow | undefined> {
  return db
    .insertInto('follows')
    .values({ ...key, created_at: stamp })
    .onConflict((oc) => oc.columns(['follower_id', 'followable_type', 'followable_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the follow; returns it when this deleted it. */
export function deleteFollow(db: DbHandle, id: number): Promise<FollowRow | undefined> {
  return db.deleteFrom('follows').where('id', '=', id).returningAll().executeTakeFirst();
}

type UserCount = 'followers_count' | 'following_users_count' | 'following_tags_count';

export async function moveUserCount(
  db: DbHandle,
  userId: number,
  column: UserCount,
  by: 1 | -1,
): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ [column]: eb(column, '+', by) }))
    .where('id', '=', userId)
    .execute();
}

export async function moveTagFollowers(db: DbHandle, tagId: number, by: 1 | -1): Promise<void> {
  await db
    .updateTable('tags')
    .set((eb) => ({ followers_count: eb('followers_count', '+', by) }))
    .where('id', '=', tagId)
    .execute();
}

export interface TagFollowCount {
  id: number;
  name: string;
  followers_count: number;
}

export function findTag(db: DbHandle, name: string): Promise<TagFollowCount | undefined> {
  return db
    .selectFrom('tags')
    .select(['id', 'name', 'followers_count'])
    .where('name', '=', name)
    .executeTakeFirst();
}

export function findTagById(db: DbHandle, id: number): Promise<TagFollowCount | undefined> {
  return db
    .selectFrom('tags')
    .select(['id', 'name', 'followers_count'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The tag's id, creating the tag (no articles yet) when no article carries it. */
export async function ensureTag(db: DbHandle, name: string, stamp: string): Promise<number> {
  await db
    .insertInto('tags')
    .values({ name, created_at: stamp })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const tag = await findTag(db, name);
  if (!tag) throw new Error(`tag ${name} vanished`);
  return tag.id;
}

/** One page of who follows an account, newest first: an index range of `follows_followed`. */
export async function followersOf(
  db: DbHandle,
  userId: number,
  limit: number,
  offset: number,
): Promise<FollowRow[]> {
  return db
    .selectFrom('follows')
    .selectAll()
    .where('followable_type', '=', 'User')
    .where('followable_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** One page of what a reader follows of one kind, newest first: a range of `follows_follower`. */
export async function followedBy(
  db: DbHandle,
  followerId: number,
  type: FollowableType,
  limit: number,
  offset: number,
): Promise<FollowRow[]> {
  return db
    .selectFrom('follows')
    .selectAll()
    .where('follower_id', '=', followerId)
    .where('followable_type', '=', type)
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export function tagsByIds(db: DbHandle, ids: readonly number[]): Promise<TagFollowCount[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('tags')
    .select(['id', 'name', 'followers_count'])
    .where('id', 'in', ids)
    .execute();
}
