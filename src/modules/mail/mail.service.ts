/**
 * Mail, queued like any other delivery: a service that wants a mail sent queues it inside the
 * transaction of its change, so the mail exists exactly when the change does, and the dispatcher
 * sends it after the commit, retried on the delivery schedule while the server is away
 * (mail-dispatch.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import { pendingDelivery } from '../../events/deliveries.ts';
import { insertDeliveries } from '../../events/deliveries.repository.ts';
import { appendEvent } from '../../events/outbox.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Headers of its own, such as List-Unsubscribe. */
  headers?: Record<string, string>;
}

/** Deliveries of this channel: `mail:<account>`, which per-target concurrency counts by. */
export const MAIL_TARGET_PREFIX = 'mail:';
export const MAIL_EVENT_TYPE = 'mail.requested';

/** Whether this instance can send mail at all (QUIRE_SMTP_URL is set). */
export function mailConfigured(ctx: AppContext): boolean {
  return ctx.config.smtpUrl !== undefined;
}

/**
 * Queues a mail to the account `ownerId` in the caller's transaction. The message (which may
 * carry a one-time link) is kept in its delivery only, which no webhook and no API shows; the
 * `mail.requested` event names the recipient and the subject, for the record.
 */
export async function queueMail(
  ctx: AppContext,
  tx: Tx,
  mail: Mail,
  ownerId: number,
  now: Date,
): Promise<void> {
  const messageId = `mail_${randomUUID()}`;
  await insertDeliveries(tx.db, [
    pendingDelivery(
      ctx,
      {
        target: `${MAIL_TARGET_PREFIX}${ownerId}`,
        eventId: null,
        messageId,
        eventType: MAIL_EVENT_TYPE,
        contentType: 'application/json',
        body: JSON.stringify(mail),
      },
      now,
    ),
  ]);
  await appendEvent(
    tx,
    {
      type: MAIL_EVENT_TYPE,
      subject: `user:${ownerId}`,
      data: { message_id: messageId, to: mail.to, subject: mail.subject },
      ownerId,
      // No public answer shows a mail.
      keys: [],
    },
    now,
  );
}
