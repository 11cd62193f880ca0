/**
 * The daily digest: a dispatcher job that mails each account that asked for one (and has mail
 * on this instance) the notifications it has not read that arrived since its last digest, at
 * most once a day. The mail is queued like any other (mail.service.ts), so a mail server that is
 * away loses nothing. It carries a one-click unsubscribe (RFC 8058): `List-Unsubscribe` with a
 * link signed for the account, and `List-Unsubscribe-Post`, which mail programs POST without a
 * cookie or a form.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { html } from 'ghtml';
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import type { DispatcherJob } from '../../events/dispatcher-parts.ts';
import { mailConfigured, queueMail } from '../mail/mail.service.ts';
import {
  claimDigest,
  dueDigests,
  oldestDigest,
  setPreferences,
} from './notifications.repository.ts';
import { sentenceText, targetPath } from './notifications.presenter.ts';
import { inbox } from './notifications.service.ts';

export const DIGEST_EVERY_MS = 24 * 3600 * 1000;
/** Notifications listed in one digest; the rest are counted. */
const LISTED = 20;
/** Accounts one run of the job takes; the next run takes the next. */
const PER_RUN = 50;
/** How long the job trusts what it last read of the next digest due. */
const RECHECK_MS = 60_000;

function signature(ctx: AppContext, userId: number): string {
  return createHmac('sha256', ctx.secret)
    .update(`quire-digest-unsubscribe:${userId}`)
    .digest('base64url');
}

/** The link that stops an account's digests, signed for it: no sign-in needed. */
export function unsubscribeUrl(ctx: AppContext, userId: number): string {
  return `${ctx.config.baseUrl}/notifications/unsubscribe?u=${userId}&t=${signature(ctx, userId)}`;
}

/** Whether `token` is the unsubscribe signature of the account. */
export function validUnsubscribe(ctx: AppContext, userId: number, token: string): boolean {
  const expected = Buffer.from(signature(ctx, userId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The digest mail of an account, or null when nothing unread arrived since `since`. */
async function digestMail(ctx: AppContext, user: UserRow, since: string) {
  const shown = (await inbox(ctx, user, { page: 1, perPage: LISTED + 1, unreadOnly: true })).filter(
    (s) => s.notification.updated_at >= since,
  );
  if (shown.length === 0) return null;
  const listed = shown.slice(0, LISTED);
  const more = shown.length > LISTED;
  const base = ctx.config.baseUrl;
  const unsubscribe = unsubscribeUrl(ctx, user.id);
  const lines = listed.map((s) => `- ${sentenceText(s)}\n  ${base}${targetPath(s)}`);
  const subject = `${listed.length}${more ? '+' : ''} new notification${listed.length === 1 && !more ? '' : 's'}`;
  const text = [
    `Hello ${user.name || user.username},`,
    '',
    'Here is what happened since your last digest:',
    '',
    ...lines,
    ...(more ? ['', 'And more:'] : []),
    '',
    `All your notifications: ${base}/notifications`,
    '',
    `You get this mail once a day because you asked for it. Stop it: ${unsubscribe}`,
  ].join('\n');
  const body = html`<p>Hello ${user.name || user.username},</p>
<p>Here is what happened since your last digest:</p>
<ul>${listed.map((s) => html`<li><a href="${base + targetPath(s)}">${sentenceText(s)}</a></li>`)}</ul>
${more ? html`<p>And more.</p>` : ''}<p><a href="${`${base}/notifications`}">All your notifications</a></p>
<p>You get this mail once a day because you asked for it. <a href="${unsubscribe}">Stop these mails</a>.</p>`;
  return {
    to: user.email,
    subject,
    text,
    html: body,
    headers: {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

/** Sends the digests that are due; returns how many went. */
export async function sendDueDigests(ctx: AppContext): Promise<number> {
  if (!mailConfigured(ctx)) return 0;
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  const dayAgo = new Date(now.getTime() - DIGEST_EVERY_MS).toISOString();
  let sent = 0;
  for (const user of await dueDigests(ctx.database.db, dayAgo, PER_RUN)) {
    const mail = await digestMail(ctx, user, user.digest_sent_at ?? dayAgo);
    await ctx.database.transaction(async (tx) => {
      // Another node may have taken it meanwhile: then it sends it, and this one nothing.
      if (!(await claimDigest(tx.db, user, stamp)) || !mail) return;
      await queueMail(ctx, tx, mail, user.id, now);
      sent++;
    });
  }
  return sent;
}

const checked = new WeakMap<AppContext, { at: number; next: Date | null }>();

/** When the next digest is due, read at most once a minute. */
async function nextDigestAt(ctx: AppContext): Promise<Date | null> {
  const now = ctx.clock.now().getTime();
  const last = checked.get(ctx);
  if (last && now - last.at < RECHECK_MS) return last.next;
  const oldest = await oldestDigest(ctx.database.db);
  const next =
    oldest === undefined
      ? null
      : new Date(oldest === null ? now : Date.parse(oldest) + DIGEST_EVERY_MS);
  checked.set(ctx, { at: now, next });
  return next;
}

export const notificationDigest: DispatcherJob = {
  name: 'notification-digest',
  async run(ctx) {
    if (!mailConfigured(ctx)) return 0;
    const next = await nextDigestAt(ctx);
    if (!next || next > ctx.clock.now()) return 0;
    const sent = await sendDueDigests(ctx);
    checked.delete(ctx);
    return sent;
  },
  nextAt: async (ctx) => (mailConfigured(ctx) ? nextDigestAt(ctx) : null),
};

/**
 * Stops an account's digests from the signed link of one of them (a click, or a mail program's
 * one-click POST); false when the link is not a valid one.
 */
export async function stopDigest(ctx: AppContext, userId: number, token: string): Promise<boolean> {
  if (!Number.isSafeInteger(userId) || userId < 1 || !validUnsubscribe(ctx, userId, token)) {
    return false;
  }
  await setPreferences(ctx.database.db, userId, { digest: 0 });
  return true;
}
