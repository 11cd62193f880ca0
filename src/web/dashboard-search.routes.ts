/**
 * `/dashboard/search?q=&page=`: the signed-in author's own articles matching a query, in every
 * state, with the site search's language. Private, like the rest of the dashboard.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { PageNumber } from '../http/url-numbers.ts';
import { SEARCH_QUERY_MAX } from '../modules/search/query.ts';
import { searchOwn } from '../modules/search/search.service.ts';
import { pageKit } from './page.ts';
import { privateAnswers } from './settings-kit.ts';
import { ownSearchPage, type OwnSearchView } from './templates/dashboard-search.ts';

/** Results per page, as many as a dashboard section shows. */
const PAGE_SIZE = 20;

const OwnSearchQuery = Type.Object({
  q: Type.Optional(Type.String()),
  page: Type.Optional(PageNumber),
});

export function dashboardSearchRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { send, signedIn } = pageKit(ctx, app);
    // Someone's drafts: never in a cache.
    privateAnswers(app);

    app.get(
      '/dashboard/search',
      { schema: { hide: true, querystring: OwnSearchQuery } },
      async (request, reply) => {
        const user = signedIn(request, reply);
        if (!user) return reply;
        const query = request.query as { q?: string; page?: number };
        const q = query.q ?? '';
        const view: OwnSearchView = { q, page: query.page ?? 1, items: null, more: false };
        let status = 200;
        if (q.trim() !== '') {
          try {
            Object.assign(
              view,
              await searchOwn(ctx, user, { q, page: view.page, per_page: PAGE_SIZE }),
            );
          } catch (error) {
            if (!(error instanceof AppError) || error.status !== 422) throw error;
            status = 422;
            // The only query a page can send that is refused (a blank one shows the box).
            view.problem = `A search can be at most ${SEARCH_QUERY_MAX} characters long.`;
          }
        }
        const title = q.trim() ? `Your articles: ${q}` : 'Search your articles';
        return send(request, reply, title, ownSearchPage(view), status, {
          head: '<meta name="robots" content="noindex">',
        });
      },
    );
  };
}
