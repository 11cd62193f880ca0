/**
 * WebSub on the dispatcher: content distribution (section 7) and lease expiry.
 *
 * Distribution compares, on each dispatcher cycle (every commit wakes one), the feed of each
 * subscribed topic with the hash each subscription was last sent, and queues the new feed where
 * they differ. Feeds come from the shared response cache, so a changed feed is rendered once for
 * readers and subscribers. This is a job rather than an outbox consumer because a consumer runs
 * inside the transaction that moves its position, and rendering needs reads of its own (on
 * SQLite that transaction holds the only connection); comparing state instead of replaying
 * events also catches content that changes without one (a scheduled article going live).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import type { CachedResponse } from '../../http/response-cache.ts';
import type { WebsubSubscriptionRow } from '../../db/schema.ts';
import { pendingDelivery } from '../../events/deliveries.ts';
import { insertDeliveries } from '../../events/deliveries.repository.ts';
import type { DeliveryChannel, DispatcherJob } from '../../events/dispatcher-parts.ts';
import { responseCacheOf } from '../../http/shared-response-cache.ts';
import { cachedFeed, hubUrl, nextScheduledAt } from '../feeds/feeds.service.ts';
import {
  sentHashesByTopic,
  deleteExpired,
  deleteSubscriptionById,
  findSubscriptionById,
  nextExpiry,
  replaceWaiting,
  takeChanged,
} from './websub.repository.ts';
import { topicFeed } from './topics.ts';
import { WEBSUB_USER_AGENT } from './verification.ts';

export const websubContent: DispatcherJob = {
  name: 'websub-content',
  async run(ctx) {
    let queued = 0;
    const topics = await sentHashesByTopic(ctx.database.db, ctx.clock.now());
    // This node may not have heard yet of a commit made elsewhere, whose feed another node may
    // already have sent: reading the head again keeps an older feed from following a newer one.
    if (topics.size > 0) ctx.eventHead.invalidate();
    for (const [topic, sent] of topics) {
      const parsed = topicFeed(ctx.config.baseUrl, topic);
      // A topic whose feed went away (its author deleted) keeps its subscribers waiting.
      const cached = parsed.ok ? await cachedFeed(ctx, responseCacheOf(ctx), parsed.feed) : null;
      const entry = cached?.entry;
      // Only a change takes a write transaction; a cycle with none reads and moves on.
      if (entry && (sent.size > 1 || !sent.has(entry.tag))) {
        queued += await queueChanged(ctx, topic, entry);
      }
    }
    return queued;
  },
  // Scheduled articles change feeds without an event; look again when the next one goes live.
  nextAt: (ctx) => nextScheduledAt(ctx),
};

/** Queues `entry` to each subscriber of `topic` that has not been sent it; returns how many. */
async function queueChanged(ctx: AppContext, topic: string, entry: CachedResponse) {
  return ctx.database.transaction(async (tx) => {
    const now = ctx.clock.now();
    const changed = (await takeChanged(tx.db, topic, entry.tag, now)).map((r) => r.id);
    const body = entry.identity.toString('utf8');
    for (let i = 0; i < changed.length; i += 100) {
      const ids = changed.slice(i, i + 100);
      // An older feed still waiting for a retry is outdated by this one: only the newest is sent.
      await replaceWaiting(tx.db, ids, now);
      await insertDeliveries(
        tx.db,
        ids.map((id) =>
          pendingDelivery(
            ctx,
            {
              subscriptionId: id,
              eventId: null,
              messageId: `websub_${randomUUID()}`,
              eventType: 'websub.content',
              contentType: entry.type,
              body,
            },
            now,
          ),
        ),
      );
    }
    return changed.length;
  });
}

/** Deletes subscriptions whose lease ran out; the content job and the channel already skip them. */
export const websubExpiry: DispatcherJob = {
  name: 'websub-expiry',
  async run(ctx) {
    const now = ctx.clock.now();
    const next = await nextExpiry(ctx.database.db);
    return next && next <= now ? deleteExpired(ctx.database.db, now) : 0;
  },
  nextAt: (ctx) => nextExpiry(ctx.database.db),
};

/** `X-Hub-Signature` (section 8): the HMAC-SHA256 of the exact body, keyed by the secret. */
function hubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function contentHeaders(
  ctx: AppContext,
  subscription: WebsubSubscriptionRow,
  contentType: string,
  body: string,
): Record<string, string> {
  return {
    'content-type': contentType,
    'user-agent': WEBSUB_USER_AGENT,
    link: `<${hubUrl(ctx.config.baseUrl)}>; rel="hub", <${subscription.topic}>; rel="self"`,
    ...(subscription.secret !== null && {
      'x-hub-signature': hubSignature(subscription.secret, body),
    }),
  };
}

export const websubChannel: DeliveryChannel = {
  name: 'websub',
  owns: (delivery) => delivery.subscription_id !== null,

  async request(ctx, delivery, now) {
    const subscription = await findSubscriptionById(
      ctx.database.db,
      delivery.subscription_id as number,
    );
    if (!subscription || subscription.expires_at <= now.toISOString()) return null;
    return {
      url: subscription.callback,
      body: delivery.body,
      headers: contentHeaders(ctx, subscription, delivery.content_type, delivery.body),
    };
  },

  async afterAttempt(_ctx, tx, delivery, result) {
    // 410: the subscriber wants no more (its deliveries, this one included, go with it).
    if (result.outcome === 'gone') {
      await deleteSubscriptionById(tx.db, delivery.subscription_id as number);
    }
  },
};
