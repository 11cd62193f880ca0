/**
 * The mail channel of the delivery queue: sends each queued mail through the SMTP server of
 * QUIRE_SMTP_URL with nodemailer. A server that is away, slow past QUIRE_DELIVERY_TIMEOUT, or
 * answering with an error leaves the mail queued for the next step of the retry schedule; the
 * mail is dead when the schedule is spent. Once sent, the message leaves the database: its body
 * held a one-time link that nothing needs any more.
 */
import { createTransport } from 'nodemailer';
import type { AppContext } from '../../context.ts';
import type { DeliveryRow } from '../../db/schema.ts';
import { clearDeliveryBody } from '../../events/deliveries.repository.ts';
import type { AttemptResult } from '../../events/delivery-attempt.ts';
import type { SendingChannel } from '../../events/dispatcher-parts.ts';
import { type Mail, MAIL_TARGET_PREFIX } from './mail.service.ts';

type Transport = ReturnType<typeof createTransport>;

/** One transport per configuration (a test server each), made when the first mail goes. */
const transports = new WeakMap<AppContext['config'], Transport>();

function transportOf(ctx: AppContext, url: string): Transport {
  let transport = transports.get(ctx.config);
  if (!transport) {
    const timeout = ctx.config.deliveryTimeout * 1000;
    transport = createTransport({
      url,
      // Each wait (connecting, the greeting, every answer) is bounded.
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    transports.set(ctx.config, transport);
  }
  return transport;
}

const EXCERPT = 1024;

function failure(error: unknown, latencyMs: number): AttemptResult {
  const e = error as { responseCode?: unknown; code?: unknown; message?: unknown };
  const statusCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const message = typeof e.message === 'string' ? e.message : 'sending failed';
  return {
    outcome: statusCode === null ? 'error' : 'failed',
    statusCode,
    latencyMs,
    response: null,
    error: `${typeof e.code === 'string' ? `${e.code}: ` : ''}${message}`.slice(0, EXCERPT),
    retryAfter: null,
  };
}

function parseMail(body: string): Mail | null {
  try {
    const mail = JSON.parse(body) as Partial<Mail>;
    return typeof mail.to === 'string' && typeof mail.subject === 'string' ? (mail as Mail) : null;
  } catch {
    return null;
  }
}

/** The Message-ID of a delivery: the same on every attempt, so a receiver can see a repeat. */
function messageIdOf(ctx: AppContext, delivery: DeliveryRow): string {
  return `<${delivery.message_id}@${new URL(ctx.config.baseUrl).hostname}>`;
}

export const mailChannel: SendingChannel = {
  name: 'mail',
  owns: (delivery) => delivery.target.startsWith(MAIL_TARGET_PREFIX),

  async send(ctx, delivery) {
    const mail = parseMail(delivery.body);
    // A body already cleared (sent, then claimed again after a lost lease) or unreadable.
    if (!mail) return null;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = ctx.config.smtpUrl;
    if (url === undefined) {
      // Mail was switched off after this one was queued: it waits, in case it comes back.
      return failure(new Error('mail is not configured (QUIRE_SMTP_URL)'), 0);
    }
    try {
      const info = (await transportOf(ctx, url).sendMail({
        from: ctx.config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.headers && { headers: mail.headers }),
        messageId: messageIdOf(ctx, delivery),
      })) as { response?: unknown };
      const response = typeof info.response === 'string' ? info.response : '';
      const code = Number(/^\d{3}/.exec(response)?.[0] ?? NaN);
      return {
        outcome: 'succeeded',
        statusCode: Number.isNaN(code) ? null : code,
        latencyMs: elapsed(),
        response: response.slice(0, EXCERPT),
        error: null,
        retryAfter: null,
      };
    } catch (error) {
      return failure(error, elapsed());
    }
  },

  async afterAttempt(_ctx, tx, delivery, result) {
    if (result.outcome === 'succeeded') await clearDeliveryBody(tx.db, delivery.id);
  },
};
