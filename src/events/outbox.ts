/**
 * The outbox: every state change appends its event here, inside the transaction that makes the
 * change, so an event exists exactly when its change does. Consumers read this table later.
 */
import type { Tx } from '../db/database.ts';
import { joinKeys } from './cache-keys.ts';
import { insertEvents } from './events.repository.ts';

export type EventType =
  | 'user.created'
  | 'user.updated'
  | 'article.created'
  | 'article.updated'
  | 'article.published'
  | 'article.scheduled'
  | 'article.unpublished'
  | 'article.deleted'
  | 'site.updated'
  | 'comment.created'
  | 'comment.updated'
  | 'comment.deleted'
  | 'reaction.created'
  | 'reaction.deleted'
  | 'follow.created'
  | 'follow.deleted'
  | 'report.created'
  | 'report.resolved'
  | 'user.suspended'
  | 'user.unsuspended'
  | 'webhook_endpoint.disabled'
  /**
   * A mail was queued (a password reset link, say): it names the recipient and the subject; the
   * message itself waits in its delivery, never in an event, so no webhook can hear a link in it.
   */
  | 'mail.requested';

/** The event types a webhook endpoint may subscribe to; the others are internal. */
export const WEBHOOK_EVENT_TYPES = [
  'article.published',
  'article.updated',
  'article.unpublished',
  'article.deleted',
  'user.created',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'reaction.created',
  'reaction.deleted',
  'webhook_endpoint.disabled',
] as const satisfies readonly EventType[];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const WEBHOOK_TYPES: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/** Whether webhook endpoints may hear of events of this type. */
export function isWebhookEventType(type: string): type is WebhookEventType {
  return WEBHOOK_TYPES.has(type);
}

export interface EventPayload<T = unknown> {
  type: EventType;
  timestamp: string;
  data: T;
}

/** An event about to be appended: `ownerId` is the account it concerns (see appendEvents). */
export interface PendingEvent {
  type: EventType;
  subject: string;
  data: unknown;
  ownerId: number | null;
  /** A second account the event concerns, whose webhooks hear of it too (a reply's parent author). */
  coOwnerId?: number | null;
  /**
   * The cache keys the change touches (`cache-keys.ts`): every node drops the cached answers
   * built from them. An event no public answer shows (a draft saved) names only its own.
   */
  keys: readonly string[];
}

/**
 * Appends events, in order, in one statement. `ownerId` is the account an event concerns: its
 * webhook endpoints hear of it (an administrator's hear of everything). It takes the transaction
 * of the change the events describe (a Tx exists only inside Database.transaction): the outbox
 * lock is held from here to the commit, and listeners are woken once it commits.
 */
export async function appendEvents(tx: Tx, events: PendingEvent[], at: Date): Promise<void> {
  if (events.length === 0) return;
  tx.markEvent();
  const timestamp = at.toISOString();
  // Events of one change often carry the same data (an article created and published at once):
  // it is serialized once. The payload is the JSON of an EventPayload.
  const serialized = new Map<unknown, string>();
  const dataJson = (data: unknown) => {
    let json = serialized.get(data);
    if (json === undefined) {
      json = JSON.stringify(data) ?? 'null';
      serialized.set(data, json);
    }
    return json;
  };
  await insertEvents(
    tx,
    events.map(({ type, subject, data, ownerId, coOwnerId, keys }) => ({
      type,
      subject,
      payload: `{"type":${JSON.stringify(type)},"timestamp":${JSON.stringify(timestamp)},"data":${dataJson(data)}}`,
      created_at: timestamp,
      owner_id: ownerId,
      co_owner_id: coOwnerId === ownerId ? null : (coOwnerId ?? null),
      cache_keys: joinKeys(keys),
    })),
  );
}

export function appendEvent(tx: Tx, event: PendingEvent, at: Date): Promise<void> {
  return appendEvents(tx, [event], at);
}
