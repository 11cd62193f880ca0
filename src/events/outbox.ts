/**
 * The outbox: every state change appends its event here, inside the transaction that makes the
 * change, so an event exists exactly when its change does. Consumers read this table later.
 */
import type { Tx } from '../db/database.ts';

export type EventType =
  | 'user.created'
  | 'article.created'
  | 'article.updated'
  | 'article.published'
  | 'article.scheduled'
  | 'article.unpublished'
  | 'article.deleted'
  | 'site.updated';

export interface EventPayload<T = unknown> {
  type: EventType;
  timestamp: string;
  data: T;
}

export async function appendEvent(
  tx: Tx,
  type: EventType,
  subject: string,
  data: unknown,
  at: Date,
): Promise<void> {
  tx.markEvent();
  const timestamp = at.toISOString();
  const payload: EventPayload = { type, timestamp, data };
  await tx.db
    .insertInto('events')
    .values({ type, subject, payload: JSON.stringify(payload), created_at: timestamp })
    .execute();
}
