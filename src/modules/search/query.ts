/**
 * The search query language, parsed into a small tree and never handed to an engine as text:
 * words, `"phrases"` (`\"` and `\\` escape inside), `-excluded` words, phrases and filters,
 * `prefix*` (two characters at least), `tag:name` and `author:username`. Words are cut into
 * tokens of letters and digits (lower case, accents removed), so `foo-bar` is the phrase
 * "foo bar" and punctuation alone is nothing. A query that does not parse (an unclosed quote) is
 * searched as its plain words. Pure: no database, no engine.
 */
import type { FullTextQuery, FullTextTerm } from '../../db/full-text.ts';
import { foldLatin } from '../../db/latin-fold.ts';

export type SearchQuery = FullTextQuery;

/** The longest query accepted, in characters. */
export const SEARCH_QUERY_MAX = 256;

const PREFIX_MIN = 2;
const TAG = /^[a-z0-9]+$/;
const USERNAME = /^[a-z0-9_]+$/;

/**
 * Runs of letters (with their marks) and digits, in lower case, accented Latin letters folded to
 * their base letter: as both indexes tokenize (`db/latin-fold.ts`).
 */
export function tokenize(text: string): string[] {
  const folded = foldLatin(text.normalize('NFC')).toLowerCase();
  return folded.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

/** One whitespace-separated piece of the query, before it means anything. */
interface Item {
  negated: boolean;
  quoted: boolean;
  text: string;
  /** A `*` right after the closing quote of a phrase. */
  starred: boolean;
}

class Unparsable extends Error {}

function items(input: string): Item[] {
  const out: Item[] = [];
  let i = 0;
  const space = (c: string | undefined) => c !== undefined && /\s/u.test(c);
  while (i < input.length) {
    while (space(input[i])) i++;
    if (i >= input.length) break;
    let negated = false;
    if (input[i] === '-') {
      negated = true;
      i++;
    }
    if (input[i] === '"') {
      i++;
      let text = '';
      for (;;) {
        const c = input[i];
        if (c === undefined) throw new Unparsable('unclosed quote');
        i++;
        if (c === '"') break;
        if (c === '\\' && (input[i] === '"' || input[i] === '\\')) {
          text += input[i];
          i++;
          continue;
        }
        text += c;
      }
      const starred = input[i] === '*';
      if (starred) i++;
      out.push({ negated, quoted: true, text, starred });
      continue;
    }
    let text = '';
    while (i < input.length && !space(input[i])) text += input[i++];
    out.push({ negated, quoted: false, text, starred: false });
  }
  return out;
}

function term(tokens: string[], prefix: boolean): FullTextTerm | null {
  if (tokens.length === 0) return null;
  const last = tokens[tokens.length - 1] as string;
  return { tokens, prefix: prefix && [...last].length >= PREFIX_MIN };
}

function empty(): SearchQuery {
  return { must: [], not: [], tags: [], notTags: [], authors: [], notAuthors: [] };
}

function addTerm(query: SearchQuery, found: FullTextTerm | null, negated: boolean) {
  if (found) (negated ? query.not : query.must).push(found);
}

function fromItems(list: Item[]): SearchQuery {
  const query = empty();
  for (const item of list) {
    if (item.quoted) {
      addTerm(query, term(tokenize(item.text), item.starred), item.negated);
      continue;
    }
    const filter = /^(tag|author):(.+)$/i.exec(item.text);
    const value = filter?.[2]?.toLowerCase() ?? '';
    if (filter?.[1]?.toLowerCase() === 'tag' && TAG.test(value)) {
      (item.negated ? query.notTags : query.tags).push(value);
      continue;
    }
    if (filter?.[1]?.toLowerCase() === 'author' && USERNAME.test(value)) {
      (item.negated ? query.notAuthors : query.authors).push(value);
      continue;
    }
    const starred = item.text.endsWith('*');
    const tokens = tokenize(item.text);
    // `abc*` is a prefix; `a*b*` or `foo-ba*` are just their words.
    const prefix = starred && tokens.length === 1 && /^[\p{L}\p{N}\p{M}]+\*+$/u.test(item.text);
    addTerm(query, term(tokens, prefix), item.negated);
  }
  return query;
}

/** The tree of a query; anything unparsable becomes its plain words. */
export function parseSearchQuery(input: string): SearchQuery {
  try {
    return fromItems(items(input));
  } catch (error) {
    if (!(error instanceof Unparsable)) throw error;
    const query = empty();
    for (const token of tokenize(input)) query.must.push({ tokens: [token], prefix: false });
    return query;
  }
}

/** True when the query has something to look for: a word, or a tag or author to list. */
export { searchableQuery as searchable } from '../../db/full-text.ts';
