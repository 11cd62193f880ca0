/**
 * Password reset pages: asking for a link by email, and choosing a new password with it. The
 * answer to asking is the same whether or not an account has the address. A reset signs the
 * person in on this browser (every other session of the account has ended).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { csrfFor } from '../http/csrf.ts';
import {
  checkResetToken,
  passwordResetAvailable,
  requestPasswordReset,
  resetPassword,
} from '../modules/auth/password-reset.service.ts';
import { setSessionCookie } from '../modules/auth/session-cookie.ts';
import { startSession } from '../modules/auth/sessions.ts';
import { type Form, pageKit, text } from './page.ts';
import { emptyForm } from './templates/forms.ts';
import { forgotPasswordPage, resetLinkSentPage, resetPasswordPage } from './templates/pages.ts';

const FORGOT = 'Forgot your password?';
const RESET = 'Choose a new password';

function privatePage(reply: FastifyReply): void {
  reply.header('cache-control', 'private, no-store');
}

export function passwordRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { hide, csrf, send, formError } = pageKit(ctx, app);
    // The token rides in the URL of the reset page: no Referer ever carries it. These routes'
    // hook runs after the site-wide one that sets the usual policy.
    app.addHook('onSend', async (_request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
    });
    const forgotForm = (available: boolean) => (state: Parameters<typeof forgotPasswordPage>[0]) =>
      forgotPasswordPage(state, available);

    app.get('/password/forgot', hide, async (request, reply) => {
      privatePage(reply);
      const available = passwordResetAvailable(ctx);
      return send(request, reply, FORGOT, forgotForm(available)(emptyForm(csrfFor(reply))));
    });

    app.post('/password/forgot', csrf, async (request, reply) => {
      privatePage(reply);
      const form = request.body as Form;
      try {
        await requestPasswordReset(ctx, text(form, 'email'));
        return send(request, reply, 'Check your mail', resetLinkSentPage());
      } catch (error) {
        return formError(request, reply, FORGOT, forgotForm(passwordResetAvailable(ctx)), error);
      }
    });

    app.get('/password/reset', hide, async (request, reply) => {
      privatePage(reply);
      const token = (request.query as { token?: unknown }).token;
      const value = typeof token === 'string' ? token : '';
      await checkResetToken(ctx, value);
      return send(request, reply, RESET, resetPasswordPage(emptyForm(csrfFor(reply)), value));
    });

    app.post('/password/reset', csrf, async (request, reply) => {
      privatePage(reply);
      const form = request.body as Form;
      const token = text(form, 'token');
      try {
        const user = await resetPassword(ctx, {
          token,
          next: text(form, 'new_password'),
          confirmation: text(form, 'new_password_confirmation'),
        });
        setSessionCookie(reply, ctx, await startSession(ctx, user));
        return reply.redirect('/', 303);
      } catch (error) {
        // A link that does not work any more gets its error page, not the form again.
        if (error instanceof AppError && error.code === 'not_found') throw error;
        return formError(request, reply, RESET, (state) => resetPasswordPage(state, token), error);
      }
    });
  };
}
