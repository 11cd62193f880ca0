/** The administrator's pages: the site's name and description, and its accounts. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { csrfFor } from '../http/csrf.ts';
import { AppError } from '../errors.ts';
import { isReportAction, REPORTS_PER_PAGE } from '../modules/reports/reports.rules.ts';
import { listOpenReports, resolveReport } from '../modules/reports/reports.service.ts';
import { suspendAccount, unsuspendAccount } from '../modules/users/users.service.ts';
import { adminPage, reportsPage } from './templates/admin.ts';
import { emptyForm, type FormState } from './templates/forms.ts';
import { listDirectory } from '../modules/users/directory.ts';
import { type Form, pageKit, pageNumber, text } from './page.ts';
import { doneNote, idParam, privateAnswers } from './settings-kit.ts';
import { siteSettings, updateSiteSettings } from '../modules/site/site.service.ts';

const ACCOUNTS_PER_PAGE = 50;
const NOTES = {
  saved: 'Saved',
  suspended: 'Suspended: the account can no longer write, and its articles are withheld.',
  unsuspended: 'Suspension lifted: the account writes again, and its articles are back.',
};
const REPORT_NOTES = {
  dismiss: 'Report dismissed.',
  hide: 'Hidden, and the reports on it resolved.',
  delete: 'Deleted, and the reports on it resolved.',
  suspend: 'Author suspended, and the reports resolved.',
};

export function adminRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { paged, csrf, send, formError, signedIn } = pageKit(ctx, app);
    privateAnswers(app);

    /**
     * The administrator, or null once the answer is decided: the sign-in page for visitors, and
     * for everyone else the same 404 as a page that does not exist.
     */
    const administrator = (request: FastifyRequest, reply: FastifyReply): UserRow | null => {
      const user = signedIn(request, reply);
      if (!user) return null;
      if (user.role === 'admin') return user;
      void reply.callNotFound();
      return null;
    };

    const view = async (
      request: FastifyRequest,
      reply: FastifyReply,
      admin: UserRow,
      message?: string,
    ) => {
      const page = pageNumber(request);
      const directory = await listDirectory(ctx.database.db, page, ACCOUNTS_PER_PAGE);
      return { directory, page, message, adminId: admin.id, csrfToken: csrfFor(reply) };
    };

    app.get('/admin', paged, async (request, reply) => {
      const admin = administrator(request, reply);
      if (!admin) return reply;
      const state = emptyForm(csrfFor(reply));
      state.values = { ...(await siteSettings(ctx)) };
      const body = adminPage(state, await view(request, reply, admin, doneNote(request, NOTES)));
      return send(request, reply, 'Administration', body);
    });

    app.post('/admin/site', csrf, async (request, reply) => {
      const admin = administrator(request, reply);
      if (!admin) return reply;
      const form = request.body as Form;
      try {
        await updateSiteSettings(ctx, {
          site_name: text(form, 'site_name'),
          site_description: text(form, 'site_description'),
        });
      } catch (error) {
        const accounts = await view(request, reply, admin);
        const render = (state: FormState) => adminPage(state, accounts);
        return formError(request, reply, 'Administration', render, error);
      }
      return reply.redirect('/admin?done=saved', 303);
    });

    for (const [verb, change] of [
      ['suspend', suspendAccount],
      ['unsuspend', unsuspendAccount],
    ] as const) {
      app.post(`/admin/accounts/:id/${verb}`, csrf, async (request, reply) => {
        const admin = administrator(request, reply);
        if (!admin) return reply;
        await change(ctx, admin, idParam(request));
        return reply.redirect(`/admin?done=${verb}ed`, 303);
      });
    }

    const reportsView = async (request: FastifyRequest, reply: FastifyReply, admin: UserRow) => {
      const page = pageNumber(request);
      const { entries, more } = await listOpenReports(ctx, admin, page, REPORTS_PER_PAGE);
      return { entries, more, page, csrfToken: csrfFor(reply) };
    };

    app.get('/admin/reports', paged, async (request, reply) => {
      const admin = administrator(request, reply);
      if (!admin) return reply;
      const message = doneNote(request, REPORT_NOTES);
      const body = reportsPage({ ...(await reportsView(request, reply, admin)), message });
      return send(request, reply, 'Open reports', body);
    });

    app.post('/admin/reports/:id', csrf, async (request, reply) => {
      const admin = administrator(request, reply);
      if (!admin) return reply;
      const id = idParam(request);
      const action = text(request.body as Form, 'action');
      if (!isReportAction(action)) throw new AppError('bad_request', 'Unknown action');
      try {
        await resolveReport(ctx, admin, id, action);
      } catch (error) {
        // Refused (an administrator cannot be suspended, the report was resolved meanwhile):
        // the list again, saying why.
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404)
          throw error;
        const body = reportsPage({
          ...(await reportsView(request, reply, admin)),
          message: error.message,
        });
        return send(request, reply, 'Open reports', body, error.status);
      }
      return reply.redirect(`/admin/reports?done=${action}`, 303);
    });
  };
}
