/** Queries of comments. Counts on the article are kept in the same transaction as each write. */
import type { DbHandle } from '../../db/database.ts';
import type { CommentRow, UserRow } from '../../db/schema.ts';

export type NewComment = Pick<
  CommentRow,
  'article_id' | 'user_id' | 'parent_id' | 'body_markdown' | 'body_html' | 'created_at'
>;

export function findComment(db: DbHandle, id: number): Promise<CommentRow | undefined> {
  return db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertComment(db: DbHandle, row: NewComment): Promise<CommentRow> {
  return db
    .insertInto('comments')
    .values({ ...row, updated_at: row.created_at, edited_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateComment(
  db: DbHandle,
  id: number,
  changes: Partial<
    Pick<CommentRow, 'body_markdown' | 'body_html' | 'edited_at' | 'hidden' | 'deleted'>
  > & {
    updated_at: string;
  },
): Promise<CommentRow | undefined> {
  return db
    .updateTable('comments')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes a comment's text, unless it is already deleted; returns it when this did it. */
export function markCommentDeleted(
  db: DbHandle,
  id: number,
  stamp: string,
): Promise<CommentRow | undefined> {
  return db
    .updateTable('comments')
    .set({ body_markdown: '', body_html: '', deleted: 1, updated_at: stamp })
    .where('id', '=', id)
    .where('deleted', '=', 0)
    .returningAll()
    .executeTakeFirst();
}

/** Moves an article's comment count (and, for a new comment, when the last was written). */
export async function moveCommentCount(
  db: DbHandle,
  articleId: number,
  by: 1 | -1,
  lastCommentAt: string | null,
): Promise<void> {
  await db
    .updateTable('articles')
    .set((eb) => ({
      comments_count: eb('comments_count', '+', by),
      ...(lastCommentAt !== null && { last_comment_at: lastCommentAt }),
    }))
    .where('id', '=', articleId)
    .execute();
}

/** What a thread shows of each writer. */
const AUTHOR_COLUMNS = [
  'id',
  'username',
  'name',
  'profile_image',
  'twitter_username',
  'github_username',
  'website_url',
  'suspended_at',
] as const;

/** A comment with what a thread shows of its author. */
export type ThreadComment = CommentRow & {
  author: Pick<UserRow, (typeof AUTHOR_COLUMNS)[number]>;
};

/**
 * Every comment of an article, in the order written (one index range), with their writers (read
 * once each, by id, however many comments each wrote).
 */
export async function articleComments(db: DbHandle, articleId: number): Promise<ThreadComment[]> {
  const comments = await db
    .selectFrom('comments')
    .selectAll()
    .where('article_id', '=', articleId)
    .orderBy('id')
    .execute();
  const ids = [...new Set(comments.map((c) => c.user_id))];
  const authors = new Map<number, ThreadComment['author']>();
  for (let i = 0; i < ids.length; i += 1000) {
    const found = await db
      .selectFrom('users')
      .select(AUTHOR_COLUMNS)
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
    for (const author of found) authors.set(author.id, author);
  }
  return comments.flatMap((comment) => {
    const author = authors.get(comment.user_id);
    return author ? [{ ...comment, author }] : [];
  });
}

/** How many comments the account wrote since `since`. */
export async function countCommentsSince(
  db: DbHandle,
  userId: number,
  since: string,
): Promise<number> {
  const row = await db
    .selectFrom('comments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether the account wrote this text on this article since `since`. */
export async function hasSameComment(
  db: DbHandle,
  userId: number,
  articleId: number,
  body: string,
  since: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('comments')
    .select('id')
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .where('article_id', '=', articleId)
    .where('body_markdown', '=', body)
    .where('deleted', '=', 0)
    .executeTakeFirst();
  return row !== undefined;
}

/** The ids of an article's comments, for removing what refers to them with the article. */
export async function commentIdsOf(db: DbHandle, articleId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('comments')
    .select('id')
    .where('article_id', '=', articleId)
    .execute();
  return rows.map((r) => r.id);
}
