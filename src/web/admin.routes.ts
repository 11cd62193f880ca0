/** The administrator's pages: the site's name and description, and its accounts. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { csrfFor } from '../http/csrf.ts';
import { adminPage } from './templates/admin.ts';
import { emptyForm, type FormState } from './templates/forms.ts';
import { listDirectory } from '../modules/users/directory.ts';
import { type Form, pageKit, pageNumber, text } from './page.ts';
import { doneNote, privateAnswers } from './settings-kit.ts';
import { siteSettings, updateSiteSettings } from '../modules/site/site.service.ts';

const ACCOUNTS_PER_PAGE = 50;
const NOTES = { saved: 'Saved' };

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

    const view = async (request: FastifyRequest, message?: string) => {
      const page = pageNumber(request);
      const directory = await listDirectory(ctx.database.db, page, ACCOUNTS_PER_PAGE);
      return { directory, page, message };
    };

    app.get('/admin', paged, async (request, reply) => {
      if (!administrator(request, reply)) return reply;
      const state = emptyForm(csrfFor(reply));
      state.values = { ...(await siteSettings(ctx)) };
      const body = adminPage(state, await view(request, doneNote(request, NOTES)));
      return send(request, reply, 'Administration', body);
    });

    app.post('/admin/site', csrf, async (request, reply) => {
      if (!administrator(request, reply)) return reply;
      const form = request.body as Form;
      try {
        await updateSiteSettings(ctx, {
          site_name: text(form, 'site_name'),
          site_description: text(form, 'site_description'),
        });
      } catch (error) {
        const accounts = await view(request);
        const render = (state: FormState) => adminPage(state, accounts);
        return formError(request, reply, 'Administration', render, error);
      }
      return reply.redirect('/admin?done=saved', 303);
    });
  };
}
