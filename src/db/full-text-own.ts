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
  filters,
  fts5Match,
  MARK_CLOSE,
  MARK_OPEN,
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

const andAll = (conditions: RawBuilder<unknown>[]) =>
  conditions.length === 0 ? sql`` : sql` and ${sql.join(conditions, sql` and `)}`;

/**
 * The statement that finds one page of the author's articles matching the query, with an
 * excerpt of each page row's body, made for the page's rows only.
 */
export function ownFullTextStatement(
  database: Pick<Database, 'dialect'>,
  query: FullTextQuery,
  page: OwnFullTextPage,
): RawBuilder<{ id: number; excerpt: string }> {
  const where = andAll(filters(query));
  if (database.dialect === 'sqlite') {
    const match = fts5Match(query);
    const inTitle = `{title} : (${fts5Match({ ...query, not: [] })})`;
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
  const options = `StartSel=${MARK_OPEN}, StopSel=${MARK_CLOSE}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;
  return sql<{ id: number; excerpt: string }>`with q as (
        select to_tsquery('simple', ${tsQueryText(query)}) as query,
          to_tsquery('simple', ${tsQueryText({ ...query, not: [] })}) as in_title),
      page as (
        select a.id, coalesce(a.published_at, a.created_at) as at,
          ts_filter(s.document, '{a}') @@ q.in_title as in_title
        from q, articles a join article_search s on s.article_id = a.id
        where a.user_id = ${page.userId} and s.document @@ q.query${where}
        order by in_title desc, at desc, a.id desc
        limit ${page.limit} offset ${page.offset})
      select page.id::int as id,
        ts_headline('simple', a.body_markdown, q.query, ${options}) as excerpt
      from q, page join articles a on a.id = page.id
      order by page.in_title desc, page.at desc, page.id desc`;
}

/** One page of the author's articles found; none when the query has nothing that must match. */
export async function searchOwnArticlesFullText(
  database: Pick<Database, 'dialect' | 'db'>,
  query: FullTextQuery,
  page: OwnFullTextPage,
): Promise<FullTextHit[]> {
  if (query.must.length === 0 || page.limit <= 0) return [];
  const { rows } = await ownFullTextStatement(database, query, page).execute(database.db);
  return rows.map((row) => ({ id: Number(row.id), excerpt: String(row.excerpt ?? '') }));
}
