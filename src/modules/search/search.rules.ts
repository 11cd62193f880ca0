/** Limits of a search and the check of its text. */
import { type FieldError } from '../../errors.ts';
import { SEARCH_QUERY_MAX } from './query.ts';

export const SEARCH_PER_PAGE = 30;
export const SEARCH_PER_PAGE_MAX = 100;

/**
 * How many of a query's newest matches are ranked (and as many of its newest title matches):
 * every match of a query that has fewer, the best of the newest for a common word, whose every
 * match would otherwise be ranked before the first page could be answered.
 */
export const SEARCH_CANDIDATES = 1000;

/** What is wrong with a query's text, if anything: it must have a non-blank character, and fit. */
export function queryProblems(q: string): FieldError[] {
  if (q.trim() === '') return [{ field: 'q', message: 'Q must not be blank' }];
  if ([...q].length > SEARCH_QUERY_MAX)
    return [{ field: 'q', message: `Q is too long (maximum is ${SEARCH_QUERY_MAX} characters)` }];
  return [];
}

/** What people search: `@` aside, a username's prefix (null when it cannot be one), and a name's. */
export function peoplePrefixes(q: string): { username: string | null; name: string } {
  // Control characters are in no name (and PostgreSQL's text cannot hold NUL).
  const name = q
    .replace(/\p{Cc}/gu, ' ')
    .trim()
    .replace(/\s+/gu, ' ');
  const username = name.replace(/^@/, '').toLowerCase();
  return { username: /^[a-z0-9_]+$/.test(username) ? username : null, name };
}

/** The prefix of a tag's name (`#` aside, lower case), or null when no tag can start with it. */
export function tagPrefix(q: string): string | null {
  const prefix = q.trim().replace(/^#/, '').toLowerCase();
  return /^[a-z0-9]+$/.test(prefix) ? prefix : null;
}
