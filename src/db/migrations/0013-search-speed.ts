/**
 * Search on PostgreSQL at scale.
 *
 * Folding accented Latin letters (`quire_search_fold`) read every character of an article
 * against every letter of the fold table: milliseconds per article on each write. It now finds
 * the runs of letters from the two Latin blocks the table covers, and translates only those; the
 * result is the same for every text, so no stored vector changes.
 *
 * Letters beyond ASCII are put in lower case whatever the database's locale: `to_tsvector` lowers
 * by the locale's LC_CTYPE, and under `C` it lowers ASCII alone, so `Йогурт` was indexed as it
 * is written while a query looks for `йогурт`. `lower()` under ICU's root collation, where the
 * server has ICU (`und-x-icu`); the locale's otherwise. Vectors of text beyond ASCII are made
 * again.
 *
 * Every search reads vectors out of TOAST, one per candidate it checks; where the server was
 * built with lz4, vectors are stored with it (as 0004 does for bodies): three times faster to
 * read than pglz at 1M articles, and smaller. Vectors already stored keep their method until
 * rewritten.
 *
 * SQLite needs none of this: FTS5 folds as it tokenizes, and compresses nothing.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';
import { latinFolds } from '../latin-fold.ts';

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
  const lz4 = await sql<{ lz4: boolean }>`select 'lz4' = any(enumvals) as lz4 from pg_settings
      where name = 'default_toast_compression'`.execute(db);
  if (lz4.rows[0]?.lz4)
    await run('alter table article_search alter column document set compression lz4');
  const icu = await sql<{ n: number }>`select count(*)::int as n from pg_collation
      where collname = 'und-x-icu'`.execute(db);
  const collate = icu.rows[0]?.n ? ' collate "und-x-icu"' : '';
  await run(`create function quire_search_lower(text) returns text
      language sql immutable strict parallel safe
      return lower($1${collate})`);
  const part = (column: string) =>
    `to_tsvector('simple', quire_search_lower(quire_search_fold(coalesce(${column}, ''))))`;
  await run(`create or replace function quire_search_document(title text, tags text,
        description text, body text) returns tsvector
      language sql immutable parallel safe
      return setweight(${part('title')}, 'A') || setweight(${part('tags')}, 'B')
        || setweight(${part('description')}, 'C') || setweight(${part('body')}, 'D')`);
  await run(`update article_search s
      set document = quire_search_document(a.title, a.cached_tag_list, a.description,
        a.body_markdown)
      from articles a
      where a.id = s.article_id
        and concat(a.title, a.cached_tag_list, a.description, a.body_markdown) ~ '[^\x01-\x7f]'`);
}
