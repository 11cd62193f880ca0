/**
 * What every HTML route shares: the page frame around a body, forms re-shown with their errors,
 * the CSRF check, the sign-in gate for pages that belong to someone, and the cache of public
 * pages: what people who are not signed in see is built once per content version, compressed
 * once, and revalidated with its ETag.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { nextNewYear } from '../modules/articles/articles.presenter.ts';
import { nextScheduledAt } from '../modules/articles/articles.service.ts';
import type { CachePolicy } from '../http/conditional.ts';
import { csrfFor } from '../http/csrf.ts';
import { writeLimit } from '../http/rate-limits.ts';
import { type CachedAs, replyFromCache } from '../http/shared-response-cache.ts';
import { SITE_KEY } from '../events/cache-keys.ts';
import { UNMATCHED_ROUTE } from '../metrics/metrics.ts';
import { PageQuery } from '../http/schemas.ts';
import { PAGE_RANGE, queryInteger } from '../http/url-numbers.ts';
import { SESSION_COOKIE } from '../modules/auth/sessions.ts';
import { unreadCount } from '../modules/notifications/notifications.service.ts';
import type { FormState } from './templates/forms.ts';
import { type FeedLink, layout } from './templates/layout.ts';
import { siteName } from '../modules/site/site.service.ts';

export type Form = Record<string, string | undefined>;

/** A form field's text; absent and non-text values read as ''. */
export const text = (form: Form | undefined, key: string): string =>
  typeof form?.[key] === 'string' ? form[key] : '';

/** `?page=N` of a query string: 1 when absent, null when broken (the schema refuses those). */
function pageOf(query: string | undefined): number | null {
  const page = queryInteger(query ?? '', 'page', PAGE_RANGE);
  return page === undefined ? 1 : page;
}

/** The query of every paged page: a broken `?page=` is a 422 page, not page 1. */

/** `?page=N` of a paged route: its schema refused a broken one and made it a number. */
export function pageNumber(request: FastifyRequest): number {
  const { page } = request.query as { page?: unknown };
  return typeof page === 'number' ? page : 1;
}

export interface PageExtras {
  /** Tags for <head>, already escaped. */
  head?: string;
  description?: string;
  feeds?: FeedLink[];
}

/** What a public page shows, before the layout goes around it. */
export interface PageContent extends PageExtras {
  title: string;
  body: string;
  /**
   * The cache keys of what the page shows (`events/cache-keys.ts`): an event naming one drops
   * the cached page. The site's name, in every page's layout, is added by the kit.
   */
  keys: string[];
  /** Keys of counts the page shows on cards, which may lag (`BuildResult.softKeys`). */
  softKeys?: string[];
}

/**
 * Browsers keep a page but ask each time whether it changed (a 304 costs a few bytes); a shared
 * cache in front keeps it for requests without cookies, since signed-in readers see their own.
 */
export function pageCachePolicy(config: { sharedMaxAge: number }): CachePolicy {
  return { maxAge: 0, sharedMaxAge: config.sharedMaxAge, vary: 'Accept-Encoding, Cookie' };
}

/**
 * The cache key of a page for a request without a session: signed-in people see their own
 * header, so only others share pages. Null when the request carries a session cookie.
 */
export function pageKeyOf(url: string, request: { headers: IncomingHttpHeaders }): string | null {
  const cookie = request.headers.cookie;
  if (cookie?.includes(`${SESSION_COOKIE}=`)) return null;
  // Pages read no parameter but the page number: other query strings share the entry, so
  // made-up ones cannot fill the cache or make it render again.
  const [path = '', query] = url.split('?', 2);
  // Search pages read their query, and are kept apart (web/search.routes.ts).
  if (path === '/search' || path === '/search/') return null;
  const page = pageOf(query);
  // A broken page number goes to the route, which answers it with a 422.
  if (page === null) return null;
  return page === 1 ? `page:${path}` : `page:${path}?page=${page}`;
}

/**
 * The route template of a cached page's URL, for the fast path's request counts: only the
 * public pages (home, tag, profile, article, a comment's page) are ever cached.
 */
export function pageRouteOf(url: string): string {
  const [path = ''] = url.split('?', 1);
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.length === 0) return '/';
  if (parts.length === 1) return '/:username';
  if (parts.length === 2) return parts[0] === 't' ? '/t/:tag' : '/:username/:slug';
  if (parts.length === 4 && parts[2] === 'comments') return '/:username/:slug/comments/:id';
  return UNMATCHED_ROUTE;
}

export interface PageKit {
  /** Route options for a form post: hidden from the API docs, CSRF token checked, rate limited. */
  csrf: {
    schema: { hide: true };
    preHandler: FastifyInstance['csrfProtection'];
    config: { rateLimit: { max: number; timeWindow: number; allowList: () => boolean } };
  };
  hide: { schema: { hide: true } };
  /** Route options for a page that takes `?page=N`. */
  paged: { schema: { hide: true; querystring: typeof PageQuery } };
  /** Answers with the body inside the site's layout. */
  send: (
    request: FastifyRequest,
    reply: FastifyReply,
    title: string,
    body: string,
    status?: number,
    extra?: PageExtras,
  ) => Promise<FastifyReply>;
  /**
   * Re-shows a form after an AppError, with field errors beside their fields and what the person
   * typed kept (passwords and the CSRF token excepted). Other errors are rethrown.
   */
  formError: (
    request: FastifyRequest,
    reply: FastifyReply,
    title: string,
    render: (state: FormState) => string,
    error: unknown,
  ) => Promise<FastifyReply>;
  /**
   * The signed-in account, or null after redirecting to the sign-in page (which comes back here
   * afterwards). Callers return the reply when it is null.
   */
  signedIn: (request: FastifyRequest, reply: FastifyReply) => UserRow | null;
  /**
   * A page anyone may see. Without a session it comes from the page cache (built by `build` when
   * the content changed since), with ETag and 304; with one it is built for that person. `build`
   * throws (e.g. not found) to answer an error page instead. The entry is the URL's `pageKeyOf`
   * in the response cache unless `cachedAs` says otherwise (search pages); its null key: not
   * cached, built for this request.
   */
  publicPage: (
    request: FastifyRequest,
    reply: FastifyReply,
    build: () => Promise<PageContent>,
    cachedAs?: CachedAs,
  ) => Promise<FastifyReply>;
}

const PASSWORD_FIELDS = new Set([
  'password',
  'current_password',
  'new_password',
  'new_password_confirmation',
  '_csrf',
]);

export function pageKit(ctx: AppContext, app: FastifyInstance): PageKit {
  const hide = { schema: { hide: true as const } };
  const paged = { schema: { hide: true as const, querystring: PageQuery } };
  const send: PageKit['send'] = async (request, reply, title, body, status = 200, extra = {}) => {
    const csrfToken = request.user ? csrfFor(reply) : undefined;
    // Only pages built for a signed-in person (private, never shared) carry the count.
    const unread = request.user ? await unreadCount(ctx, request.user) : undefined;
    const page = layout(
      { siteName: await siteName(ctx), title, user: request.user, csrfToken, unread, ...extra },
      body,
    );
    return reply.status(status).type('text/html; charset=utf-8').send(page);
  };
  return {
    hide,
    paged,
    csrf: {
      ...hide,
      preHandler: app.csrfProtection.bind(app),
      // Form posts write (and "Import now" fetches): they count against the write limit, which
      // the site-wide limiter, made for the API, would otherwise leave out.
      config: { rateLimit: { ...writeLimit(ctx).rateLimit, allowList: () => false } },
    },
    send,
    publicPage: async (request, reply, build, cachedAs) => {
      const key = request.user
        ? null
        : cachedAs
          ? cachedAs.key
          : pageKeyOf(request.url, request.raw);
      if (key === null) {
        const { title, body, keys: _keys, softKeys: _softKeys, ...extra } = await build();
        reply.header('cache-control', 'private, no-store');
        return send(request, reply, title, body, 200, extra);
      }
      const now = ctx.clock.now();
      return replyFromCache(
        ctx,
        request,
        reply,
        key,
        pageCachePolicy(ctx.config),
        async () => {
          const { title, body, keys, softKeys, ...extra } = await build();
          const scheduled = await nextScheduledAt(ctx);
          return {
            representation: {
              body: layout({ siteName: await siteName(ctx), title, user: null, ...extra }, body),
              type: 'text/html; charset=utf-8',
              lastModified: now,
            },
            expiresAt: Math.min(scheduled?.getTime() ?? Infinity, nextNewYear(now)),
            keys: [SITE_KEY, ...keys],
            ...(softKeys && { softKeys }),
          };
        },
        cachedAs?.cache,
      );
    },
    formError: (request, reply, title, render, error) => {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const values: Record<string, string> = {};
      for (const [key, value] of Object.entries((request.body ?? {}) as Form)) {
        if (typeof value === 'string' && !PASSWORD_FIELDS.has(key)) values[key] = value;
      }
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      const state: FormState = {
        values,
        errors: error.errors ?? [],
        message: error.errors ? undefined : error.message,
        csrfToken: csrfFor(reply),
      };
      return send(request, reply, title, render(state), error.status);
    },
    signedIn: (request, reply) => {
      if (request.user) return request.user;
      // A form posted after the session ended cannot be replayed: sign in, then start over.
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      void reply.redirect(`/enter${next}`, 303);
      return null;
    },
  };
}

/** A local path to go back to after signing in; anything else (another site) becomes `/`. */
export function safeNext(next: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}
