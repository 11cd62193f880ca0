/** Row types of every table, as Kysely sees them. Timestamps are ISO-8601 text; flags are 0/1. */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  email: string;
  password_hash: string;
  role: 'user' | 'admin';
  summary: string | null;
  website_url: string | null;
  location: string | null;
  profile_image: string | null;
  twitter_username: string | null;
  github_username: string | null;
  session_version: Generated<number>;
  created_at: string;
  updated_at: string;
  /** When an administrator suspended the account: it may not write, and its content is hidden. */
  suspended_at: Generated<string | null>;
  /** Accounts that follow this one; kept by every follow and unfollow, like the two below. */
  followers_count: Generated<number>;
  /** Accounts this one follows. */
  following_users_count: Generated<number>;
  /** Tags this one follows. */
  following_tags_count: Generated<number>;
  /** The kinds of notification this account turned off, a bit each (notifications.rules.ts). */
  notifications_off: Generated<number>;
  /** 1 when the account wants a daily mail of the notifications it has not read. */
  digest: Generated<number>;
  /** When the last digest went to this account. */
  digest_sent_at: Generated<string | null>;
}

export interface SessionsTable {
  /** SHA-256 of the session token; the token itself lives only in the signed cookie. */
  id: string;
  user_id: number;
  created_at: string;
  expires_at: string;
}

export interface PasswordResetsTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 (hex) of the token; the token itself is only in the mail. */
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  key_hash: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface LoginFailuresTable {
  /** `user:<name>` or `ip:<address>`. */
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

export interface SeriesTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  created_at: string;
}

export interface ArticlesTable {
  id: Generated<number>;
  user_id: number;
  slug: string;
  title: string;
  description: string;
  /** 1 when the description was derived from the body rather than given. */
  description_auto: number;
  body_markdown: string;
  body_html: string;
  /** The text of body_html a reader sees (src/render/html-text.ts): what search indexes. */
  body_text: string;
  cover_image: string | null;
  canonical_url: string | null;
  series_id: number | null;
  published: number;
  published_at: string | null;
  reading_time_minutes: number;
  /** Tags in their given order, comma-separated: the display form Forem calls `tags`. */
  cached_tag_list: string;
  created_at: string;
  edited_at: string | null;
  updated_at: string;
  /** When `article.published` was written for the current publication; null until it goes live. */
  announced_at: Generated<string | null>;
  /** Comments not deleted, kept by every comment write. */
  comments_count: Generated<number>;
  /** Reactions of the public categories (not the reading list), kept by every reaction write. */
  public_reactions_count: Generated<number>;
  /** When the newest comment was written; null without comments. */
  last_comment_at: Generated<string | null>;
}

export interface TagsTable {
  id: Generated<number>;
  name: string;
  created_at: string;
  /**
   * How many published articles carry the tag, scheduled ones included (whether those are live
   * yet is a matter of time, settled when the count is read). Kept by every write.
   */
  published_count: Generated<number>;
  /** Accounts that follow the tag, kept by every follow and unfollow. */
  followers_count: Generated<number>;
}

export interface ArticleTagsTable {
  article_id: number;
  tag_id: number;
  position: number;
  /** The article's own `published` and `published_at`, so a tag's list is one index range. */
  published: number;
  published_at: string | null;
}

export interface FeedSourcesTable {
  id: Generated<number>;
  user_id: number;
  url: string;
  publish: number;
  canonical: number;
  interval_seconds: number;
  next_poll_at: string;
  /** A poller holds the source until then; an expired lease returns it to the queue. */
  lease_until: string | null;
  lease_owner: string | null;
  etag: string | null;
  last_modified: string | null;
  last_polled_at: string | null;
  last_status: string | null;
  last_error: string | null;
  /** The last import's summary, as JSON. */
  last_log: string | null;
  created_at: string;
}

export interface FeedItemsTable {
  id: Generated<number>;
  user_id: number;
  /** The item's guid, else its link: what makes a later run skip it. */
  item_key: string;
  article_id: number | null;
  feed_source_id: number | null;
  imported_at: string;
}

/** Site-wide settings that an administrator can change, by key. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  /** What the event is about, e.g. `article:12`. */
  subject: string;
  payload: string;
  created_at: string;
  /** The account the event concerns, whose webhooks hear of it; null for site-wide events. */
  owner_id: number | null;
  /** The cache keys the change touches, space-separated; null (older events) means all. */
  cache_keys: string | null;
  /** A second account the event concerns (a reply: the parent comment's author), or null. */
  co_owner_id: Generated<number | null>;
}

/** Where a consumer of the outbox has read up to: the id of the last event it took. */
export interface ConsumersTable {
  name: string;
  position: number;
  updated_at: string;
}

export interface WebhookEndpointsTable {
  id: Generated<number>;
  user_id: number;
  target_url: string;
  /** Free text naming the integration, as Forem's API has it. */
  source: string;
  /** The event types delivered, as a JSON array. */
  events: string;
  /** `whsec_` and base64 key bytes, per the Standard Webhooks spec. */
  secret: string;
  /** The secret before the last rotation, still signed with until `previous_secret_until`. */
  previous_secret: string | null;
  previous_secret_until: string | null;
  /** When deliveries started failing without a success since; null while healthy. */
  failing_since: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebsubSubscriptionsTable {
  id: Generated<number>;
  /** The absolute URL of the feed subscribed to. */
  topic: string;
  callback: string;
  secret: string | null;
  lease_seconds: number;
  expires_at: string;
  /** The hash of the feed content last sent, so an unchanged feed is not sent again. */
  content_hash: string | null;
  created_at: string;
  updated_at: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'dead';

/** One message to one webhook endpoint or WebSub subscriber, tried until it succeeds or dies. */
export interface DeliveriesTable {
  id: Generated<number>;
  endpoint_id: number | null;
  subscription_id: number | null;
  /** `endpoint:<id>` or `subscription:<id>`: what per-target concurrency limits count by. */
  target: string;
  event_id: number | null;
  /** `webhook-id`: the same on every attempt and every replay. */
  message_id: string;
  event_type: string;
  content_type: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface DeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  attempted_at: string;
  outcome: string;
  status_code: number | null;
  latency_ms: number;
  /** The first kilobyte of the answer. */
  response: string | null;
  error: string | null;
}

export interface CommentsTable {
  id: Generated<number>;
  article_id: number;
  user_id: number;
  /** The comment this one answers; null at the top of the thread. */
  parent_id: number | null;
  body_markdown: string;
  body_html: string;
  /** 0 shown; 1 hidden by the article's author, 2 by a moderator: it collapses for everyone. */
  hidden: Generated<number>;
  /** 1 once deleted: its text is gone ("[deleted]") and its replies stay. */
  deleted: Generated<number>;
  public_reactions_count: Generated<number>;
  created_at: string;
  edited_at: string | null;
  updated_at: string;
}

export interface ReactionsTable {
  id: Generated<number>;
  user_id: number;
  /** `Article` or `Comment`, as Forem names them. */
  reactable_type: string;
  reactable_id: number;
  category: string;
  created_at: string;
}

export interface FollowsTable {
  id: Generated<number>;
  follower_id: number;
  /** `User` or `Tag`, as Forem names them. */
  followable_type: 'User' | 'Tag';
  followable_id: number;
  created_at: string;
}

/** How many actions of one kind an account took in the window that began at `window_start`. */
export interface ActionCountsTable {
  /** The kind and the account, e.g. `react:12`. */
  key: string;
  window_start: string;
  count: number;
}

export interface ReportsTable {
  id: Generated<number>;
  reporter_id: number;
  /** `Article` or `Comment`. */
  reportable_type: string;
  reportable_id: number;
  reason: string;
  note: string;
  status: Generated<'open' | 'resolved'>;
  /** What the moderator did: dismiss, hide, delete or suspend. */
  resolution: string | null;
  resolved_by: number | null;
  created_at: string;
  resolved_at: string | null;
}

export interface NotificationsTable {
  id: Generated<number>;
  /** Who is notified. */
  user_id: number;
  kind: 'follower' | 'comment' | 'reply' | 'reaction' | 'article' | 'mention';
  /** The event that made it: a reader has at most one notification per event. */
  event_id: number;
  /** Reactions to one item gather under this key while unread (`Article:12`); else null. */
  group_key: string | null;
  /** Who did it; for gathered reactions, the latest of them. */
  actor_id: number | null;
  /** How many people are gathered in it. */
  actors_count: Generated<number>;
  article_id: number | null;
  comment_id: number | null;
  unread: Generated<number>;
  created_at: string;
  updated_at: string;
  read_at: string | null;
}

export interface NotificationActorsTable {
  notification_id: number;
  actor_id: number;
}

/** Each event a reader has been considered for, notified or not. */
export interface NotificationReceiptsTable {
  user_id: number;
  event_id: number;
}

export interface NotificationMutesTable {
  user_id: number;
  article_id: number;
  created_at: string;
}

/** A reader's "Following" view: the articles of the accounts and tags it follows. */
export interface TimelineTable {
  user_id: number;
  article_id: number;
  author_id: number;
  published_at: string;
  /** 1 an account followed, 2 a tag, 3 both. */
  via: number;
}

/** A publish still being spread to the followers of its author or of one of its tags. */
export interface FanoutsTable {
  id: Generated<number>;
  event_id: number;
  article_id: number;
  author_id: number;
  published_at: string;
  followable_type: 'User' | 'Tag';
  followable_id: number;
  /** The last follow worked through. */
  after_follow_id: Generated<number>;
  created_at: string;
  /** When the last batch went; null while followers remain. */
  finished_at: Generated<string | null>;
}

/**
 * PostgreSQL only: each article's search vector (title A, tags B, description C, body D), written
 * by triggers on `articles` in the transaction of every write (migration 0011).
 */
export interface ArticleSearchTable {
  article_id: number;
  document: string;
}

/**
 * SQLite only: the FTS5 index of articles, with `articles` as its external content (`rowid` is
 * the article's id), written by triggers on `articles` (migration 0011).
 */
export interface ArticlesFtsTable {
  rowid: number;
  title: string;
  cached_tag_list: string;
  description: string;
  body_markdown: string;
}

export interface Schema {
  users: UsersTable;
  sessions: SessionsTable;
  password_resets: PasswordResetsTable;
  api_keys: ApiKeysTable;
  login_failures: LoginFailuresTable;
  series: SeriesTable;
  articles: ArticlesTable;
  article_search: ArticleSearchTable;
  articles_fts: ArticlesFtsTable;
  tags: TagsTable;
  article_tags: ArticleTagsTable;
  comments: CommentsTable;
  reactions: ReactionsTable;
  follows: FollowsTable;
  reports: ReportsTable;
  action_counts: ActionCountsTable;
  notifications: NotificationsTable;
  notification_actors: NotificationActorsTable;
  notification_receipts: NotificationReceiptsTable;
  notification_mutes: NotificationMutesTable;
  timeline: TimelineTable;
  fanouts: FanoutsTable;
  settings: SettingsTable;
  feed_sources: FeedSourcesTable;
  feed_items: FeedItemsTable;
  events: EventsTable;
  consumers: ConsumersTable;
  webhook_endpoints: WebhookEndpointsTable;
  websub_subscriptions: WebsubSubscriptionsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type ArticleRow = Selectable<ArticlesTable>;
export type NewArticle = Insertable<ArticlesTable>;
export type ArticleUpdate = Updateable<ArticlesTable>;
/** An article as lists read it: everything but the bodies, which no list item shows. */
export type ArticleListRow = Omit<ArticleRow, 'body_markdown' | 'body_html' | 'body_text'>;
export type CommentRow = Selectable<CommentsTable>;
export type ReactionRow = Selectable<ReactionsTable>;
export type FollowRow = Selectable<FollowsTable>;
export type ReportRow = Selectable<ReportsTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type FanoutRow = Selectable<FanoutsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type EventRow = Selectable<EventsTable>;
export type FeedSourceRow = Selectable<FeedSourcesTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebsubSubscriptionRow = Selectable<WebsubSubscriptionsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type DeliveryAttemptRow = Selectable<DeliveryAttemptsTable>;
