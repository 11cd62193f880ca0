/**
 * Notifications in the API (Quire additions): the caller's notifications, unread first; marking
 * them read; and the unread count, the small private call a page makes for its header. Every
 * answer is the caller's own: never cached.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { requireUser } from '../../http/identity.ts';
import { errorResponses, keyAuth } from '../../http/openapi.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { Ref } from '../../http/schemas.ts';
import { notificationJson } from './notifications.presenter.ts';
import { INBOX_PAGE } from './notifications.rules.ts';
import {
  MarkReadBody,
  Notification,
  NotificationsQuery,
  UnreadCount,
} from './notifications.schemas.ts';
import { inbox, markNotificationsRead, unreadCount } from './notifications.service.ts';

const tags = ['notifications'];

export function notificationsRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const writeLimits = writeLimit(ctx);

    app.get(
      '/api/notifications',
      {
        schema: {
          operationId: 'getNotifications',
          tags,
          summary: "The caller's notifications, unread first, then newest first (a Quire addition)",
          security: keyAuth,
          querystring: NotificationsQuery,
          response: { ...errorResponses, 200: Type.Array(Ref(Notification)) },
        },
      },
      async (request, reply) => {
        const { page = 1, per_page = INBOX_PAGE, unread = false } = request.query;
        const shown = await inbox(ctx, requireUser(request), {
          page,
          perPage: per_page,
          unreadOnly: unread,
        });
        reply.header('cache-control', 'private, no-store');
        return shown.map((item) => notificationJson(item, ctx.config.baseUrl));
      },
    );

    app.get(
      '/api/notifications/unread_count',
      {
        schema: {
          operationId: 'getUnreadNotificationCount',
          tags,
          summary: "How many of the caller's notifications are unread (a Quire addition)",
          security: keyAuth,
          response: { ...errorResponses, 200: Ref(UnreadCount) },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'private, no-store');
        return { unread_count: await unreadCount(ctx, requireUser(request)) };
      },
    );

    app.post(
      '/api/notifications/read',
      {
        ...writeLimits,
        schema: {
          operationId: 'markNotificationsRead',
          tags,
          summary:
            'Marks the notifications named read, or all of them without `ids` (a Quire addition)',
          security: keyAuth,
          body: MarkReadBody,
          response: { ...errorResponses, 200: Ref(UnreadCount) },
        },
      },
      async (request, reply) => {
        const reader = requireUser(request);
        await markNotificationsRead(ctx, reader, request.body.ids ?? null);
        reply.header('cache-control', 'private, no-store');
        return { unread_count: await unreadCount(ctx, reader) };
      },
    );
  };
}
