/**
 * Articles withheld while their author is suspended. Every public list, feed, count and page
 * reads `published = 1` (from an index range on `articles` or `article_tags`, see
 * docs/query-plans.md), and `isVisible` asks for it too; so rather than join every listing to
 * `users` to leave suspended authors out (which no index range can answer), a suspension moves
 * the author's published articles, live and scheduled, to `published = 2` in both tables and
 * takes them off their tags' counts. Lifting it moves them back. Drafts stay drafts, and an
 * article a moderator unpublished meanwhile (2 to 0) stays unpublished.
 */
import type { Tx } from '../../db/database.ts';
import { changeTagCounts, moveTagRowsState } from './article-tags.repository.ts';
import { moveAuthorArticlesState } from './articles.repository.ts';

/** The `published` value of an article withheld while its author is suspended. */
export const WITHHELD = 2;

/**
 * Withholds (or restores) the author's published articles inside the caller's transaction, which
 * holds the author's row. In the order every article write locks: the articles' rows, then the
 * outbox, then their tags and the tags' counts.
 */
export async function withholdArticlesOf(tx: Tx, userId: number, withheld: boolean) {
  const [from, to] = withheld ? ([1, WITHHELD] as const) : ([WITHHELD, 1] as const);
  const ids = await moveAuthorArticlesState(tx.db, userId, from, to);
  await tx.lockOutbox();
  await changeTagCounts(tx.db, await moveTagRowsState(tx.db, ids, from, to));
  return ids;
}
