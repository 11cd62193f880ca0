/**
 * The unsubscribe link of the daily digest (digest.ts): a page with one button, and the POST it
 * makes, which is also what mail programs send for a one-click unsubscribe (RFC 8058), with no
 * cookie and no form token. The signed link is the authority, so neither a session nor a CSRF
 * token is asked for; a link that is not valid is a 404, and changes nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { writeLimit } from '../http/rate-limits.ts';
import { stopDigest, validUnsubscribe } from '../modules/notifications/digest.ts';
import { pageKit } from './page.ts';
import { unsubscribedPage, unsubscribePage } from './templates/digest.ts';

const PATH = '/notifications/unsubscribe';
const TITLE = 'Stop the daily digest';

/** The account and signature a link names, if they are well formed. */
function linkOf(request: FastifyRequest): { userId: number; token: string } | null {
  const { u, t } = request.query as { u?: unknown; t?: unknown };
  if (typeof u !== 'string' || typeof t !== 'string' || !/^[1-9]\d{0,15}$/.test(u)) return null;
  if (t.length > 100) return null;
  return { userId: Number(u), token: t };
}

export function unsubscribeRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { hide, send } = pageKit(ctx, app);
    // The signed link rides in the URL: no Referer may carry it away.
    app.addHook('onSend', async (_request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
    });

    app.get(PATH, hide, async (request, reply) => {
      reply.header('cache-control', 'private, no-store');
      const link = linkOf(request);
      if (!link || !validUnsubscribe(ctx, link.userId, link.token)) {
        throw notFound('This unsubscribe link is not valid');
      }
      const action = `${PATH}?u=${link.userId}&t=${encodeURIComponent(link.token)}`;
      return send(request, reply, TITLE, unsubscribePage(action));
    });

    app.post(PATH, { ...hide, config: writeLimit(ctx) }, async (request, reply) => {
      reply.header('cache-control', 'private, no-store');
      const link = linkOf(request);
      if (!link || !(await stopDigest(ctx, link.userId, link.token))) {
        throw notFound('This unsubscribe link is not valid');
      }
      return send(request, reply, TITLE, unsubscribedPage());
    });
  };
}
