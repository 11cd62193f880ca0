/**
 * Feed polling as a dispatcher job. When sources are due, the job starts this node's poller,
 * which claims them one after another (each under its lease, so no two nodes poll one source at
 * once) until none is due. The poller runs beside the dispatcher's cycle rather than inside it:
 * a slow feed (a fetch may take 20 s) holds up no webhook or WebSub delivery.
 */
import type { AppContext } from '../../context.ts';
import type { FeedSourceRow } from '../../db/schema.ts';
import type { DispatcherJob } from '../../events/dispatcher-parts.ts';
import { claimSource, nextPollAt, pollClaimed } from './feed-sources.service.ts';

interface Poller {
  /** From the first claim until the last poll ends. */
  busy: boolean;
  running: Promise<void> | null;
  stopped: boolean;
}

const pollers = new WeakMap<AppContext, Poller>();

function pollerOf(ctx: AppContext): Poller {
  let poller = pollers.get(ctx);
  if (!poller) {
    poller = { busy: false, running: null, stopped: false };
    pollers.set(ctx, poller);
  }
  return poller;
}

export const feedPolling: DispatcherJob = {
  name: 'feed-polling',
  /** Starts the poller when a source is due and it is not already running; returns 1 if so. */
  async run(ctx) {
    const poller = pollerOf(ctx);
    if (poller.busy || poller.stopped) return 0;
    poller.busy = true;
    let first: FeedSourceRow | undefined;
    try {
      // A read first: most cycles find nothing due, and a claim is a write transaction.
      const next = await nextPollAt(ctx);
      if (next && next <= ctx.clock.now()) first = await claimSource(ctx);
    } finally {
      if (!first) poller.busy = false;
    }
    if (!first) return 0;
    poller.running = pollFrom(ctx, poller, first).finally(() => {
      poller.busy = false;
      poller.running = null;
    });
    return 1;
  },
  nextAt: (ctx) => nextPollAt(ctx),
};

async function pollFrom(ctx: AppContext, poller: Poller, first: FeedSourceRow): Promise<void> {
  try {
    let source: FeedSourceRow | undefined = first;
    while (source) {
      await pollClaimed(ctx, source);
      source = poller.stopped ? undefined : await claimSource(ctx);
    }
  } catch (error) {
    ctx.logger.error({ err: error }, 'feed poller failed');
  }
}

/**
 * Claims no more sources on this node, and waits for the poll under way to finish, for at most
 * `withinMs` when given. Returns false if it was still running: its lease runs out, and another
 * node (or this one, restarted) polls that source again.
 */
export async function stopFeedPolling(ctx: AppContext, withinMs?: number): Promise<boolean> {
  const poller = pollerOf(ctx);
  poller.stopped = true;
  const running = poller.running;
  if (!running) return true;
  if (withinMs === undefined) {
    await running;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), withinMs);
  });
  try {
    const done = await Promise.race([running.then(() => true as const), late]);
    if (!done) ctx.logger.warn('a feed poll still running is left to its lease');
    return done;
  } finally {
    clearTimeout(timer);
  }
}
