/**
 * The dispatcher with every part Quire has: the webhook fan-out and channel, WebSub content
 * distribution and lease expiry, and the job that announces scheduled articles when their time
 * comes. `quire serve` runs one unless QUIRE_DISPATCHER=0; `quire worker` runs one alone.
 */
import type { AppContext } from './context.ts';
import { pruneDeliveries } from './events/deliveries.ts';
import { Dispatcher } from './events/dispatcher.ts';
import { announceScheduled } from './modules/articles/articles.announce.ts';
import { webhookChannel, webhookFanOut } from './modules/webhooks/webhooks.dispatch.ts';
import { websubChannel, websubContent, websubExpiry } from './modules/websub/websub.dispatch.ts';

export function createDispatcher(ctx: AppContext): Dispatcher {
  // WebSub reads feeds at the event head, which must follow commits in a worker with no web app.
  ctx.eventHead.start();
  return new Dispatcher(ctx, {
    consumers: [webhookFanOut],
    channels: [webhookChannel, websubChannel],
    jobs: [announceScheduled, websubExpiry, websubContent, pruneDeliveries],
  });
}
