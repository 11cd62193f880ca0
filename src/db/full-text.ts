/**
 * Full-text search of published articles on either database: FTS5 on SQLite, a weighted
 * `tsvector` on PostgreSQL (both kept by triggers, see migration 0011). What to look for arrives
 * as a parsed query, never as text for an engine: every token is letters, marks and digits only, and
 * each is written here as a quoted string (FTS5) or a quoted lexeme (`to_tsquery`), so no
 * operator of either engine can come from a user.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Database } from './database.ts';

/** A word, a phrase (its tokens in a row), or either with its last token a prefix. */
export interface FullTextTerm {
  /** Lower-case letters (with their marks) and digits, Latin accents folded; at least one. */
  tokens: string[];
  prefix: boolean;
}

export interface FullTextQuery {
  /**
   * Every one must match. Without any, a query of tags or authors lists their articles, newest
   * first; a query with none of the three finds nothing.
   */
  must: FullTextTerm[];
  /** None may match. */
  not: FullTextTerm[];
  /** Tag names the article must carry, and must not. */
  tags: string[];
  notTags: string[];
  /** Usernames the author must have, and must not. */
  authors: string[];
  notAuthors: string[];
}

export interface FullTextPage {
  /** Only articles published at or before this instant (ISO-8601) are found. */
  visibleAt: string;
  limit: number;
  offset: number;
  /**
   * How many matches are ranked, at most: the newest this many (on SQLite, and the newest this
   * many whose title holds every required term). A query matching fewer is ranked whole; one matching more
   * (a common word on a large site) costs what ranking this many costs, not what its matches
   * number. Pages past them are empty.
   */
  candidates: number;
}

/** One article found, best first, with an excerpt of its body in which OPEN and CLOSE mark hits. */
export interface FullTextHit {
  id: number;
  excerpt: string;
}

/** Around each hit in an excerpt; control characters no Markdown body keeps meaningfully. */
export const MARK_OPEN = '\u0002';
export const MARK_CLOSE = '\u0003';

/** `ts_headline`'s options for an excerpt of about the length FTS5's `snippet` makes. */
export const HEADLINE_OPTIONS = `StartSel=${MARK_OPEN}, StopSel=${MARK_CLOSE}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

const TOKEN = /^[\p{L}\p{M}\p{N}]+$/u;

function checkedTokens(term: FullTextTerm): string[] {
  // The parser only makes such tokens; this keeps the engines' syntax out whoever calls.
  for (const token of term.tokens)
    if (!TOKEN.test(token)) throw new TypeError(`not a search token: ${JSON.stringify(token)}`);
  return term.tokens;
}

/** A term as an FTS5 string: `"token token"`, `"` doubled, `*` after it for a prefix. */
function fts5Term(term: FullTextTerm): string {
  const text = checkedTokens(term).join(' ').replaceAll('"', '""');
  return `"${text}"${term.prefix ? '*' : ''}`;
}

/** A tag name as one token of the tags column (names are letters and digits, as tokens are). */
const tagTerm = (name: string): FullTextTerm => ({ tokens: [name], prefix: false });

/**
 * The FTS5 MATCH expression: the terms ANDed, then each excluded one after NOT. Tags are in it
 * too, as words of the tags column, so the index intersects a rare tag with a common word
 * instead of every match of the word being checked for the tag (the SQL condition on
 * `article_tags` still decides).
 */
export function fts5Match(query: FullTextQuery): string {
  const tagged = (name: string) => `{cached_tag_list} : ${fts5Term(tagTerm(name))}`;
  const must = [...query.must.map(fts5Term), ...query.tags.map(tagged)].join(' AND ');
  const not = [...query.not.map(fts5Term), ...query.notTags.map(tagged)]
    .map((term) => ` NOT ${term}`)
    .join('');
  return not !== '' ? `(${must})${not}` : must;
}

/** A term as tsquery text: quoted lexemes followed by `<->`, `:*` on the last for a prefix. */
function tsTerm(term: FullTextTerm): string {
  const tokens = checkedTokens(term);
  const lexemes = tokens.map((token, i) => {
    const quoted = `'${token.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`;
    return term.prefix && i === tokens.length - 1 ? `${quoted}:*` : quoted;
  });
  return lexemes.length > 1 ? `(${lexemes.join(' <-> ')})` : (lexemes[0] as string);
}

/** The `to_tsquery('simple', ...)` text: the terms ANDed, each excluded one after `& !`. */
export function tsQueryText(query: FullTextQuery): string {
  return [...query.must.map(tsTerm), ...query.not.map((term) => `!${tsTerm(term)}`)].join(' & ');
}

/**
 * The same with the tags as lexemes of weight B (the tags' weight), for finding: the GIN index
 * then intersects a rare tag with a common word (the SQL condition on `article_tags` still
 * decides). Ranked and highlighted by the words alone.
 */
export function tsFilterText(query: FullTextQuery): string {
  const tagged = (name: string) => `${tsTerm(tagTerm(name))}:B`;
  return [
    tsQueryText(query),
    ...query.tags.map(tagged),
    ...query.notTags.map((name) => `!${tagged(name)}`),
  ].join(' & ');
}

/** The filters on `a` (articles) that are SQL, not text: tags and authors. */
function filters(query: FullTextQuery): RawBuilder<unknown>[] {
  // A count per row rather than `exists`: PostgreSQL would turn `exists` into a join driven from
  // the tag's whole list (400,000 rows for a common tag), where the full-text match, which holds
  // the tag too, has already narrowed the rows to check.
  const tagged = (name: string) => sql`(select count(*) from article_tags at
      join tags g on g.id = at.tag_id where at.article_id = a.id and g.name = ${name}) > 0`;
  const by = (username: string) =>
    sql`a.user_id in (select u.id from users u where u.username = ${username})`;
  return [
    ...query.tags.map(tagged),
    ...query.notTags.map((name) => sql`not ${tagged(name)}`),
    ...query.authors.map(by),
    ...query.notAuthors.map((username) => sql`not ${by(username)}`),
  ];
}

/** The query's SQL filters (`filters`), each after an ` and `; nothing when there are none. */
export function andFilters(query: FullTextQuery): RawBuilder<unknown> {
  const conditions = filters(query);
  return conditions.length === 0 ? sql`` : sql` and ${sql.join(conditions, sql` and `)}`;
}

/** Public, live articles (`a`) that pass the query's SQL filters. */
const visibleMatching = (query: FullTextQuery, page: FullTextPage) =>
  sql`a.published = 1 and a.published_at <= ${page.visibleAt}${andFilters(query)}`;

/**
 * The statement that finds one page: public, live articles matching the query; first those whose
 * title alone holds every required term, then by rank (title weighted above tags, above
 * description, above body), newest first among equals; with an excerpt of each page row's body,
 * made for the page's rows only. Only candidates are ranked (`FullTextPage.candidates`): the
 * newest matches (on SQLite also the newest title matches), each set found by walking the index
 * from the newest article down and stopping when there are enough.
 */
export function fullTextStatement(
  database: Pick<Database, 'dialect'>,
  query: FullTextQuery,
  page: FullTextPage,
): RawBuilder<{ id: number; excerpt: string }> {
  const visible = visibleMatching(query, page);
  if (database.dialect === 'sqlite') {
    const match = fts5Match(query);
    const inTitle = `{title} : (${query.must.map(fts5Term).join(' AND ')})`;
    const titled = `${inTitle} AND (${match})`;
    // CROSS JOIN keeps the FTS index as the outer loop, walked by rowid (the article's id) from
    // the newest down, each match then checked by primary key, until there are enough.
    const newest = (expression: string) => sql`select a.id from articles_fts
        cross join articles a on a.id = articles_fts.rowid
        where articles_fts match ${expression} and ${visible}
        order by articles_fts.rowid desc limit ${page.candidates}`;
    // The candidates are ranked in one pass down the index from the newest, which stops once
    // it has passed them all: bm25 counts each term's matches once per pass, so a lookup per
    // candidate (a new pass each) would count them again for every one. `+` keeps the
    // candidates a filter on that pass rather than lookups.
    return sql<{ id: number; excerpt: string }>`with titled as materialized (${newest(titled)}),
      candidates as materialized (
        select id from titled union select id from (${newest(match)})),
      ranked as materialized (
        select articles_fts.rowid as id,
          articles_fts.rowid in (select id from titled) as in_title,
          bm25(articles_fts, 10.0, 5.0, 2.0, 1.0) as rank
        from articles_fts where articles_fts match ${match}
          and +articles_fts.rowid in (select id from candidates)
        order by articles_fts.rowid desc limit (select count(*) from candidates)),
      page as (
        select a.id, a.published_at, ranked.in_title, ranked.rank
        from ranked cross join articles a on a.id = ranked.id
        where ${visible}
        order by ranked.in_title desc, ranked.rank, a.published_at desc, a.id desc
        limit ${page.limit} offset ${page.offset})
      select page.id,
        snippet(articles_fts, 3, ${MARK_OPEN}, ${MARK_CLOSE}, '…', 24) as excerpt
      from page cross join articles_fts on articles_fts.rowid = page.id
      where articles_fts match ${match}
      order by page.in_title desc, page.rank, page.published_at desc, page.id desc`;
  }
  // The candidates are the newest matches alone, ranked as they are found (ts_rank_cd needs no
  // pass over other rows), walking the vectors from the newest article down, or the GIN index
  // when the planner expects few matches: the tsquery is written where it is used, so the planner
  // sees it and can tell how common its words are. Title matches among them come first. The
  // newest title matches are not looked for apart, as on SQLite: each check of a title reads the
  // article's whole vector out of TOAST, and for a word in 2 % of a million titles the walk took
  // 680 ms (`docs/benchmarks.md`). ts_rank_cd's weights are for D, C, B, A: body, description,
  // tags, title.
  const tsquery = sql`to_tsquery('simple', ${tsQueryText(query)})`;
  const inTitle = sql`to_tsquery('simple', ${tsQueryText({ ...query, not: [] })})`;
  return sql<{ id: number; excerpt: string }>`with candidates as (
        select s.article_id as id, a.published_at,
          (ts_filter(s.document, '{a}') @@ ${inTitle})::int as in_title,
          ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', s.document, ${tsquery}) as rank
        from article_search s join articles a on a.id = s.article_id
        where s.document @@ to_tsquery('simple', ${tsFilterText(query)}) and ${visible}
        order by s.article_id desc limit ${page.candidates}),
      page as (
        select id, in_title, rank, published_at from candidates
        order by in_title desc, rank desc, published_at desc, id desc
        limit ${page.limit} offset ${page.offset})
      select page.id::int as id,
        ts_headline('simple', a.body_text, ${tsquery}, ${HEADLINE_OPTIONS}) as excerpt
      from page join articles a on a.id = page.id
      order by page.in_title desc, page.rank desc, page.published_at desc, page.id desc`;
}

/**
 * The statement of a query with filters and no words (`tag:rust`): the articles of its first tag,
 * or else of its first author, newest first, from the index of that list, each checked against the
 * other filters; the description as the excerpt.
 */
export function filteredStatement(
  query: FullTextQuery,
  page: FullTextPage,
): RawBuilder<{ id: number; excerpt: string }> {
  const [tag, ...otherTags] = query.tags;
  if (tag !== undefined)
    return sql<{ id: number; excerpt: string }>`select a.id, a.description as excerpt
      from article_tags t join articles a on a.id = t.article_id
      where t.tag_id = (select g.id from tags g where g.name = ${tag})
        and t.published = 1 and t.published_at <= ${page.visibleAt}
        and ${visibleMatching({ ...query, tags: otherTags }, page)}
      order by t.published_at desc, t.article_id desc
      limit ${page.limit} offset ${page.offset}`;
  return sql<{ id: number; excerpt: string }>`select a.id, a.description as excerpt
    from articles a
    where a.user_id = (select u.id from users u where u.username = ${query.authors[0] ?? ''})
      and ${visibleMatching({ ...query, authors: query.authors.slice(1) }, page)}
    order by a.published_at desc, a.id desc
    limit ${page.limit} offset ${page.offset}`;
}

/** True when a query can find anything: a word that must match, or a tag or author to list. */
export const searchableQuery = (query: FullTextQuery) =>
  query.must.length > 0 || query.tags.length > 0 || query.authors.length > 0;

type HitStatement = RawBuilder<{ id: number; excerpt: string }>;

/**
 * The hits of a search: none when the query has nothing to look for or no row is asked for, the
 * statement for its words when it has some, else the one listing by its filters.
 */
export async function searchHits(
  database: Pick<Database, 'db'>,
  query: FullTextQuery,
  limit: number,
  statements: { words: () => HitStatement; filtered: () => HitStatement },
): Promise<FullTextHit[]> {
  if (!searchableQuery(query) || limit <= 0) return [];
  const statement = query.must.length > 0 ? statements.words() : statements.filtered();
  const { rows } = await statement.execute(database.db);
  return rows.map((row) => ({ id: Number(row.id), excerpt: String(row.excerpt ?? '') }));
}

/** One page of articles found; none when the query has nothing to look for. */
export function searchArticlesFullText(
  database: Pick<Database, 'dialect' | 'db'>,
  query: FullTextQuery,
  page: FullTextPage,
): Promise<FullTextHit[]> {
  return searchHits(database, query, page.limit, {
    words: () => fullTextStatement(database, query, page),
    filtered: () => filteredStatement(query, page),
  });
}
