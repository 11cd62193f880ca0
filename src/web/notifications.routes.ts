/**
 * The HTML side of notifications: the reader's inbox with its forms (mark read, mark all read,
 * mute a thread), the notification settings, and the "Following" view. Every page here belongs
 * to one reader: private, never stored by a cache, behind the sign-in gate.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { notFound, validationFailed } from '../errors.ts';
import { csrfFor } from '../http/csrf.ts';
import { PageNumber } from '../http/url-numbers.ts';
import { listedByIds } from '../modules/articles/articles.service.ts';
import { mailConfigured } from '../modules/mail/mail.service.ts';
import {
  followingPage,
  inbox,
  markNotificationsRead,
  muteThread,
  unreadCount,
  updateNotificationSettings,
} from '../modules/notifications/notifications.service.ts';
import { INBOX_PAGE, KINDS, wants } from '../modules/notifications/notifications.rules.ts';
import { type Form, pageKit, pageNumber, safeNext, text } from './page.ts';
import { doneNote, privateAnswers } from './settings-kit.ts';
import { oneButton } from './one-button.ts';
import {
  followingPage as followingTemplate,
  notificationSettingsPage,
  notificationsPage,
} from './templates/notifications.ts';

const DIGITS = /^[0-9]{1,15}$/;

/** `?page=N` and `?unread=1` (only "1" filters; anything else shows all). */
const InboxQuery = Type.Object({
  page: Type.Optional(PageNumber),
  unread: Type.Optional(Type.String({ maxLength: 10 })),
});

const NOTES = { saved: 'Saved' };

export function notificationPagesRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { csrf, hide, paged, send, formError, signedIn } = pageKit(ctx, app);
    privateAnswers(app);

    app.get(
      '/notifications',
      { schema: { hide: true, querystring: InboxQuery } },
      async (request, reply) => {
        const user = signedIn(request, reply);
        if (!user) return reply;
        const page = pageNumber(request);
        const unreadOnly = (request.query as { unread?: string }).unread === '1';
        const query = { page, perPage: INBOX_PAGE, unreadOnly };
        // One past the page says whether an older page follows.
        const [found, unread] = await Promise.all([
          inbox(ctx, user, query, 1),
          unreadCount(ctx, user),
        ]);
        const body = notificationsPage({
          items: found.slice(0, INBOX_PAGE),
          csrfToken: csrfFor(reply),
          baseUrl: ctx.config.baseUrl,
          now: ctx.clock.now(),
          page,
          hasMore: found.length > INBOX_PAGE,
          unreadOnly,
          unread,
        });
        return send(request, reply, 'Notifications', body);
      },
    );

    /** A one-button change that answers 303 back to the page it came from (`next`). */
    const action = (path: string, run: (request: FastifyRequest, form: Form) => Promise<unknown>) =>
      app.post(path, csrf, async (request, reply: FastifyReply) => {
        if (!signedIn(request, reply)) return reply;
        const form = (request.body ?? {}) as Form;
        const next = text(form, 'next');
        const back = next === '' ? '/notifications' : safeNext(next);
        return oneButton(formError, request, reply, back, () => run(request, form));
      });

    action('/notifications/read', async (request, form) => {
      const user = request.user!;
      if (text(form, 'all') !== '') return markNotificationsRead(ctx, user, null);
      const id = text(form, 'id');
      if (!DIGITS.test(id)) throw validationFailed([{ field: 'id', message: 'must be a number' }]);
      return markNotificationsRead(ctx, user, [Number(id)]);
    });

    action('/notifications/mute', async (request, form) => {
      const raw = text(form, 'article_id');
      const [item] = DIGITS.test(raw) ? await listedByIds(ctx, [Number(raw)]) : [];
      if (!item) throw notFound('This article does not exist');
      await muteThread(ctx, request.user!, item.article.id, text(form, 'muted') !== '0');
    });

    app.get('/settings/notifications', hide, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const body = notificationSettingsPage({
        kinds: KINDS.map((k) => ({ ...k, on: wants(user.notifications_off, k.kind) })),
        digest: user.digest === 1,
        mailConfigured: mailConfigured(ctx),
        csrfToken: csrfFor(reply),
        note: doneNote(request, NOTES),
      });
      return send(request, reply, 'Notification settings', body);
    });

    app.post('/settings/notifications', csrf, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const form = (request.body ?? {}) as Form;
      await updateNotificationSettings(ctx, user, {
        on: KINDS.filter((k) => text(form, `kind_${k.kind}`) !== '').map((k) => k.kind),
        digest: text(form, 'digest') !== '',
      });
      return reply.redirect('/settings/notifications?done=saved', 303);
    });

    app.get('/following', paged, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const page = pageNumber(request);
      const { items, more } = await followingPage(ctx, user, page);
      const body = followingTemplate({
        items,
        baseUrl: ctx.config.baseUrl,
        now: ctx.clock.now(),
        page,
        hasMore: more,
      });
      return send(request, reply, 'Following', body);
    });
  };
}
