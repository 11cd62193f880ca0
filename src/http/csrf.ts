/** CSRF tokens for the forms of a page. */
import type { FastifyReply } from 'fastify';

/**
 * One CSRF token per answer. Each generateCsrf() call on a request that came without the CSRF
 * cookie makes a new secret and replaces the cookie, so a page with two forms (the header's
 * sign-out and the page's own) would otherwise carry a token its cookie no longer matches.
 */
const csrfTokens = new WeakMap<FastifyReply, string>();

export function csrfFor(reply: FastifyReply): string {
  let token = csrfTokens.get(reply);
  if (token === undefined) {
    token = reply.generateCsrf();
    csrfTokens.set(reply, token);
  }
  return token;
}
