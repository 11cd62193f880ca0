/**
 * Reactions: one of each category per reader per article or comment. Each toggle inserts or
 * deletes the reader's row and moves the item's public count by what it actually did, in one
 * transaction with its event, so under any number of concurrent toggles the count equals the
 * rows. The reading list is the `readinglist` reaction: private, it moves no public count and
 * changes no public page.
 */
import type { AppContext } from '../../context.ts';
import type { ArticleRow, ReactionRow, UserRow } from '../../db/schema.ts';
import { notFound, validationFailed } from '../../errors.ts';
import { discussionKey } from '../../events/cache-keys.ts';
import { appendEvent } from '../../events/outbox.ts';
import {
  findArticleById,
  isVisible,
  type Listed,
  listedByIds,
} from '../articles/articles.service.ts';
import { findCommentRow } from '../comments/comments.service.ts';
import { idCode } from '../comments/comments.rules.ts';
import { sharedUserJson } from '../users/users.presenter.ts';
import { assertMayWrite } from '../users/users.rules.ts';
import { findUserById, takeAccountAction } from '../users/users.service.ts';
import {
  deleteReaction,
  findReaction,
  insertReaction,
  moveReactionCount,
  type ReactionKey,
  readerReactions,
  readingList,
} from './reactions.repository.ts';
import {
  CATEGORIES,
  type Category,
  isPublicCategory,
  REACTABLE_TYPES,
  REACTIONS_PER_MINUTE,
  type ReactableType,
  READING_LIST,
} from './reactions.rules.ts';

export interface ReactionInput {
  category: string;
  reactable_id: number;
  reactable_type: string;
}

export interface ReactionResult {
  result: 'create' | 'destroy' | 'none';
  category: Category;
  id: number;
  reactable_id: number;
  reactable_type: ReactableType;
}

/** What a reaction is on: the item's article, and whose the item is. */
interface Target {
  type: ReactableType;
  id: number;
  article: ArticleRow;
  ownerId: number;
}

async function targetOf(ctx: AppContext, input: ReactionInput): Promise<Target> {
  const errors = [];
  if (!(CATEGORIES as readonly string[]).includes(input.category))
    errors.push({ field: 'category', message: `must be one of ${CATEGORIES.join(', ')}` });
  if (!(REACTABLE_TYPES as readonly string[]).includes(input.reactable_type))
    errors.push({ field: 'reactable_type', message: 'must be Article or Comment' });
  if (input.category === READING_LIST && input.reactable_type !== 'Article')
    errors.push({ field: 'category', message: 'only articles go on the reading list' });
  if (errors.length > 0) throw validationFailed(errors);
  const type = input.reactable_type as ReactableType;
  const db = ctx.database.db;
  let article: ArticleRow | undefined;
  let ownerId: number;
  if (type === 'Comment') {
    const comment = await findCommentRow(ctx, input.reactable_id);
    if (!comment || comment.deleted === 1) throw notFound('comment not found');
    article = await findArticleById(db, comment.article_id);
    ownerId = comment.user_id;
  } else {
    article = await findArticleById(db, input.reactable_id);
    ownerId = article?.user_id ?? 0;
  }
  if (!article || !isVisible(article, ctx.clock.now()))
    throw notFound(`${type.toLowerCase()} not found`);
  const owner = await findUserById(db, ownerId);
  if (!owner || owner.suspended_at !== null) throw notFound(`${type.toLowerCase()} not found`);
  return { type, id: input.reactable_id, article, ownerId };
}

/** Every reaction given or taken back counts, so toggling one back and forth is limited too. */
function checkReactionLimit(ctx: AppContext, user: UserRow): Promise<void> {
  return takeAccountAction(
    ctx,
    user,
    'react',
    60_000,
    REACTIONS_PER_MINUTE,
    `You may react ${REACTIONS_PER_MINUTE} times a minute`,
  );
}

/**
 * Gives the reaction if the reader has not, takes it back if they have (`toggle`), or only gives
 * it (`create`: Forem's POST /reactions, which answers `none` when it was already there).
 */
export async function react(
  ctx: AppContext,
  user: UserRow,
  input: ReactionInput,
  mode: 'toggle' | 'create',
): Promise<ReactionResult> {
  assertMayWrite(user);
  const target = await targetOf(ctx, input);
  await checkReactionLimit(ctx, user);
  const key: ReactionKey = {
    user_id: user.id,
    reactable_type: target.type,
    reactable_id: target.id,
    category: input.category,
  };
  const now = ctx.clock.now();
  return ctx.database.transaction(async (tx) => {
    const removed = mode === 'toggle' ? await deleteReaction(tx.db, key) : undefined;
    const added = removed ? undefined : await insertReaction(tx.db, key, now.toISOString());
    const changed = removed ?? added;
    const answer = (row: ReactionRow | undefined, result: ReactionResult['result']) => ({
      result,
      category: input.category as Category,
      id: row?.id ?? 0,
      reactable_id: target.id,
      reactable_type: target.type,
    });
    // Neither: another request of the same reader gave it meanwhile; this one changes nothing.
    if (!changed) return answer(await findReaction(tx.db, key), 'none');
    const by = removed ? -1 : 1;
    const isPublic = isPublicCategory(input.category);
    if (isPublic) await moveReactionCount(tx.db, target.type, target.id, by);
    await appendEvent(
      tx,
      {
        type: removed ? 'reaction.deleted' : 'reaction.created',
        subject: `reaction:${changed.id}`,
        data: {
          id: changed.id,
          category: changed.category,
          reactable_id: target.id,
          reactable_type: target.type,
          article_id: target.article.id,
          created_at: changed.created_at,
          user: sharedUserJson(user, ctx.config.baseUrl),
        },
        // Who saves an article for later is the reader's own business.
        ownerId: isPublic ? target.article.user_id : user.id,
        coOwnerId: isPublic ? target.ownerId : null,
        keys: isPublic ? [discussionKey(target.article.id)] : [],
      },
      now,
    );
    return answer(changed, removed ? 'destroy' : 'create');
  });
}

/**
 * One page of the reader's reading list, newest saved first: each saved article still visible.
 * `extra` saved articles past the page: one tells a pager whether an older page exists.
 */
export async function readingListOf(
  ctx: AppContext,
  user: UserRow,
  page: number,
  perPage: number,
  extra = 0,
): Promise<Array<{ reaction: ReactionRow } & Listed>> {
  const rows = await readingList(ctx.database.db, user.id, perPage + extra, (page - 1) * perPage);
  const listed = await listedByIds(
    ctx,
    rows.map((r) => r.reactable_id),
  );
  const byId = new Map(listed.map((l) => [l.article.id, l]));
  const now = ctx.clock.now();
  return rows.flatMap((reaction) => {
    const item = byId.get(reaction.reactable_id);
    return item && isVisible(item.article, now) ? [{ reaction, ...item }] : [];
  });
}

/**
 * What one reader gave on an article and its comments: the private part of an article page,
 * fetched after the shared page loads. Comments are named by `id_code`.
 */
export async function readerState(
  ctx: AppContext,
  user: UserRow,
  articleId: number,
): Promise<{ article: string[]; comments: Record<string, string[]> }> {
  const rows = await readerReactions(ctx.database.db, user.id, articleId);
  const article: string[] = [];
  const comments: Record<string, string[]> = {};
  for (const row of rows) {
    if (row.reactable_type === 'Article') article.push(row.category);
    else (comments[idCode(row.reactable_id)] ??= []).push(row.category);
  }
  return { article, comments };
}
