/**
 * Purging shared HTTP caches in front of Quire (Varnish with xkey, a CDN) by key. A consumer of
 * the outbox gathers the cache keys a batch of events names and queues one purge for each URL in
 * QUIRE_PURGE_URLS; the delivery queue sends it as `PURGE` with the keys in `xkey` and
 * `Surrogate-Key`, with the retries and dead letters of webhooks.
 *
 * Each purge is queued twice: at once, and again a little later. Between the two, any node that
 * had not yet read the event (another node serving the cache's refetch before its NOTIFY or poll
 * arrived) has read it, so an answer a shared cache refetched from such a node does not outlive
 * the second purge.
 */
import type { AppContext } from '../context.ts';
import type { EventRow } from '../db/schema.ts';
import { SITE_KEY, splitKeys } from './cache-keys.ts';
import type { OutboxConsumer } from './consumers.ts';
import { pendingDelivery } from './deliveries.ts';
import { insertDeliveries } from './deliveries.repository.ts';
import type { DeliveryChannel } from './dispatcher-parts.ts';

const TARGET_PREFIX = 'purge:';
/** More keys than this in one purge: every answer goes (they all carry the site's key). */
const MAX_KEYS = 200;
/** The second purge, after every node has polled the outbox at least once (EventHead polls 1/s). */
export const PURGE_AGAIN_MS = 3000;
export const PURGE_USER_AGENT = 'Quire-Purge/1.0';

/** The keys a batch of events changes, as one purge names them. */
export function purgeKeys(events: ReadonlyArray<Pick<EventRow, 'cache_keys'>>): string[] {
  const keys = new Set<string>();
  for (const event of events) {
    const named = splitKeys(event.cache_keys);
    if (named === null) return [SITE_KEY];
    for (const key of named) keys.add(key);
  }
  return keys.size > MAX_KEYS ? [SITE_KEY] : [...keys];
}

export const cachePurgeFanOut: OutboxConsumer = {
  name: 'cache-purge',
  async handle(ctx, tx, events) {
    const keys = purgeKeys(events);
    const last = events.at(-1);
    if (keys.length === 0 || !last) return;
    const now = ctx.clock.now();
    const again = new Date(now.getTime() + PURGE_AGAIN_MS);
    const body = keys.join(' ');
    const rows = ctx.config.purgeUrls.flatMap((url) => {
      const purge = (messageId: string) =>
        pendingDelivery(
          ctx,
          {
            target: `${TARGET_PREFIX}${url}`,
            eventId: last.id,
            messageId,
            eventType: 'cache.purge',
            contentType: 'text/plain',
            body,
          },
          now,
        );
      const first = purge(`purge_${last.id}`);
      return [first, { ...purge(`purge_${last.id}_again`), next_attempt_at: again.toISOString() }];
    });
    await insertDeliveries(tx.db, rows);
  },
};

export const cachePurgeChannel: DeliveryChannel = {
  name: 'purge',
  owns: (delivery) => delivery.target.startsWith(TARGET_PREFIX),
  async request(ctx: AppContext, delivery) {
    const url = delivery.target.slice(TARGET_PREFIX.length);
    // A cache taken out of the configuration is not purged any more: its deliveries end.
    if (!ctx.config.purgeUrls.includes(url)) return null;
    return {
      method: 'PURGE',
      url,
      operatorUrl: true,
      body: '',
      headers: {
        xkey: delivery.body,
        'surrogate-key': delivery.body,
        'user-agent': PURGE_USER_AGENT,
      },
    };
  },
  async afterAttempt() {
    // Caches have no health to keep: a failing one is retried, then its purges go dead.
  },
};
