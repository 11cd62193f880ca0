/** The administrator's pages: the site's name and description, and its accounts. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { pageKit } from './page.ts';

export function adminRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    pageKit(ctx, app);
  };
}
