/**
 * What every HTML route shares: the page frame around a body, forms re-shown with their errors,
 * the CSRF check, and the sign-in gate for pages that belong to someone.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { csrfFor } from '../../http/csrf.ts';
import type { FormState } from '../../render/templates/forms.ts';
import { type FeedLink, layout } from '../../render/templates/layout.ts';
import { siteName } from './site-settings.ts';

export type Form = Record<string, string | undefined>;

/** A form field's text; absent and non-text values read as ''. */
export const text = (form: Form | undefined, key: string): string =>
  typeof form?.[key] === 'string' ? form[key] : '';

/** `?page=N`, 1 when absent or nonsense. */
export function pageNumber(request: FastifyRequest): number {
  const page = Number((request.query as { page?: string }).page ?? 1);
  return Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1;
}

export interface PageExtras {
  /** Tags for <head>, already escaped. */
  head?: string;
  description?: string;
  feeds?: FeedLink[];
}

export interface PageKit {
  /** Route options for a form post: hidden from the API docs, CSRF token checked. */
  csrf: { schema: { hide: true }; preHandler: FastifyInstance['csrfProtection'] };
  hide: { schema: { hide: true } };
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
}

const PASSWORD_FIELDS = new Set(['password', 'current_password', 'new_password', '_csrf']);

export function pageKit(ctx: AppContext, app: FastifyInstance): PageKit {
  const hide = { schema: { hide: true as const } };
  const send: PageKit['send'] = async (request, reply, title, body, status = 200, extra = {}) => {
    const csrfToken = request.user ? csrfFor(reply) : undefined;
    const page = layout(
      { siteName: await siteName(ctx), title, user: request.user, csrfToken, ...extra },
      body,
    );
    return reply.status(status).type('text/html; charset=utf-8').send(page);
  };
  return {
    hide,
    csrf: { ...hide, preHandler: app.csrfProtection.bind(app) },
    send,
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
      void reply.redirect(`/enter?next=${encodeURIComponent(request.url)}`, 303);
      return null;
    },
  };
}

/** A local path to go back to after signing in; anything else (another site) becomes `/`. */
export function safeNext(next: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}
