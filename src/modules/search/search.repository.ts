/** The search of articles, on whichever database: the dialects' SQL is in `db/full-text.ts`. */
import type { Database } from '../../db/database.ts';
import { type FullTextHit, type FullTextPage, searchArticlesFullText } from '../../db/full-text.ts';
import type { SearchQuery } from './query.ts';

/** The ids of one page of public, live articles matching the query, best first, with excerpts. */
export function searchArticles(
  database: Pick<Database, 'dialect' | 'db'>,
  query: SearchQuery,
  page: FullTextPage,
): Promise<FullTextHit[]> {
  return searchArticlesFullText(database, query, page);
}
