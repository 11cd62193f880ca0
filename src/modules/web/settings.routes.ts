/** An account's own settings: profile, password, API keys, feed sources and webhooks. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { pageKit } from './page.ts';

export function settingsRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    pageKit(ctx, app);
  };
}
