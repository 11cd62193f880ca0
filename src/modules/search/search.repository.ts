/**
 * The search of articles, on whichever database (the dialects' SQL is in `db/full-text.ts`), and
 * the prefix search of people and tags.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { type FullTextHit, type FullTextPage, searchArticlesFullText } from '../../db/full-text.ts';
import { type OwnFullTextPage, searchOwnArticlesFullText } from '../../db/full-text-own.ts';
import type { UserRow } from '../../db/schema.ts';
import type { SearchQuery } from './query.ts';

/** The ids of one page of public, live articles matching the query, best first, with excerpts. */
export function searchArticles(
  database: Pick<Database, 'dialect' | 'db'>,
  query: SearchQuery,
  page: FullTextPage,
): Promise<FullTextHit[]> {
  return searchArticlesFullText(database, query, page);
}

/** A half-open range of strings, `from <= x < to`: every string that starts with `from`. */
export interface PrefixRange {
  from: string;
  to: string;
}

/**
 * The range of the strings that start with `prefix`, in bytewise (code point) order: U+10FFFF,
 * the last code point, sorts after any character that can follow it.
 */
export function prefixRange(prefix: string): PrefixRange {
  return { from: prefix, to: `${prefix}\u{10FFFF}` };
}

export interface PeopleSearch {
  /** Usernames starting with this (lower case), or null to look by name only. */
  username: PrefixRange | null;
  /** Names whose lower case (as the database lowers) starts with this one's lower case. */
  name: PrefixRange;
  limit: number;
  offset: number;
}

export type PersonFound = Pick<
  UserRow,
  | 'id'
  | 'name'
  | 'username'
  | 'twitter_username'
  | 'github_username'
  | 'website_url'
  | 'profile_image'
>;

/** Bytewise comparison: a range on PostgreSQL's `COLLATE "C"` indexes (migration 0012). */
const bytewise = (dialect: Database['dialect']) =>
  dialect === 'postgres' ? sql` collate "C"` : sql``;

/**
 * The statement of one page of accounts not suspended whose username or lower-cased name starts
 * with the search, by username: the rows of two index ranges (the username's, `lower(name)`'s),
 * each read once whichever range holds it.
 */
export function peopleStatement(
  database: Pick<Database, 'dialect'>,
  search: PeopleSearch,
): RawBuilder<PersonFound> {
  const c = bytewise(database.dialect);
  const byName = sql`(lower(name)${c} >= lower(${search.name.from})
      and lower(name)${c} < lower(${search.name.to}))`;
  const matches = search.username
    ? sql`((username${c} >= ${search.username.from} and username${c} < ${search.username.to})
        or ${byName})`
    : byName;
  return sql<PersonFound>`select id, name, username, twitter_username, github_username,
        website_url, profile_image
      from users where ${matches} and suspended_at is null
      order by username limit ${search.limit} offset ${search.offset}`;
}

export async function searchPeople(
  database: Pick<Database, 'dialect' | 'db'>,
  search: PeopleSearch,
): Promise<PersonFound[]> {
  const { rows } = await peopleStatement(database, search).execute(database.db);
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export interface TagFoundRow {
  id: number;
  name: string;
  published_count: number;
}

export interface Rows {
  limit: number;
  offset: number;
}

/** The statement of one page of the tags of published articles named in `range`, most used first. */
export function tagsStatement(
  database: Pick<Database, 'dialect'>,
  range: PrefixRange,
  page: Rows,
): RawBuilder<TagFoundRow> {
  const c = bytewise(database.dialect);
  return sql<TagFoundRow>`select id, name, published_count from tags
      where name${c} >= ${range.from} and name${c} < ${range.to} and published_count > 0
      order by published_count desc, name limit ${page.limit} offset ${page.offset}`;
}

export async function searchTags(
  database: Pick<Database, 'dialect' | 'db'>,
  range: PrefixRange,
  page: Rows,
): Promise<TagFoundRow[]> {
  const { rows } = await tagsStatement(database, range, page).execute(database.db);
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    published_count: Number(row.published_count),
  }));
}

/** The ids of one page of the author's own articles matching the query, in every state. */
export function searchOwnArticles(
  database: Pick<Database, 'dialect' | 'db'>,
  query: SearchQuery,
  page: OwnFullTextPage,
): Promise<FullTextHit[]> {
  return searchOwnArticlesFullText(database, query, page);
}
