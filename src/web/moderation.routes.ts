/**
 * Reports from pages: a form to report an article or a comment (`/report`), which creates the
 * report through the service the API uses and answers with a thank-you page.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { validationFailed } from '../errors.ts';
import { csrfFor } from '../http/csrf.ts';
import { idFromCode } from '../modules/comments/comments.rules.ts';
import { createReport } from '../modules/reports/reports.service.ts';
import { type Form, pageKit, safeNext, text } from './page.ts';
import { privateAnswers } from './settings-kit.ts';
import { emptyForm, type FormState } from './templates/forms.ts';
import { reportPage, reportThanksPage } from './templates/moderation.ts';

const TITLE = 'Report';
/** An article by its numeric id; a comment by the id_code its links carry. */
const ARTICLE_ID = /^[1-9]\d{0,15}$/;

/** The item a report form names, or 0 when it names none (the service then refuses it). */
function itemId(type: string, raw: string): number {
  if (type === 'Comment') return idFromCode(raw) ?? 0;
  return ARTICLE_ID.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : 0;
}

export function moderationRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { hide, csrf, send, formError, signedIn } = pageKit(ctx, app);
    privateAnswers(app);

    app.get('/report', hide, async (request, reply) => {
      if (!signedIn(request, reply)) return reply;
      const query = request.query as Form;
      const state = emptyForm(csrfFor(reply));
      state.values = {
        reportable_type: text(query, 'reportable_type') === 'Article' ? 'Article' : 'Comment',
        reportable_id: text(query, 'reportable_id').slice(0, 20),
        next: safeNext(text(query, 'next') || '/'),
      };
      return send(request, reply, TITLE, reportPage(state));
    });

    app.post('/report', csrf, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const form = request.body as Form;
      const type = text(form, 'reportable_type');
      const next = safeNext(text(form, 'next') || '/');
      try {
        const id = itemId(type, text(form, 'reportable_id'));
        if (id === 0 && (type === 'Article' || type === 'Comment'))
          throw validationFailed([{ field: 'reportable_id', message: 'names nothing to report' }]);
        await createReport(ctx, user, {
          reportable_type: type,
          reportable_id: id,
          reason: text(form, 'reason'),
          note: text(form, 'note'),
        });
      } catch (error) {
        const render = (state: FormState) => reportPage(state);
        return formError(request, reply, TITLE, render, error);
      }
      return reply.redirect(`/report/thanks?next=${encodeURIComponent(next)}`, 303);
    });

    app.get('/report/thanks', hide, async (request, reply) => {
      const next = safeNext(text(request.query as Form, 'next') || '/');
      return send(request, reply, 'Thank you', reportThanksPage(next));
    });
  };
}
