/** Request and response schemas of notifications (Quire additions: Forem's API has none). */
import { Type } from 'typebox';
import { Nullable, NullableText, paging, Ref, Timestamp } from '../../http/schemas.ts';
import { ID_RANGE } from '../../http/url-numbers.ts';
import { SharedUser } from '../articles/articles.schemas.ts';
import { INBOX_PAGE, INBOX_PAGE_MAX, KINDS, MARK_READ_MAX } from './notifications.rules.ts';

const Kind = Type.Union(
  [
    Type.Literal('follower'),
    Type.Literal('comment'),
    Type.Literal('reply'),
    Type.Literal('reaction'),
    Type.Literal('article'),
    Type.Literal('mention'),
  ],
  { description: KINDS.map((k) => `\`${k.kind}\`: ${k.label.toLowerCase()}`).join('; ') },
);

export const Notification = Type.Object(
  {
    type_of: Type.Literal('notification'),
    id: Type.Integer(),
    kind: Kind,
    unread: Type.Boolean(),
    message: Type.String({ description: 'What happened, as a sentence' }),
    path: Type.String({ description: 'Where it leads: the comment, the article or the profile' }),
    url: Type.String(),
    actor: Nullable(Ref(SharedUser), { description: 'Who did it (the latest, when gathered)' }),
    actors_count: Type.Integer({ description: 'How many people are gathered in it' }),
    article: Nullable(
      Type.Object({ id: Type.Integer(), title: Type.String(), path: Type.String() }),
      { description: 'The article it is about, while it can be seen' },
    ),
    comment_id_code: NullableText,
    thread_muted: Type.Boolean({ description: "Whether the caller muted the article's thread" }),
    created_at: Timestamp,
    updated_at: Timestamp,
    read_at: Nullable(Timestamp),
  },
  { $id: 'Notification', description: 'Something that happened that concerns the caller' },
);

export const NotificationsQuery = Type.Object({
  ...paging(`Default ${INBOX_PAGE}, at most ${INBOX_PAGE_MAX}`, INBOX_PAGE_MAX),
  unread: Type.Optional(Type.Boolean({ description: 'Only unread notifications' })),
});

export const MarkReadBody = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.Integer({ ...ID_RANGE }), {
        maxItems: MARK_READ_MAX,
        description: 'The notifications to mark read; without it, all of them',
      }),
    ),
  },
  { additionalProperties: false },
);

export const UnreadCount = Type.Object(
  { unread_count: Type.Integer({ description: `Unread notifications, counted up to 100` }) },
  { $id: 'UnreadCount' },
);

export const notificationComponents = [Notification, UnreadCount];
