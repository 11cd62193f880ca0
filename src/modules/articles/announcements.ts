/**
 * Scheduled articles going live. An article published with a future date announces
 * `article.scheduled` when saved; when its time comes this dispatcher job appends its
 * `article.published`, once, whichever node gets there first (`announced_at` is claimed in the
 * same transaction as the event).
 */
import type { AppContext } from '../../context.ts';
import type { DispatcherJob } from '../../events/dispatcher-parts.ts';
import { findUserById } from '../users/users.service.ts';
import {
  claimAnnouncement,
  dueForAnnouncement,
  nextAnnouncementAt,
} from './articles.repository.ts';
import { articleChangeKeys, emit } from './articles.service.ts';

const BATCH = 50;

/** Announces every article whose publication time has come; returns how many. */
async function announceDue(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  const due = await dueForAnnouncement(ctx.database.db, stamp, BATCH);
  let announced = 0;
  for (const id of due) {
    announced += await ctx.database.transaction(async (tx) => {
      const article = await claimAnnouncement(tx.db, id, stamp);
      if (!article) return 0;
      const author = await findUserById(tx.db, article.user_id);
      if (!author) return 0;
      // Until now no public list held it: it enters them all.
      const keys = articleChangeKeys(null, article, now);
      await emit(ctx, tx, ['article.published'], article, author, now, keys);
      return 1;
    });
  }
  return announced;
}

export const announceScheduled: DispatcherJob = {
  name: 'announce-scheduled',
  run: announceDue,
  async nextAt(ctx) {
    const at = await nextAnnouncementAt(ctx.database.db);
    return at ? new Date(at) : null;
  },
};
