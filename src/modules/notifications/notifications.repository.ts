/**
 * Queries of notifications, muted threads, timelines and fan-outs. Every insert made from an
 * event is idempotent (a recipient has one notification per event; a gathered one takes each
 * event once, through its receipts), so a redelivered or replayed event changes nothing.
 */
import { sql } from 'kysely';
import type { DbHandle, Tx } from '../../db/database.ts';
import type { FanoutRow, NotificationRow, NotificationsTable, UserRow } from '../../db/schema.ts';

export type NotificationKind = NotificationsTable['kind'];

export interface NewNotification {
  user_id: number;
  kind: NotificationKind;
  event_id: number;
  actor_id: number | null;
  article_id: number | null;
  comment_id: number | null;
}

/**
 * Inserts notifications, skipping a recipient that already has one for the event; returns the
 * recipients notified.
 */
export async function insertNotifications(
  db: DbHandle,
  rows: readonly NewNotification[],
  stamp: string,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insertInto('notifications')
    .values(rows.map((row) => ({ ...row, created_at: stamp, updated_at: stamp })))
    .onConflict((oc) => oc.columns(['user_id', 'event_id']).doNothing())
    .returning('user_id')
    .execute();
  return inserted.map((r) => r.user_id);
}

/**
 * Records that these readers were considered for the event; returns those not considered
 * before. An event handled again (a replay) finds every receipt taken, and changes nothing.
 */
export async function takeReceipts(
  db: DbHandle,
  userIds: readonly number[],
  eventId: number,
): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .insertInto('notification_receipts')
    .values(userIds.map((user_id) => ({ user_id, event_id: eventId })))
    .onConflict((oc) => oc.columns(['user_id', 'event_id']).doNothing())
    .returning('user_id')
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

export function findOpenGroup(
  db: DbHandle,
  userId: number,
  groupKey: string,
): Promise<Pick<NotificationRow, 'id'> | undefined> {
  return db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', userId)
    .where('group_key', '=', groupKey)
    .where('unread', '=', 1)
    .executeTakeFirst();
}

/** Opens a gathering with its first actor; the caller has taken the event's receipt. */
export async function openGroup(
  db: DbHandle,
  row: NewNotification & { group_key: string },
  stamp: string,
): Promise<number> {
  const { id } = await db
    .insertInto('notifications')
    .values({ ...row, created_at: stamp, updated_at: stamp })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (row.actor_id !== null) await addActor(db, id, row.actor_id);
  return id;
}

/** Adds an actor to a gathering unless it is in it already; returns whether it was added. */
async function addActor(db: DbHandle, notificationId: number, actorId: number): Promise<boolean> {
  const row = await db
    .insertInto('notification_actors')
    .values({ notification_id: notificationId, actor_id: actorId })
    .onConflict((oc) => oc.columns(['notification_id', 'actor_id']).doNothing())
    .returning('actor_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Gathers another actor into an open notification: it becomes the latest actor and the
 * notification moves to the top; the count grows only for someone new to it.
 */
export async function joinGroup(
  db: DbHandle,
  notificationId: number,
  actorId: number,
  stamp: string,
): Promise<void> {
  const added = await addActor(db, notificationId, actorId);
  await db
    .updateTable('notifications')
    .set((eb) => ({
      actor_id: actorId,
      updated_at: stamp,
      ...(added ? { actors_count: eb('actors_count', '+', 1) } : {}),
    }))
    .where('id', '=', notificationId)
    .execute();
}

export interface Recipient {
  id: number;
  notifications_off: number;
  suspended_at: string | null;
}

export function recipientsByIds(db: DbHandle, ids: readonly number[]): Promise<Recipient[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'notifications_off', 'suspended_at'])
    .where('id', 'in', ids)
    .execute();
}

/** Which of `userIds` muted the thread of `articleId`. */
export async function mutedAmong(
  db: DbHandle,
  articleId: number,
  userIds: readonly number[],
): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('notification_mutes')
    .select('user_id')
    .where('article_id', '=', articleId)
    .where('user_id', 'in', userIds)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

// ---- A reader's inbox ----

/** One page of a reader's notifications: unread first, then newest first. */
export function inboxPage(
  db: DbHandle,
  userId: number,
  limit: number,
  offset: number,
  unreadOnly: boolean,
): Promise<NotificationRow[]> {
  let query = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (unreadOnly) query = query.where('unread', '=', 1);
  return query
    .orderBy('unread', 'desc')
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Unread notifications, counted up to `cap` (a badge says "99+" beyond). */
export async function countUnread(db: DbHandle, userId: number, cap: number): Promise<number> {
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('notifications')
        .select('id')
        .where('user_id', '=', userId)
        .where('unread', '=', 1)
        .limit(cap)
        .as('unread'),
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The unread counts of several readers in one query, each counted up to `cap` (one index range
 * per reader): what the live counts of the readers connected to a node poll.
 */
export async function countUnreadOf(
  db: DbHandle,
  userIds: readonly number[],
  cap: number,
): Promise<Map<number, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('users as u')
    .select((eb) => [
      'u.id',
      eb
        .selectFrom(
          eb
            .selectFrom('notifications as n')
            .select('n.id')
            .whereRef('n.user_id', '=', 'u.id')
            .where('n.unread', '=', 1)
            .limit(cap)
            .as('unread'),
        )
        .select(eb.fn.countAll<number | string>().as('n'))
        .as('n'),
    ])
    .where('u.id', 'in', userIds)
    .execute();
  return new Map(rows.map((r) => [r.id, Number(r.n ?? 0)]));
}

/** Marks the reader's notifications read: the ones named, or all. Returns how many changed. */
export async function markRead(
  db: DbHandle,
  userId: number,
  ids: readonly number[] | null,
  stamp: string,
): Promise<number> {
  if (ids !== null && ids.length === 0) return 0;
  let query = db
    .updateTable('notifications')
    .set({ unread: 0, read_at: stamp })
    .where('user_id', '=', userId)
    .where('unread', '=', 1);
  if (ids !== null) query = query.where('id', 'in', ids);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function setMuted(
  db: DbHandle,
  userId: number,
  articleId: number,
  muted: boolean,
  stamp: string,
): Promise<void> {
  if (muted) {
    await db
      .insertInto('notification_mutes')
      .values({ user_id: userId, article_id: articleId, created_at: stamp })
      .onConflict((oc) => oc.columns(['user_id', 'article_id']).doNothing())
      .execute();
  } else {
    await db
      .deleteFrom('notification_mutes')
      .where('user_id', '=', userId)
      .where('article_id', '=', articleId)
      .execute();
  }
}

export async function mutedArticles(
  db: DbHandle,
  userId: number,
  articleIds: readonly number[],
): Promise<Set<number>> {
  if (articleIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('notification_mutes')
    .select('article_id')
    .where('user_id', '=', userId)
    .where('article_id', 'in', articleIds)
    .execute();
  return new Set(rows.map((r) => r.article_id));
}

export async function setPreferences(
  db: DbHandle,
  userId: number,
  preferences: { notifications_off?: number; digest?: number; digest_sent_at?: string },
): Promise<void> {
  await db.updateTable('users').set(preferences).where('id', '=', userId).execute();
}

// ---- Timelines ----

/** 1: the article came to the timeline through an account followed; 2: through a tag. */
export const VIA_AUTHOR = 1;
export const VIA_TAG = 2;

export interface TimelineEntry {
  user_id: number;
  article_id: number;
  author_id: number;
  published_at: string;
}

/** Adds entries, or marks an entry already there as also coming `via` this way. */
export async function addToTimelines(
  db: DbHandle,
  entries: readonly TimelineEntry[],
  via: number,
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('timeline')
    .values(entries.map((e) => ({ ...e, via })))
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'article_id'])
        .doUpdateSet({ via: sql<number>`timeline.via | ${via}` }),
    )
    .execute();
}

/** A reader stops following an account: what came only through it leaves the timeline. */
export async function dropAuthorFromTimeline(
  db: DbHandle,
  userId: number,
  authorId: number,
): Promise<void> {
  await db
    .deleteFrom('timeline')
    .where('user_id', '=', userId)
    .where('author_id', '=', authorId)
    .where('via', '=', VIA_AUTHOR)
    .execute();
  await db
    .updateTable('timeline')
    .set({ via: VIA_TAG })
    .where('user_id', '=', userId)
    .where('author_id', '=', authorId)
    .where('via', '=', VIA_AUTHOR | VIA_TAG)
    .execute();
}

/**
 * A reader stops following a tag: articles that came through tags and carry it, and no other
 * tag the reader still follows, lose that way in (and leave when it was their only one).
 */
export async function dropTagFromTimeline(
  db: DbHandle,
  userId: number,
  tagId: number,
): Promise<void> {
  const carriesTag = sql<boolean>`exists (select 1 from article_tags t
    where t.article_id = timeline.article_id and t.tag_id = ${tagId})`;
  const noOtherTag = sql<boolean>`not exists (select 1 from article_tags t
    join follows f on f.followable_type = 'Tag' and f.followable_id = t.tag_id
      and f.follower_id = ${userId}
    where t.article_id = timeline.article_id)`;
  await db
    .deleteFrom('timeline')
    .where('user_id', '=', userId)
    .where('via', '=', VIA_TAG)
    .where(carriesTag)
    .where(noOtherTag)
    .execute();
  await db
    .updateTable('timeline')
    .set({ via: VIA_AUTHOR })
    .where('user_id', '=', userId)
    .where('via', '=', VIA_AUTHOR | VIA_TAG)
    .where(carriesTag)
    .where(noOtherTag)
    .execute();
}

/** The newest visible articles of an account, for a new follower's timeline. */
export function newestOfAuthor(
  db: DbHandle,
  authorId: number,
  now: string,
  limit: number,
): Promise<Omit<TimelineEntry, 'user_id'>[]> {
  return db
    .selectFrom('articles')
    .select(['id as article_id', 'user_id as author_id', 'published_at'])
    .where('user_id', '=', authorId)
    .where('published', '=', 1)
    .where('published_at', '<=', now)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute() as Promise<Omit<TimelineEntry, 'user_id'>[]>;
}

/** The newest visible articles carrying a tag, for a new follower's timeline. */
export function newestOfTag(
  db: DbHandle,
  tagId: number,
  now: string,
  limit: number,
): Promise<Omit<TimelineEntry, 'user_id'>[]> {
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom('article_tags')
        .select(['article_id', 'published_at'])
        .where('tag_id', '=', tagId)
        .where('published', '=', 1)
        .where('published_at', '<=', now)
        .orderBy('published_at', 'desc')
        .orderBy('article_id', 'desc')
        .limit(limit)
        .as('t'),
    )
    .innerJoin('articles as a', 'a.id', 't.article_id')
    .select(['t.article_id', 'a.user_id as author_id', 't.published_at'])
    .execute() as Promise<Omit<TimelineEntry, 'user_id'>[]>;
}

/**
 * One page of a reader's timeline: the ids of the articles still visible, newest first. `extra`
 * more past the page tell whether an older page exists.
 */
export async function timelinePage(
  db: DbHandle,
  userId: number,
  now: string,
  limit: number,
  offset: number,
): Promise<number[]> {
  // The article's check is a scalar subquery, looked up for each row of the reader's range as
  // it is read newest first, until the page is full. As a join (or EXISTS, which PostgreSQL
  // turns into one), PostgreSQL may hash the articles and sort the reader's whole timeline for a
  // page deep in it.
  const rows = await db
    .selectFrom('timeline as t')
    .select('t.article_id')
    .where('t.user_id', '=', userId)
    .where(
      (eb) =>
        eb
          .selectFrom('articles as a')
          .select('a.published_at')
          .whereRef('a.id', '=', 't.article_id')
          .where('a.published', '=', 1),
      '<=',
      now,
    )
    .orderBy('t.published_at', 'desc')
    .orderBy('t.article_id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => r.article_id);
}

// ---- Fan-outs ----

export type NewFanout = Omit<FanoutRow, 'id' | 'after_follow_id' | 'created_at'>;

export async function insertFanouts(
  db: DbHandle,
  rows: readonly NewFanout[],
  stamp: string,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('fanouts')
    .values(rows.map((row) => ({ ...row, created_at: stamp })))
    .onConflict((oc) => oc.columns(['event_id', 'followable_type', 'followable_id']).doNothing())
    .execute();
}

export async function hasFanouts(db: DbHandle): Promise<boolean> {
  const row = await db
    .selectFrom('fanouts')
    .select('id')
    .where('finished_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The oldest unfinished fan-out no other node is working on, locked for this transaction. */
export function claimFanout(tx: Tx): Promise<FanoutRow | undefined> {
  return tx
    .skipLocked(
      tx.db
        .selectFrom('fanouts')
        .selectAll()
        .where('finished_at', 'is', null)
        .orderBy('id')
        .limit(1),
    )
    .executeTakeFirst();
}

export interface FollowerOf {
  follow_id: number;
  follower_id: number;
  notifications_off: number;
}

/** The next followers of an account or a tag after a follow id, in follow order. */
export function followersAfter(
  db: DbHandle,
  fanout: Pick<FanoutRow, 'followable_type' | 'followable_id' | 'after_follow_id'>,
  limit: number,
): Promise<FollowerOf[]> {
  return db
    .selectFrom('follows as f')
    .innerJoin('users as u', 'u.id', 'f.follower_id')
    .select(['f.id as follow_id', 'f.follower_id', 'u.notifications_off'])
    .where('f.followable_type', '=', fanout.followable_type)
    .where('f.followable_id', '=', fanout.followable_id)
    .where('f.id', '>', fanout.after_follow_id)
    .orderBy('f.id')
    .limit(limit)
    .execute();
}

export async function moveFanout(db: DbHandle, id: number, afterFollowId: number): Promise<void> {
  await db
    .updateTable('fanouts')
    .set({ after_follow_id: afterFollowId })
    .where('id', '=', id)
    .execute();
}

export async function finishFanout(
  db: DbHandle,
  id: number,
  afterFollowId: number,
  stamp: string,
): Promise<void> {
  await db
    .updateTable('fanouts')
    .set({ after_follow_id: afterFollowId, finished_at: stamp })
    .where('id', '=', id)
    .execute();
}

/** The tags an article carries, and how many follow each. */
export function tagsOf(
  db: DbHandle,
  articleId: number,
): Promise<Array<{ tag_id: number; followers_count: number }>> {
  return db
    .selectFrom('article_tags as at')
    .innerJoin('tags as t', 't.id', 'at.tag_id')
    .select(['at.tag_id', 't.followers_count'])
    .where('at.article_id', '=', articleId)
    .execute();
}

/** Whether anyone follows the account. */
export async function hasFollowers(db: DbHandle, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('followers_count')
    .where('id', '=', userId)
    .executeTakeFirst();
  return (row?.followers_count ?? 0) > 0;
}

// ---- What the events name, read in the consumer's transaction ----

export function articleFacts(db: DbHandle, id: number) {
  return db
    .selectFrom('articles')
    .select(['id', 'user_id', 'published', 'published_at', 'body_markdown'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export function commentFacts(db: DbHandle, id: number) {
  return db
    .selectFrom('comments')
    .select(['id', 'user_id', 'article_id', 'parent_id', 'deleted', 'body_markdown'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export function usersByUsernames(db: DbHandle, names: readonly string[]): Promise<Recipient[]> {
  if (names.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'notifications_off', 'suspended_at'])
    .where('username', 'in', names)
    .execute();
}

// ---- Daily digests ----

/** Accounts that want a digest and had none since `before` (oldest first). */
export function dueDigests(db: DbHandle, before: string, limit: number): Promise<UserRow[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('digest', '=', 1)
    .where((eb) => eb.or([eb('digest_sent_at', 'is', null), eb('digest_sent_at', '<=', before)]))
    .orderBy('digest_sent_at')
    .limit(limit)
    .execute();
}

/** When the digest that has waited longest was last sent, among accounts that want one. */
export async function oldestDigest(db: DbHandle): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('users')
    .select('digest_sent_at')
    .where('digest', '=', 1)
    .orderBy('digest_sent_at')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : row.digest_sent_at;
}

/**
 * Takes the account's next digest: moves `digest_sent_at` from what it was to `stamp`; false
 * when another node took it first (or the account stopped wanting one).
 */
export async function claimDigest(
  db: DbHandle,
  user: Pick<UserRow, 'id' | 'digest_sent_at'>,
  stamp: string,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ digest_sent_at: stamp })
    .where('id', '=', user.id)
    .where('digest', '=', 1)
    .where((eb) =>
      user.digest_sent_at === null
        ? eb('digest_sent_at', 'is', null)
        : eb('digest_sent_at', '=', user.digest_sent_at),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * A deleted article leaves every inbox, timeline and muted thread, and a fan-out of it still
 * under way stops (first, so a batch in flight on another node has committed before the rows go).
 */
export async function forgetArticle(db: DbHandle, articleId: number, stamp: string): Promise<void> {
  await db
    .updateTable('fanouts')
    .set({ finished_at: stamp })
    .where('finished_at', 'is', null)
    .where('article_id', '=', articleId)
    .execute();
  await db.deleteFrom('notifications').where('article_id', '=', articleId).execute();
  await db.deleteFrom('timeline').where('article_id', '=', articleId).execute();
  await db.deleteFrom('notification_mutes').where('article_id', '=', articleId).execute();
}
