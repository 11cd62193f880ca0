/**
 * The kinds of notification, the bit each has in `users.notifications_off`, and the limits of
 * the inbox and the timeline (a fan-out's batch is QUIRE_FANOUT_BATCH, `config.fanoutBatch`).
 */
import type { NotificationKind } from './notifications.repository.ts';

export interface KindInfo {
  kind: NotificationKind;
  bit: number;
  /** What the settings page calls it. */
  label: string;
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'follower', bit: 1, label: 'Someone follows me' },
  { kind: 'comment', bit: 2, label: 'A comment on my article' },
  { kind: 'reply', bit: 4, label: 'A reply to my comment' },
  { kind: 'reaction', bit: 8, label: 'Reactions to my articles and comments' },
  { kind: 'article', bit: 16, label: 'A new article by someone I follow' },
  { kind: 'mention', bit: 32, label: 'Someone mentions me' },
];

const BITS = new Map(KINDS.map((k) => [k.kind, k.bit]));

export function isKind(value: string): value is NotificationKind {
  return BITS.has(value as NotificationKind);
}

/** Whether an account whose turned-off bits are `off` hears of this kind. */
export function wants(off: number, kind: NotificationKind): boolean {
  return (off & (BITS.get(kind) ?? 0)) === 0;
}

/** The bits of every kind not in `on`. */
export function offBits(on: Iterable<NotificationKind>): number {
  const wanted = new Set(on);
  return KINDS.reduce((off, k) => (wanted.has(k.kind) ? off : off | k.bit), 0);
}

/** Notifications on a page of the inbox and in an API answer, by default and at most. */
export const INBOX_PAGE = 30;
export const INBOX_PAGE_MAX = 100;
/** The unread count is counted up to this; past it a badge says "99+". */
export const UNREAD_CAP = 100;
/** At most this many notifications can be marked read by id in one request. */
export const MARK_READ_MAX = 1000;

/** Articles of the "Following" view per page. */
export const TIMELINE_PAGE = 30;
/** The newest articles of an account or a tag a reader starts following that join its timeline. */
export const TIMELINE_BACKFILL = 50;

/**
 * An article published with a date older than this (an import of old posts) joins followers'
 * timelines but notifies no one.
 */
export const ARTICLE_NOTICE_WINDOW_MS = 24 * 3600 * 1000;
/** Mentions in one article or comment that notify; the rest are linked but not notified. */
export const MENTIONS_NOTIFIED = 20;
