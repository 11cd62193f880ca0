/**
 * Full-text search of one author's own articles, in every state (drafts, scheduled, published,
 * withheld), for their dashboard. An author's articles are few beside the site's, so the search
 * starts from them (an index range of `articles` by `user_id`) and tests each against the
 * full-text index by its id, rather than reading every article the terms match. On SQLite, a
 * prefix longer than FTS5's prefix index holds is the exception: FTS5 gathers the match list of
 * every word it starts each time it is asked, so there the matches are read once instead.
 *
 * Ordered by whether the title alone holds every required term (as the public search), then by
 * date, newest first (a scheduled article by when it goes out, a draft by when it was created).
 * Not by `bm25`: FTS5 computes its document frequencies by reading each term's whole match list
 * again every time the index is asked about one more row, which is the reading this avoids.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Database } from './database.ts';
import {
  type FullTextHit,
  type FullTextQuery,
  type FullTextTerm,
  andFilters,
  fts5Match,
  HEADLINE_OPTIONS,
  MARK_CLOSE,
  MARK_OPEN,
  searchHits,
  tsQueryText,
} from './full-text.ts';

export interface OwnFullTextPage {
  /** The author whose articles are searched. */
  userId: number;
  limit: number;
  offset: number;
}

/** The longest prefix FTS5's prefix index holds (`prefix = '2 3'`, migration 0011). */
const FTS5_PREFIX_INDEXED = 3;

/** Whether FTS5 finds the term in its index without gathering the match lists of many words. */
const indexed = (term: FullTextTerm) =>
  !term.prefix || [...(term.tokens.at(-1) ?? '')].length <= FTS5_PREFIX_INDEXED;

/**
 * The statement that finds one page of the author's articles matching the query, with an
 * excerpt of each page row's body, made for the page's rows only.
 */
export function ownFullTextStatement(
  database: Pick<Database, 'dialect'>,
  query: FullTextQuery,
  page: OwnFullTextPage,
): RawBuilder<{ id: number; excerpt: string }> {
  const where = andFilters(query);
  if (database.dialect === 'sqlite') {
    const match = fts5Match(query);
    // The required words alone: fts5Match writes tags as words of their own column too.
    const words = fts5Match({ ...query, not: [], tags: [], notTags: [] });
    const inTitle = `{title} : (${words})`;
    // CROSS JOIN keeps the author's rows as the outer loop, FTS5 asked about each by rowid; or,
    // for a long prefix, the matches, each article then read by primary key.
    const byAuthor = [...query.must, ...query.not].every(indexed);
    const rows = byAuthor
      ? sql`articles a cross join articles_fts f on f.rowid = a.id`
      : sql`articles_fts f cross join articles a on a.id = f.rowid`;
    const titled = byAuthor
      ? sql`exists (select 1 from articles_fts t
            where t.articles_fts match ${inTitle} and t.rowid = a.id)`
      : sql`a.id in (select rowid from articles_fts where articles_fts match ${inTitle})`;
    return sql<{ id: number; excerpt: string }>`with page as (
        select a.id, coalesce(a.published_at, a.created_at) as at, ${titled} as in_title
        from ${rows}
        where a.user_id = ${page.userId} and f.articles_fts match ${match}${where}
        order by in_title desc, at desc, a.id desc
        limit ${page.limit} offset ${page.offset})
      select page.id,
        snippet(articles_fts, 3, ${MARK_OPEN}, ${MARK_CLOSE}, '…', 24) as excerpt
      from page cross join articles_fts on articles_fts.rowid = page.id
      where articles_fts match ${match}
      order by page.in_title desc, page.at desc, page.id desc`;
  }
  // The lateral subquery (kept whole by `offset 0`) looks up each of the author's rows by
  // primary key: joined plainly, the planner may read all of `article_search` for a word most
  // articles hold, or the term's whole match list from the GIN index.
  const matches = sql`to_tsquery('simple', ${tsQueryText(query)})`;
  const inTitle = sql`to_tsquery('simple', ${tsQueryText({ ...query, not: [] })})`;
  return sql<{ id: number; excerpt: string }>`with page as (
        select a.id, coalesce(a.published_at, a.created_at) as at,
          ts_filter(s.document, '{a}') @@ ${inTitle} as in_title
        from articles a cross join lateral (
          select document from article_search where article_id = a.id offset 0) s
        where a.user_id = ${page.userId} and s.document @@ ${matches}${where}
        order by in_title desc, at desc, a.id desc
        limit ${page.limit} offset ${page.offset})
      select page.id::int as id,
        ts_headline('simple', a.body_text, ${matches}, ${HEADLINE_OPTIONS}) as excerpt
      from page join articles a on a.id = page.id
      order by page.in_title desc, page.at desc, page.id desc`;
}

/**
 * The statement of a query with filters and no words (`tag:rust`): the author's articles that
 * pass them, newest first, the description as the excerpt.
 */
export function ownFilteredStatement(
  query: FullTextQuery,
  page: OwnFullTextPage,
): RawBuilder<{ id: number; excerpt: string }> {
  return sql<{ id: number; excerpt: string }>`select a.id, a.description as excerpt
      from articles a
      where a.user_id = ${page.userId}${andFilters(query)}
      order by coalesce(a.published_at, a.created_at) desc, a.id desc
      limit ${page.limit} offset ${page.offset}`;
}

/** One page of the author's articles found; none when the query has nothing to look for. */
export function searchOwnArticlesFullText(
  database: Pick<Database, 'dialect' | 'db'>,
  query: FullTextQuery,
  page: OwnFullTextPage,
): Promise<FullTextHit[]> {
  return searchHits(database, query, page.limit, {
    words: () => ownFullTextStatement(database, query, page),
    filtered: () => ownFilteredStatement(query, page),
  });
}
