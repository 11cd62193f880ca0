/**
 * Scheduled articles going live. An article published with a future date announces
 * `article.scheduled` when saved; when its time comes this dispatcher job appends its
 * `article.published`, once, whichever node gets there first (`announced_at` is claimed in the
 * same transaction as the event).
 */
import type { AppContext } from '../../context.ts';
import type { DispatcherJob } from '../../events/dispatcher-parts.ts';
import { findUserById } from '../users/users.repository.ts';
import { emit } from './articles.service.ts';

const BATCH = 50;

/** Announces every article whose publication time has come; returns how many. */
async function announceDue(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const stamp = now.toISOString();
  const due = await ctx.database.db
    .selectFrom('articles')
    .select('id')
    .where('published', '=', 1)
    .where('announced_at', 'is', null)
    .where('published_at', '<=', stamp)
    .orderBy('published_at')
    .limit(BATCH)
    .execute();
  let announced = 0;
  for (const { id } of due) {
    announced += await ctx.database.transaction(async (tx) => {
      const article = await tx.db
        .updateTable('articles')
        .set({ announced_at: stamp })
        .where('id', '=', id)
        .where('published', '=', 1)
        .where('announced_at', 'is', null)
        .where('published_at', '<=', stamp)
        .returningAll()
        .executeTakeFirst();
      if (!article) return 0;
      const author = await findUserById(tx.db, article.user_id);
      if (!author) return 0;
      await emit(ctx, tx, ['article.published'], article, author, now);
      return 1;
    });
  }
  return announced;
}

export const announceScheduled: DispatcherJob = {
  name: 'announce-scheduled',
  run: announceDue,
  async nextAt(ctx) {
    const row = await ctx.database.db
      .selectFrom('articles')
      .select((eb) => eb.fn.min('published_at').as('at'))
      .where('published', '=', 1)
      .where('announced_at', 'is', null)
      .executeTakeFirst();
    return row?.at ? new Date(String(row.at)) : null;
  },
};
