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

/** A comment with what a thread shows of its author. */
export type ThreadComment = CommentRow & {
  author: Pick<
    UserRow,
    | 'id'
    | 'username'
    | 'name'
    | 'profile_image'
    | 'twitter_username'
    | 'github_username'
    | 'website_url'
    | 'suspended_at'
  >;
};

/** Every comment of an article, in the order written, with their authors: one index range. */
export async function articleComments(db: DbHandle, articleId: number): Promise<ThreadComment[]> {
  const rows = await db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.user_id')
    .selectAll('comments')
    .select([
      'users.username',
      'users.name',
      'users.profile_image',
      'users.twitter_username',
      'users.github_username',
      'users.website_url',
      'users.suspended_at',
    ])
    .where('comments.article_id', '=', articleId)
    .orderBy('comments.id')
    .execute();
  return rows.map(
    ({
      username,
      name,
      profile_image,
      twitter_username,
      github_username,
      website_url,
      suspended_at,
      ...comment
    }) => ({
      ...comment,
      author: {
        id: comment.user_id,
        username,
        name,
        profile_image,
        twitter_username,
        github_username,
        website_url,
        suspended_at,
      },
    }),
  );
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
