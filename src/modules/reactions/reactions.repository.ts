/** Queries of reactions. The counts on articles and comments move in the same transaction. */
import type { DbHandle } from '../../db/database.ts';
import type { ReactionRow } from '../../db/schema.ts';

export interface ReactionKey {
  user_id: number;
  reactable_type: string;
  reactable_id: number;
  category: string;
}

const same = (key: ReactionKey) => (db: DbHandle) =>
  db
    .selectFrom('reactions')
    .selectAll()
    .where('user_id', '=', key.user_id)
    .where('reactable_type', '=', key.reactable_type)
    .where('reactable_id', '=', key.reactable_id)
    .where('category', '=', key.category);

export function findReaction(db: DbHandle, key: ReactionKey): Promise<ReactionRow | undefined> {
  return same(key)(db).executeTakeFirst();
}

/** Inserts the reaction unless the reader already gave it; returns it when this inserted it. */
export function insertReaction(
  db: DbHandle,
  key: ReactionKey,
  stamp: string,
): Promise<ReactionRow | undefined> {
  return db
    .insertInto('reactions')
    .values({ ...key, created_at: stamp })
    .onConflict((oc) =>
      oc.columns(['user_id', 'reactable_type', 'reactable_id', 'category']).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the reaction; returns it when this deleted it. */
export function deleteReaction(db: DbHandle, key: ReactionKey): Promise<ReactionRow | undefined> {
  return db
    .deleteFrom('reactions')
    .where('user_id', '=', key.user_id)
    .where('reactable_type', '=', key.reactable_type)
    .where('reactable_id', '=', key.reactable_id)
    .where('category', '=', key.category)
    .returningAll()
    .executeTakeFirst();
}

/** Moves the public reaction count of an article or a comment. */
export async function moveReactionCount(
  db: DbHandle,
  type: 'Article' | 'Comment',
  id: number,
  by: 1 | -1,
): Promise<void> {
  const table = type === 'Article' ? 'articles' : 'comments';
  await db
    .updateTable(table)
    .set((eb) => ({ public_reactions_count: eb('public_reactions_count', '+', by) }))
    .where('id', '=', id)
    .execute();
}

/** The reader's reactions on an article and on its comments. */
export async function readerReactions(
  db: DbHandle,
  userId: number,
  articleId: number,
): Promise<Array<Pick<ReactionRow, 'reactable_type' | 'reactable_id' | 'category'>>> {
  const onArticle = db
    .selectFrom('reactions')
    .select(['reactable_type', 'reactable_id', 'category'])
    .where('user_id', '=', userId)
    .where('reactable_type', '=', 'Article')
    .where('reactable_id', '=', articleId)
    .execute();
  // The reader's reactions on comments, through their own reactions (few), not the thread's.
  const onComments = db
    .selectFrom('reactions')
    .innerJoin('comments', 'comments.id', 'reactions.reactable_id')
    .select(['reactions.reactable_type', 'reactions.reactable_id', 'reactions.category'])
    .where('reactions.user_id', '=', userId)
    .where('reactions.reactable_type', '=', 'Comment')
    .where('comments.article_id', '=', articleId)
    .execute();
  return [...(await onArticle), ...(await onComments)];
}

/** One page of the reader's reading list, newest first. */
export function readingList(
  db: DbHandle,
  userId: number,
  limit: number,
  offset: number,
): Promise<ReactionRow[]> {
  return db
    .selectFrom('reactions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('category', '=', 'readinglist')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Removes the reactions on an article and on its comments (the article is being deleted). */
export async function deleteReactionsOf(
  db: DbHandle,
  articleId: number,
  commentIds: readonly number[],
): Promise<void> {
  await db
    .deleteFrom('reactions')
    .where('reactable_type', '=', 'Article')
    .where('reactable_id', '=', articleId)
    .execute();
  for (let i = 0; i < commentIds.length; i += 500) {
    await db
      .deleteFrom('reactions')
      .where('reactable_type', '=', 'Comment')
      .where('reactable_id', 'in', commentIds.slice(i, i + 500))
      .execute();
  }
}
