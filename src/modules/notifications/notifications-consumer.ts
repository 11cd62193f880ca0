/**
 * The notifications service's intake: an outbox consumer reading follows, comments, reactions
 * and publishes (and deletions), each a stream of events, and turning them into notifications, timeline entries
 * and fan-outs in the transaction that moves its position. An event is read once in the normal
 * course; a replay or a redelivery finds the notification already made (one per recipient and
 * event, a receipt per event gathered) and changes nothing.
 *
 * A publish is not spread here: it becomes one `fanouts` row for the author's followers and one
 * per tag, which fan-out.ts works through in batches beside the dispatcher, so an author with a
 * hundred thousand followers holds up neither this consumer nor anyone's publish.
 */
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import type { EventRow } from '../../db/schema.ts';
import type { OutboxConsumer } from '../../events/consumers.ts';
import { splitFrontMatter } from '../../render/front-matter.ts';
import { findMentions } from '../../render/mentions.ts';
import { followExists } from '../follows/follows.service.ts';
import {
  addToTimelines,
  articleFacts,
  commentFacts,
  dropAuthorFromTimeline,
  dropTagFromTimeline,
  findOpenGroup,
  forgetArticle,
  insertFanouts,
  insertNotifications,
  joinGroup,
  mutedAmong,
  type NewNotification,
  type NotificationKind,
  newestOfAuthor,
  newestOfTag,
  openGroup,
  type Recipient,
  recipientsByIds,
  tagsOf,
  hasFollowers,
  takeReceipts,
  usersByUsernames,
  VIA_AUTHOR,
  VIA_TAG,
} from './notifications.repository.ts';
import {
  ARTICLE_NOTICE_WINDOW_MS,
  MENTIONS_NOTIFIED,
  TIMELINE_BACKFILL,
  wants,
} from './notifications.rules.ts';
import { notificationsChanged } from './changes.ts';

interface FollowData {
  followable_type: 'User' | 'Tag';
  followable_id: number;
  follower: { user_id: number };
}

interface ReactionData {
  category: string;
  reactable_type: 'Article' | 'Comment';
  reactable_id: number;
  article_id: number;
  user: { user_id: number };
}

/** The id in an event's subject (`comment:12` gives 12). */
function subjectId(event: EventRow): number {
  return Number(event.subject.slice(event.subject.indexOf(':') + 1));
}

function dataOf<T>(event: EventRow): T {
  return (JSON.parse(event.payload) as { data: T }).data;
}

/** One event's notifications, each to someone else than the actor, at most one per recipient. */
interface Notice {
  recipientId: number;
  kind: NotificationKind;
}

/**
 * Notifies each recipient that wants the kind and has not muted the article's thread; the
 * first notice to a recipient wins (a reply that also mentions its parent's author is a reply).
 * Each recipient is considered once per event (a receipt), so an event handled again makes no
 * notification, even one a setting changed since would now let through.
 */
async function notify(
  ctx: AppContext,
  tx: Tx,
  event: EventRow,
  actorId: number,
  notices: readonly Notice[],
  about: { article_id: number | null; comment_id: number | null },
  stamp: string,
): Promise<void> {
  const first = new Map<number, NotificationKind>();
  for (const { recipientId, kind } of notices) {
    if (recipientId !== actorId && !first.has(recipientId)) first.set(recipientId, kind);
  }
  const fresh = await takeReceipts(tx.db, [...first.keys()], event.id);
  if (fresh.size === 0) return;
  const recipients = await recipientsByIds(tx.db, [...fresh]);
  const muted =
    about.article_id === null
      ? new Set<number>()
      : await mutedAmong(tx.db, about.article_id, [...fresh]);
  const rows: NewNotification[] = [];
  for (const recipient of recipients) {
    const kind = first.get(recipient.id);
    if (!kind || !hears(recipient, kind) || muted.has(recipient.id)) continue;
    rows.push({ user_id: recipient.id, kind, event_id: event.id, actor_id: actorId, ...about });
  }
  const told = await insertNotifications(tx.db, rows, stamp);
  tx.onCommit(() => notificationsChanged(ctx, told));
}

function hears(recipient: Recipient, kind: NotificationKind): boolean {
  return wants(recipient.notifications_off, kind);
}

async function onFollow(ctx: AppContext, tx: Tx, event: EventRow, stamp: string): Promise<void> {
  const data = dataOf<FollowData>(event);
  const readerId = data.follower.user_id;
  const user = data.followable_type === 'User';
  // The timeline follows what the reader follows now: an event handled again (a replay) of a
  // follow undone since, or of an unfollow followed again since, leaves it as it is.
  const following = await followExists(tx.db, {
    follower_id: readerId,
    followable_type: data.followable_type,
    followable_id: data.followable_id,
  });
  if (event.type === 'follow.deleted') {
    if (following) return;
    if (user) await dropAuthorFromTimeline(tx.db, readerId, data.followable_id);
    else await dropTagFromTimeline(tx.db, readerId, data.followable_id);
    return;
  }
  if (!following) return;
  const now = ctx.clock.now().toISOString();
  const newest = user
    ? await newestOfAuthor(tx.db, data.followable_id, now, TIMELINE_BACKFILL)
    : await newestOfTag(tx.db, data.followable_id, now, TIMELINE_BACKFILL);
  await addToTimelines(
    tx.db,
    newest.map((entry) => ({ ...entry, user_id: readerId })),
    user ? VIA_AUTHOR : VIA_TAG,
  );
  if (user) {
    await notify(
      ctx,
      tx,
      event,
      readerId,
      [{ recipientId: data.followable_id, kind: 'follower' }],
      { article_id: null, comment_id: null },
      stamp,
    );
  }
}

async function onComment(ctx: AppContext, tx: Tx, event: EventRow, stamp: string): Promise<void> {
  const comment = await commentFacts(tx.db, subjectId(event));
  if (!comment || comment.deleted === 1) return;
  const article = await articleFacts(tx.db, comment.article_id);
  if (!article) return;
  const notices: Notice[] = [];
  if (comment.parent_id !== null) {
    const parent = await commentFacts(tx.db, comment.parent_id);
    if (parent && parent.deleted === 0)
      notices.push({ recipientId: parent.user_id, kind: 'reply' });
  }
  notices.push({ recipientId: article.user_id, kind: 'comment' });
  notices.push(...(await mentioned(tx, comment.body_markdown)));
  await notify(
    ctx,
    tx,
    event,
    comment.user_id,
    notices,
    { article_id: article.id, comment_id: comment.id },
    stamp,
  );
}

/**
 * A public reaction joins the recipient's unread notification about the same item, or opens
 * one: "Ada and 3 others reacted to ...". Taking a reaction back does not take it out.
 */
async function onReaction(ctx: AppContext, tx: Tx, event: EventRow, stamp: string): Promise<void> {
  const data = dataOf<ReactionData>(event);
  if (data.category === 'readinglist') return;
  const actorId = data.user.user_id;
  const item =
    data.reactable_type === 'Article'
      ? await articleFacts(tx.db, data.reactable_id)
      : await commentFacts(tx.db, data.reactable_id);
  if (!item || item.user_id === actorId) return;
  if ((await takeReceipts(tx.db, [item.user_id], event.id)).size === 0) return;
  const [recipient] = await recipientsByIds(tx.db, [item.user_id]);
  if (!recipient || !hears(recipient, 'reaction')) return;
  if ((await mutedAmong(tx.db, data.article_id, [recipient.id])).size > 0) return;
  tx.onCommit(() => notificationsChanged(ctx, [recipient.id]));
  const groupKey = `${data.reactable_type}:${data.reactable_id}`;
  const open = await findOpenGroup(tx.db, recipient.id, groupKey);
  if (open) {
    await joinGroup(tx.db, open.id, actorId, stamp);
    return;
  }
  await openGroup(
    tx.db,
    {
      user_id: recipient.id,
      kind: 'reaction',
      event_id: event.id,
      actor_id: actorId,
      article_id: data.article_id,
      comment_id: data.reactable_type === 'Comment' ? data.reactable_id : null,
      group_key: groupKey,
    },
    stamp,
  );
}

/** The accounts a text @mentions (the first MENTIONS_NOTIFIED of them), as notices. */
async function mentioned(tx: Tx, markdown: string): Promise<Notice[]> {
  const names = findMentions(markdown).slice(0, MENTIONS_NOTIFIED);
  const found = await usersByUsernames(tx.db, names);
  return found.map((user) => ({ recipientId: user.id, kind: 'mention' as const }));
}

/**
 * A publish: one fan-out for the author's followers and one for each tag's, and a notice to
 * each account the article mentions (unless it is old news, an import).
 */
async function onPublish(ctx: AppContext, tx: Tx, event: EventRow, stamp: string): Promise<void> {
  const article = await articleFacts(tx.db, subjectId(event));
  if (!article || article.published !== 1 || article.published_at === null) return;
  if (Date.parse(article.published_at) >= Date.parse(stamp) - ARTICLE_NOTICE_WINDOW_MS) {
    const { body } = splitFrontMatter(article.body_markdown);
    await notify(
      ctx,
      tx,
      event,
      article.user_id,
      await mentioned(tx, body),
      { article_id: article.id, comment_id: null },
      stamp,
    );
  }
  const spread = {
    event_id: event.id,
    article_id: article.id,
    author_id: article.user_id,
    published_at: article.published_at,
  };
  // A fan-out no one follows is written finished: it spreads nothing, and its row still marks
  // the publish as spread, should the event be handled again after someone follows.
  const followed = await hasFollowers(tx.db, article.user_id);
  const finished = (anyone: boolean) => (anyone ? null : stamp);
  await insertFanouts(
    tx.db,
    [
      {
        ...spread,
        followable_type: 'User',
        followable_id: article.user_id,
        finished_at: finished(followed),
      },
      ...(await tagsOf(tx.db, article.id)).map((tag) => ({
        ...spread,
        followable_type: 'Tag' as const,
        followable_id: tag.tag_id,
        finished_at: finished(tag.followers_count > 0),
      })),
    ],
    stamp,
  );
}

export const notificationsIntake: OutboxConsumer = {
  name: 'notifications',
  async handle(ctx, tx, events) {
    for (const event of events) {
      // A notification is dated when what it tells of happened.
      const stamp = event.created_at;
      switch (event.type) {
        case 'follow.created':
        case 'follow.deleted':
          await onFollow(ctx, tx, event, stamp);
          break;
        case 'comment.created':
          await onComment(ctx, tx, event, stamp);
          break;
        case 'reaction.created':
          await onReaction(ctx, tx, event, stamp);
          break;
        case 'article.published':
          await onPublish(ctx, tx, event, stamp);
          break;
        case 'article.deleted':
          await forgetArticle(tx.db, subjectId(event), stamp);
          break;
      }
    }
  },
};
