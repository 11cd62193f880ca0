/**
 * Notifications as readers see them: a sentence ("Ada and 3 others reacted to ...") with the
 * link it leads to, for pages, mails and the API alike.
 */
import { articlePath, isoSeconds } from '../articles/articles.presenter.ts';
import { idCode } from '../comments/comments.rules.ts';
import { sharedUserJson } from '../users/users.presenter.ts';
import type { Shown } from './notifications.service.ts';

/** The parts of a notification's sentence: who, what they did, and to what. */
export interface Sentence {
  /** The actor's name, or "Someone" when the account is gone. */
  who: string;
  /** "and 3 others", or empty. */
  others: string;
  /** What they did ("reacted to", "commented on"). */
  did: string;
  /** The article's title, or empty when the notification names none (a new follower). */
  what: string;
}

export function sentenceOf(shown: Shown): Sentence {
  const { notification: n, actor, item } = shown;
  const who = actor ? actor.name || actor.username : 'Someone';
  const more = n.actors_count - 1;
  const others = more <= 0 ? '' : `and ${more} other${more === 1 ? '' : 's'}`;
  const title = item?.article.title ?? 'an article no longer shown';
  switch (n.kind) {
    case 'follower':
      return { who, others, did: 'followed you', what: '' };
    case 'comment':
      return { who, others, did: 'commented on', what: title };
    case 'reply':
      return { who, others, did: 'replied to your comment on', what: title };
    case 'reaction':
      return {
        who,
        others,
        did: n.comment_id === null ? 'reacted to' : 'reacted to your comment on',
        what: title,
      };
    case 'article':
      return { who, others, did: 'published', what: title };
    case 'mention':
      return {
        who,
        others,
        did: n.comment_id === null ? 'mentioned you in' : 'mentioned you in a comment on',
        what: title,
      };
  }
}

/** The sentence as plain text: `Ada and 3 others reacted to "Title"`. */
export function sentenceText(shown: Shown): string {
  const s = sentenceOf(shown);
  return [s.who, s.others, s.did, s.what && `"${s.what}"`].filter(Boolean).join(' ');
}

/** Where a notification leads: the comment, the article, or the actor's profile. */
export function targetPath(shown: Shown): string {
  const { notification: n, actor, item } = shown;
  if (item) {
    const path = articlePath(item.article, item.author);
    return n.comment_id === null ? path : `${path}#comment-${idCode(n.comment_id)}`;
  }
  return actor ? `/${actor.username}` : '/notifications';
}

/** A notification in `GET /api/notifications` (a Quire addition). */
export function notificationJson(shown: Shown, baseUrl: string) {
  const { notification: n, actor, item } = shown;
  const path = targetPath(shown);
  return {
    type_of: 'notification' as const,
    id: n.id,
    kind: n.kind,
    unread: n.unread === 1,
    message: sentenceText(shown),
    path,
    url: baseUrl + path,
    actor: actor ? sharedUserJson(actor, baseUrl) : null,
    actors_count: n.actors_count,
    article: item
      ? {
          id: item.article.id,
          title: item.article.title,
          path: articlePath(item.article, item.author),
        }
      : null,
    comment_id_code: n.comment_id === null ? null : idCode(n.comment_id),
    thread_muted: shown.muted,
    created_at: isoSeconds(n.created_at),
    updated_at: isoSeconds(n.updated_at),
    read_at: n.read_at === null ? null : isoSeconds(n.read_at),
  };
}

export type NotificationJson = ReturnType<typeof notificationJson>;
