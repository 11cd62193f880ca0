/**
 * The dispatcher with every background part Quire has: the webhook fan-out and channel, WebSub
 * content distribution and lease expiry, the job that announces scheduled articles when their
 * time comes, feed polling, purges of shared caches in front (QUIRE_PURGE_URLS), mail
 * (QUIRE_SMTP_URL), notifications and the spreading of publishes to followers (timelines), and
 * the retention of finished deliveries. `quire serve` runs one
 * unless QUIRE_DISPATCHER=0; `quire worker` runs one alone.
 */
import type { AppContext } from './context.ts';
import { cachePurgeChannel, cachePurgeFanOut } from './events/cache-purge.ts';
import { pruneDeliveries } from './events/deliveries.ts';
import { Dispatcher } from './events/dispatcher.ts';
import { announceScheduled } from './modules/articles/announcements.ts';
import { feedPolling, stopFeedPolling } from './modules/imports/feed-polling.ts';
import { mailChannel } from './modules/mail/mail-dispatch.ts';
import { notificationDigest } from './modules/notifications/digest.ts';
import { fanOut, stopFanOut } from './modules/notifications/fan-out.ts';
import { notificationsIntake } from './modules/notifications/notifications-consumer.ts';
import { webhookChannel, webhookFanOut } from './modules/webhooks/webhook-dispatch.ts';
import { websubChannel, websubContent, websubExpiry } from './modules/websub/websub-dispatch.ts';

export function createDispatcher(ctx: AppContext): Dispatcher {
  // WebSub reads feeds at the event head, which must follow commits in a worker with no web app.
  ctx.eventHead.start();
  return new Dispatcher(ctx, {
    // Without caches to purge, no consumer moves through every event for nothing.
    consumers: [
      webhookFanOut,
      notificationsIntake,
      ...(ctx.config.purgeUrls.length > 0 ? [cachePurgeFanOut] : []),
    ],
    channels: [webhookChannel, websubChannel, cachePurgeChannel, mailChannel],
    jobs: [
      announceScheduled,
      websubExpiry,
      websubContent,
      feedPolling,
      fanOut,
      notificationDigest,
      pruneDeliveries,
    ],
  });
}

/**
 * Stops the dispatcher and the feed poll under way (which runs beside it), within `withinMs`;
 * false when either had to be left unfinished.
 */
export async function stopBackground(
  ctx: AppContext,
  dispatcher: Dispatcher,
  withinMs?: number,
): Promise<boolean> {
  const stopped = await Promise.all([
    dispatcher.stop(withinMs),
    stopFeedPolling(ctx, withinMs),
    stopFanOut(ctx, withinMs),
  ]);
  return stopped.every(Boolean);
}
