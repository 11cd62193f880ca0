/** The writing side: the editor (new and edit), its server-rendered preview, and the dashboard. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { pageKit } from './page.ts';

export function editorRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    pageKit(ctx, app);
  };
}
