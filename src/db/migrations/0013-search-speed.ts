/**
 * Search on PostgreSQL at scale.
 *
 * Folding accented Latin letters (`quire_search_fold`) read every character of an article
 * against every letter of the fold table: milliseconds per article on each write. It now finds
 * the runs of letters from the two Latin blocks the table covers, and translates only those; the
 * result is the same for every text, so no stored vector changes.
 *
 * Title matches are looked for on their own (the newest of them are ranked first): a GIN index
 * of the title's lexemes (`ts_filter(document, '{a}')`, weight A) finds them without reading
 * every vector, and its statistics tell the planner how common a word is in titles.
 *
 * SQLite needs neither: FTS5 folds as it tokenizes, and its index answers `{title} :` itself.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';
import { latinFolds } from './0011-search.ts';

/** The blocks the fold table's letters come from: Latin-1 Supplement to Latin Extended-B, and
 * Latin Extended Additional. */
const FOLDED = '\u00c0-\u024f\u1e00-\u1eff';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') return;
  const run = (statement: string) => sql.raw(statement).execute(db);
  const { from, to } = latinFolds();
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  await run(`create or replace function quire_search_fold(text) returns text
      language sql immutable strict parallel safe
      return case when $1 !~ ${quote(`[${FOLDED}]`)} then $1 else (
        select string_agg(case when run[1] ~ ${quote(`^[${FOLDED}]`)}
            then translate(run[1], ${quote(from)}, ${quote(to)}) else run[1] end, '' order by n)
        from regexp_matches($1, ${quote(`[${FOLDED}]+|[^${FOLDED}]+`)}, 'g')
          with ordinality as runs (run, n)) end`);
  await run(`create index article_search_title on article_search
      using gin (ts_filter(document, '{a}'))`);
}
