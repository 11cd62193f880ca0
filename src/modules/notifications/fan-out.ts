/**
 * Spreading a publish to the followers of its author and of its tags: each `fanouts` row is
 * worked through in batches of QUIRE_FANOUT_BATCH followers, one transaction each, which adds the
 * article to their timelines, notifies the author's followers, and moves the row past them. A
 * batch is all or nothing: a node killed in the middle of one leaves the row where the last
 * committed batch put it, and the next run (on any node) goes on from there; the inserts skip
 * what exists, so no follower is told twice. The batches run beside the dispatcher's cycle
 * (side-work.ts), with a turn of the event loop between them, so publishes and requests go on
 * while a large fan-out proceeds.
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { AppContext } from '../../context.ts';
import type { DispatcherJob } from '../../events/dispatcher-parts.ts';
import { SideWork } from '../../events/side-work.ts';
import { metricsOf } from '../../metrics/metrics.ts';
import {
  addToTimelines,
  claimFanout,
  finishFanout,
  followersAfter,
  hasFanouts,
  insertNotifications,
  moveFanout,
  VIA_AUTHOR,
  VIA_TAG,
} from './notifications.repository.ts';
import { notificationsChanged } from './changes.ts';
import { ARTICLE_NOTICE_WINDOW_MS, wants } from './notifications.rules.ts';

/** Works through one batch of the oldest fan-out; returns the followers reached, or null when none is left. */
export async function spreadBatch(ctx: AppContext): Promise<number | null> {
  return ctx.database.transaction(async (tx) => {
    const fanout = await claimFanout(tx);
    if (!fanout) return null;
    const batch = ctx.config.fanoutBatch;
    const followers = await followersAfter(tx.db, fanout, batch);
    const toAuthor = fanout.followable_type === 'User';
    await addToTimelines(
      tx.db,
      followers.map((f) => ({
        user_id: f.follower_id,
        article_id: fanout.article_id,
        author_id: fanout.author_id,
        published_at: fanout.published_at,
      })),
      toAuthor ? VIA_AUTHOR : VIA_TAG,
    );
    // An old article published now (an import) joins timelines but is no news.
    const news =
      Date.parse(fanout.published_at) >= Date.parse(fanout.created_at) - ARTICLE_NOTICE_WINDOW_MS;
    if (toAuthor && news) {
      const told = await insertNotifications(
        tx.db,
        followers
          .filter(
            (f) => f.follower_id !== fanout.author_id && wants(f.notifications_off, 'article'),
          )
          .map((f) => ({
            user_id: f.follower_id,
            kind: 'article' as const,
            event_id: fanout.event_id,
            actor_id: fanout.author_id,
            article_id: fanout.article_id,
            comment_id: null,
          })),
        fanout.published_at,
      );
      tx.onCommit(() => notificationsChanged(ctx, told));
    }
    const last = followers.at(-1);
    const after = last?.follow_id ?? fanout.after_follow_id;
    if (followers.length < batch) {
      await finishFanout(tx.db, fanout.id, after, ctx.clock.now().toISOString());
    } else await moveFanout(tx.db, fanout.id, after);
    metricsOf(ctx).fanoutBatch(followers.length);
    return followers.length;
  });
}

const spreading = new SideWork<true>(
  'fan-out',
  async (ctx) => ((await hasFanouts(ctx.database.db)) ? true : undefined),
  async (ctx, _first, stopped) => {
    while (!stopped() && (await spreadBatch(ctx)) !== null) await turn();
  },
  'a fan-out batch still running is rolled back if the process ends: the next run repeats it',
);

export const fanOut: DispatcherJob = {
  name: 'fan-out',
  /** Starts the batches when a fan-out is waiting and they are not already running. */
  run: (ctx) => spreading.start(ctx),
  idle: (ctx) => spreading.idle(ctx),
};

/** Starts no more batches in this process; waits for the one under way, for at most `withinMs`. */
export function stopFanOut(ctx: AppContext, withinMs?: number): Promise<boolean> {
  return spreading.stop(ctx, withinMs);
}
