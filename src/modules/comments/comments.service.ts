/**
 * Comments: the rules of writing, editing, hiding and deleting them, each change committed with
 * its event and the article's comment count. The thread is read whole (one index range on the
 * article) and shaped by the presenter.
 */
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import type { ArticleRow, CommentRow, UserRow } from '../../db/schema.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { discussionKey } from '../../events/cache-keys.ts';
import { appendEvent, type EventType } from '../../events/outbox.ts';
import { renderMarkdown } from '../../render/markdown.ts';
import { findArticleById, isVisible } from '../articles/articles.service.ts';
import { assertMayWrite } from '../users/users.rules.ts';
import { findUserById, mentionedAccounts } from '../users/users.service.ts';
import { type CommentNode, commentJson, commentTree, findNode } from './comments.presenter.ts';
import {
  articleComments,
  countCommentsSince,
  findComment,
  hasSameComment,
  insertComment,
  markCommentDeleted,
  moveCommentCount,
  updateComment,
} from './comments.repository.ts';
import {
  checkCommentBody,
  COMMENTS_PER_HOUR,
  DUPLICATE_WINDOW_MS,
  HIDDEN_BY_AUTHOR,
  HIDDEN_BY_MODERATOR,
  NEW_ACCOUNT_COMMENTS_PER_HOUR,
  NEW_ACCOUNT_MS,
  SHOWN,
} from './comments.rules.ts';

export { articleComments, type ThreadComment } from './comments.repository.ts';

export interface CommentInput {
  body_markdown: string;
  article_id: number;
  parent_id?: number | null;
}

/** A published article that is live and whose author is not suspended, or a 404. */
async function openArticle(ctx: AppContext, id: number): Promise<ArticleRow> {
  const article = await findArticleById(ctx.database.db, id);
  if (!article || !isVisible(article, ctx.clock.now())) throw notFound('article not found');
  const author = await findUserById(ctx.database.db, article.user_id);
  if (!author || author.suspended_at !== null) throw notFound('article not found');
  return article;
}

/** The comment's event, carrying the comment as the API shows it (without replies). */
async function emitComment(
  ctx: AppContext,
  tx: Tx,
  type: EventType,
  comment: CommentRow,
  article: ArticleRow,
  writer: UserRow,
): Promise<void> {
  const parent = comment.parent_id === null ? null : await findComment(tx.db, comment.parent_id);
  const node: CommentNode = { comment: { ...comment, author: writer }, children: [] };
  const { children: _children, ...json } = commentJson(node, ctx.config.baseUrl);
  await appendEvent(
    tx,
    {
      type,
      subject: `comment:${comment.id}`,
      data: { ...json, article_id: article.id, parent_id: comment.parent_id },
      ownerId: article.user_id,
      coOwnerId: parent?.user_id ?? null,
      keys: [discussionKey(article.id)],
    },
    ctx.clock.now(),
  );
}

/** Refuses a comment over the account's hourly limit (lower for accounts younger than a day). */
async function checkCommentLimit(ctx: AppContext, user: UserRow, now: Date): Promise<void> {
  const young = now.getTime() - Date.parse(user.created_at) < NEW_ACCOUNT_MS;
  const limit = young ? NEW_ACCOUNT_COMMENTS_PER_HOUR : COMMENTS_PER_HOUR;
  const since = new Date(now.getTime() - 3_600_000).toISOString();
  if ((await countCommentsSince(ctx.database.db, user.id, since)) >= limit) {
    throw new AppError(
      'rate_limited',
      young
        ? `New accounts may write ${limit} comments an hour; try again later`
        : `You may write ${limit} comments an hour; try again later`,
      { retryAfter: 600 },
    );
  }
}

export async function createComment(
  ctx: AppContext,
  user: UserRow,
  input: CommentInput,
): Promise<{ comment: CommentRow; article: ArticleRow }> {
  assertMayWrite(user);
  const problem = checkCommentBody(input.body_markdown);
  if (problem) throw validationFailed([problem]);
  const article = await openArticle(ctx, input.article_id);
  let parentId: number | null = null;
  if (input.parent_id !== undefined && input.parent_id !== null) {
    const parent = await findComment(ctx.database.db, input.parent_id);
    if (!parent || parent.article_id !== article.id || parent.deleted === 1)
      throw validationFailed([{ field: 'parent_id', message: 'is not a comment on this article' }]);
    parentId = parent.id;
  }
  const now = ctx.clock.now();
  await checkCommentLimit(ctx, user, now);
  const since = new Date(now.getTime() - DUPLICATE_WINDOW_MS).toISOString();
  if (await hasSameComment(ctx.database.db, user.id, article.id, input.body_markdown, since))
    throw new AppError('conflict', 'You just wrote the same comment here');
  const mentions = await mentionedAccounts(ctx, input.body_markdown);
  const html = renderMarkdown(input.body_markdown, { mentions }).html;
  const stamp = now.toISOString();
  const comment = await ctx.database.transaction(async (tx) => {
    const row = await insertComment(tx.db, {
      article_id: article.id,
      user_id: user.id,
      parent_id: parentId,
      body_markdown: input.body_markdown,
      body_html: html,
      created_at: stamp,
    });
    await moveCommentCount(tx.db, article.id, 1, stamp);
    await emitComment(ctx, tx, 'comment.created', row, article, user);
    return row;
  });
  return { comment, article };
}

/**
 * The comment `actor` may change, with its article. Someone else's comment is refused (403)
 * while it shows; a deleted one, or one on an article the actor cannot see, does not exist (404).
 */
async function commentToChange(
  ctx: AppContext,
  actor: UserRow,
  id: number,
  allowed: (comment: CommentRow, article: ArticleRow) => boolean,
): Promise<{ comment: CommentRow; article: ArticleRow }> {
  assertMayWrite(actor);
  const comment = await findComment(ctx.database.db, id);
  if (!comment || comment.deleted === 1) throw notFound('comment not found');
  const article = await findArticleById(ctx.database.db, comment.article_id);
  if (!article) throw notFound('comment not found');
  if (!allowed(comment, article)) {
    if (isVisible(article, ctx.clock.now()))
      throw new AppError('forbidden', 'You may not change this comment');
    throw notFound('comment not found');
  }
  return { comment, article };
}

/** The author edits their comment: it shows "edited" from then on. */
export async function editComment(
  ctx: AppContext,
  actor: UserRow,
  id: number,
  body: string,
): Promise<{ comment: CommentRow; article: ArticleRow }> {
  const problem = checkCommentBody(body);
  if (problem) throw validationFailed([problem]);
  const { comment, article } = await commentToChange(ctx, actor, id, (c) => c.user_id === actor.id);
  if (body === comment.body_markdown) return { comment, article };
  const html = renderMarkdown(body, { mentions: await mentionedAccounts(ctx, body) }).html;
  const stamp = ctx.clock.now().toISOString();
  return ctx.database.transaction(async (tx) => {
    const row = await updateComment(tx.db, comment.id, {
      body_markdown: body,
      body_html: html,
      edited_at: stamp,
      updated_at: stamp,
    });
    if (!row || row.deleted === 1) throw notFound('comment not found');
    await emitComment(ctx, tx, 'comment.updated', row, article, actor);
    return { comment: row, article };
  });
}

/**
 * Deletes a comment (its author, or an administrator): the text goes, "[deleted]" stays in its
 * place so the replies keep their thread, and the article's count drops by one.
 */
export async function deleteComment(ctx: AppContext, actor: UserRow, id: number): Promise<void> {
  const { comment, article } = await commentToChange(
    ctx,
    actor,
    id,
    (c) => c.user_id === actor.id || actor.role === 'admin',
  );
  await removeComment(ctx, comment, article);
}

/** Deletes a comment whoever asks (moderation has checked): see deleteComment. */
export async function removeComment(
  ctx: AppContext,
  comment: CommentRow,
  article: ArticleRow,
): Promise<void> {
  const stamp = ctx.clock.now().toISOString();
  await ctx.database.transaction(async (tx) => {
    // Deleted twice at once: the second finds it gone and moves nothing.
    const row = await markCommentDeleted(tx.db, comment.id, stamp);
    if (!row) return;
    await moveCommentCount(tx.db, article.id, -1, null);
    const writer = await findUserById(tx.db, comment.user_id);
    if (writer) await emitComment(ctx, tx, 'comment.deleted', row, article, writer);
  });
}

/**
 * The article's author (or an administrator) hides a comment on their article, or shows it
 * again: a hidden comment collapses for everyone, with a note saying the author hid it.
 */
export async function setCommentHidden(
  ctx: AppContext,
  actor: UserRow,
  id: number,
  hidden: boolean,
): Promise<{ comment: CommentRow; article: ArticleRow }> {
  const { comment, article } = await commentToChange(
    ctx,
    actor,
    id,
    (_c, a) => a.user_id === actor.id || actor.role === 'admin',
  );
  // The article's author hides as the author; an administrator on anyone else's, as a moderator.
  const state = !hidden
    ? SHOWN
    : article.user_id === actor.id
      ? HIDDEN_BY_AUTHOR
      : HIDDEN_BY_MODERATOR;
  if (comment.hidden === state) return { comment, article };
  const stamp = ctx.clock.now().toISOString();
  return ctx.database.transaction(async (tx) => {
    const row = await updateComment(tx.db, comment.id, {
      hidden: state,
      updated_at: stamp,
    });
    if (!row) throw notFound('comment not found');
    const writer = (await findUserById(tx.db, row.user_id)) as UserRow;
    await emitComment(ctx, tx, 'comment.updated', row, article, writer);
    return { comment: row, article };
  });
}

/** An article's thread as a forest, for anyone who may see the article (else a 404). */
export async function threadOf(ctx: AppContext, articleId: number): Promise<CommentNode[]> {
  await openArticle(ctx, articleId);
  return commentTree(await articleComments(ctx.database.db, articleId));
}

/** One comment with its replies, and its article, if the article is public. */
export async function commentWithReplies(
  ctx: AppContext,
  id: number,
): Promise<{ node: CommentNode; article: ArticleRow }> {
  const comment = await findComment(ctx.database.db, id);
  if (!comment) throw notFound('comment not found');
  const article = await openArticle(ctx, comment.article_id).catch(() => {
    throw notFound('comment not found');
  });
  const node = findNode(commentTree(await articleComments(ctx.database.db, article.id)), id);
  if (!node) throw notFound('comment not found');
  return { node, article };
}

/** A comment row by id, whatever its state (reactions and reports check it themselves). */
export function findCommentRow(ctx: AppContext, id: number): Promise<CommentRow | undefined> {
  return findComment(ctx.database.db, id);
}

/**
 * How deep a comment sits in its thread (1 for a comment on the article), found by walking up
 * its parents: at most `limit` reads, however long the thread. Past `limit`, `limit` is returned.
 */
export async function commentDepth(ctx: AppContext, id: number, limit: number): Promise<number> {
  let depth = 0;
  for (let next: number | null = id; next !== null && depth < limit; depth++) {
    const row: CommentRow | undefined = await findComment(ctx.database.db, next);
    if (!row) break;
    next = row.parent_id;
  }
  return depth;
}
