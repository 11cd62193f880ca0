/**
 * Feed polling as a dispatcher job. When sources are due, the job starts this node's poller,
 * which claims them one after another (each under its lease, so no two nodes poll one source at
 * once) until none is due. The poller runs beside the dispatcher's cycle rather than inside it
 * (side-work.ts): a slow feed (a fetch may take 20 s) holds up no webhook or WebSub delivery.
 */
import type { AppContext } from '../../context.ts';
import type { FeedSourceRow } from '../../db/schema.ts';
import type { DispatcherJob } from '../../events/dispatcher-parts.ts';
import { SideWork } from '../../events/side-work.ts';
import { claimSource, nextPollAt, pollClaimed } from './feed-sources.service.ts';

const poller = new SideWork<FeedSourceRow>(
  'feed poller',
  async (ctx) => {
    // A read first: most cycles find nothing due, and a claim is a write transaction.
    const next = await nextPollAt(ctx);
    return next && next <= ctx.clock.now() ? claimSource(ctx) : undefined;
  },
  async (ctx, first, stopped) => {
    let source: FeedSourceRow | undefined = first;
    while (source) {
      await pollClaimed(ctx, source);
      source = stopped() ? undefined : await claimSource(ctx);
    }
  },
  'a feed poll still running is left to its lease',
);

export const feedPolling: DispatcherJob = {
  name: 'feed-polling',
  /** Starts the poller when a source is due and it is not already running; returns 1 if so. */
  run: (ctx) => poller.start(ctx),
  nextAt: (ctx) => nextPollAt(ctx),
};

/**
 * Claims no more sources on this node, and waits for the poll under way to finish, for at most
 * `withinMs` when given. Returns false if it was still running: its lease runs out, and another
 * node (or this one, restarted) polls that source again.
 */
export function stopFeedPolling(ctx: AppContext, withinMs?: number): Promise<boolean> {
  return poller.stop(ctx, withinMs);
}
