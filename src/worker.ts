/**
 * The dispatcher with every part Quire has: the webhook fan-out and channel, and the job that
 * announces scheduled articles when their time comes. `quire serve` runs one unless
 * QUIRE_DISPATCHER=0; `quire worker` runs one alone.
 */
import type { AppContext } from './context.ts';
import { Dispatcher } from './events/dispatcher.ts';
import { webhookChannel, webhookFanOut } from './modules/webhooks/webhooks.dispatch.ts';

export function createDispatcher(ctx: AppContext): Dispatcher {
  return new Dispatcher(ctx, {
    consumers: [webhookFanOut],
    channels: [webhookChannel],
    jobs: [],
  });
}
