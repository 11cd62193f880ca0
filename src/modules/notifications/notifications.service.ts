/**
 * What a reader does with its notifications and sees of them: the inbox, the unread count,
 * marking read, muting a thread, which kinds it hears of, and its "Following" timeline. They are
 * written by the outbox consumer (notifications-consumer.ts) and the fan-out (fan-out.ts).
 */
import type { AppContext } from '../../context.ts';
import type { NotificationRow, UserRow } from '../../db/schema.ts';
import { isVisible, type Listed, listedByIds } from '../articles/articles.service.ts';
import { usersById } from '../users/users.service.ts';
import { notificationsChanged } from './changes.ts';

export { onNotificationChange } from './changes.ts';
import {
  countUnread,
  countUnreadOf,
  inboxPage,
  markRead,
  mutedArticles,
  type NotificationKind,
  setMuted,
  setPreferences,
  timelinePage,
} from './notifications.repository.ts';
import { offBits, TIMELINE_PAGE, UNREAD_CAP } from './notifications.rules.ts';

/** A notification with what it names: who did it, on which article. */
export interface Shown {
  notification: NotificationRow;
  actor: UserRow | null;
  /** The article it is about, with its author, while it can be seen. */
  item: Listed | null;
  /** Whether the reader muted that article's thread. */
  muted: boolean;
}

export interface InboxQuery {
  page: number;
  perPage: number;
  unreadOnly: boolean;
}

/** One page of the reader's notifications, unread first; `extra` more tell whether a page follows. */
export async function inbox(
  ctx: AppContext,
  reader: UserRow,
  query: InboxQuery,
  extra = 0,
): Promise<Shown[]> {
  const rows = await inboxPage(
    ctx.database.db,
    reader.id,
    query.perPage + extra,
    (query.page - 1) * query.perPage,
    query.unreadOnly,
  );
  const articleIds = [
    ...new Set(rows.flatMap((r) => (r.article_id === null ? [] : [r.article_id]))),
  ];
  const actorIds = [...new Set(rows.flatMap((r) => (r.actor_id === null ? [] : [r.actor_id])))];
  const [actors, items, muted] = await Promise.all([
    usersById(ctx, actorIds),
    listedByIds(ctx, articleIds),
    mutedArticles(ctx.database.db, reader.id, articleIds),
  ]);
  const now = ctx.clock.now();
  const visible = new Map(
    items.filter(({ article }) => isVisible(article, now)).map((item) => [item.article.id, item]),
  );
  return rows.map((notification) => ({
    notification,
    actor: (notification.actor_id !== null && actors.get(notification.actor_id)) || null,
    item: (notification.article_id !== null && visible.get(notification.article_id)) || null,
    muted: notification.article_id !== null && muted.has(notification.article_id),
  }));
}

/** The reader's unread notifications, counted up to UNREAD_CAP. */
export function unreadCount(ctx: AppContext, reader: UserRow): Promise<number> {
  return countUnread(ctx.database.db, reader.id, UNREAD_CAP);
}

/** The unread counts of several readers (each up to UNREAD_CAP), by id; one query. */
export function unreadCounts(
  ctx: AppContext,
  userIds: readonly number[],
): Promise<Map<number, number>> {
  return countUnreadOf(ctx.database.db, userIds, UNREAD_CAP);
}

/** Marks the reader's notifications read: those named (others' ids are ignored), or all. */
export async function markNotificationsRead(
  ctx: AppContext,
  reader: UserRow,
  ids: readonly number[] | null,
): Promise<number> {
  const changed = await markRead(ctx.database.db, reader.id, ids, ctx.clock.now().toISOString());
  if (changed > 0) notificationsChanged(ctx, [reader.id]);
  return changed;
}

/** Mutes an article's thread for the reader (no comment, reply, reaction or mention from it), or unmutes it. */
export async function muteThread(
  ctx: AppContext,
  reader: UserRow,
  articleId: number,
  muted: boolean,
): Promise<void> {
  await setMuted(ctx.database.db, reader.id, articleId, muted, ctx.clock.now().toISOString());
}

export interface NotificationSettings {
  /** The kinds the reader hears of. */
  on: NotificationKind[];
  /** A daily mail of what is unread. */
  digest: boolean;
}

export async function updateNotificationSettings(
  ctx: AppContext,
  reader: UserRow,
  settings: NotificationSettings,
): Promise<void> {
  await setPreferences(ctx.database.db, reader.id, {
    notifications_off: offBits(settings.on),
    digest: settings.digest ? 1 : 0,
    // The first digest comes a day after asking for it, with what arrived meanwhile.
    ...(settings.digest &&
      reader.digest === 0 && { digest_sent_at: ctx.clock.now().toISOString() }),
  });
}

/**
 * One page of the reader's "Following" view: the newest visible articles of the accounts and
 * tags it follows, each once, and whether an older page follows. One index range of the
 * reader's timeline, however many it follows and however large the site.
 */
export async function followingPage(
  ctx: AppContext,
  reader: UserRow,
  page: number,
  perPage = TIMELINE_PAGE,
): Promise<{ items: Listed[]; more: boolean }> {
  const ids = await timelinePage(
    ctx.database.db,
    reader.id,
    ctx.clock.now().toISOString(),
    perPage + 1,
    (page - 1) * perPage,
  );
  const items = await listedByIds(ctx, ids.slice(0, perPage));
  return { items, more: ids.length > perPage };
}
