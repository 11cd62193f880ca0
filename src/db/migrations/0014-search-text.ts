/**
 * Search reads the text a reader sees, not the Markdown source: link targets, a code block's
 * language, HTML attributes and Markdown punctuation are no longer words that find an article,
 * and an excerpt quotes the text as shown (no `**`, no `[text](url)`). `articles.body_text` holds
 * it, set by every write that sets `body_html` (from the same parse); here it is computed for the
 * articles that exist, a batch at a time so memory stays bounded however large the table, and the
 * full-text index is rebuilt over it: on SQLite a new FTS5 table with the options, column order
 * and names of 0011 but `body_text` for `body_markdown`; on PostgreSQL the trigger function fed
 * `body_text` (its name and `quire_search_document` kept) and every `article_search` row
 * recomputed.
 *
 * The text comes from src/render/html-text.ts, the converter new writes use, so old and new
 * articles are indexed alike.
 */
import { type Kysely, sql } from 'kysely';
import { htmlText } from '../../render/html-text.ts';
import type { Dialect } from '../database.ts';

/** Rows per batch, and about the most HTML (in characters) one batch holds in memory. */
const BATCH_ROWS = 500;
const BATCH_CHARS = 16 * 1024 * 1024;

/** The ids of the next batch after `after`: up to BATCH_ROWS, and BATCH_CHARS of HTML. */
async function nextBatch(db: Kysely<unknown>, after: number): Promise<number | null> {
  const { rows } = await sql<{ id: number; size: number }>`select id, length(body_html) as size
    from articles where id > ${after} order by id limit ${BATCH_ROWS}`.execute(db);
  let last: number | null = null;
  let chars = 0;
  for (const row of rows) {
    chars += Number(row.size);
    if (last !== null && chars > BATCH_CHARS) break;
    last = Number(row.id);
  }
  return last;
}

/** Sets `body_text` of every article from its `body_html`, in id order. */
async function backfill(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  let after = 0;
  for (;;) {
    const last = await nextBatch(db, after);
    if (last === null) return;
    const { rows } = await sql<{ id: number; body_html: string }>`select id, body_html
      from articles where id > ${after} and id <= ${last} order by id`.execute(db);
    const ids = rows.map((row) => Number(row.id));
    const texts = rows.map((row) => htmlText(row.body_html).text);
    if (dialect === 'postgres')
      await sql`update articles set body_text = v.body_text
        from unnest(${ids}::bigint[], ${texts}::text[]) as v (id, body_text)
        where articles.id = v.id`.execute(db);
    else
      for (const [i, id] of ids.entries())
        await sql`update articles set body_text = ${texts[i]} where id = ${id}`.execute(db);
    after = last;
  }
}

async function upSqlite(db: Kysely<unknown>): Promise<void> {
  const run = (statement: string) => sql.raw(statement).execute(db);
  await run(`alter table articles add column body_text text not null default ''`);
  for (const trigger of ['articles_fts_insert', 'articles_fts_delete', 'articles_fts_update'])
    await run(`drop trigger ${trigger}`);
  await run('drop table articles_fts');
  await backfill(db, 'sqlite');
  await run(`create virtual table articles_fts using fts5(
      title, cached_tag_list, description, body_text,
      content = 'articles', content_rowid = 'id',
      tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')`);
  // External content: the index is told the old values to remove, as FTS5 requires.
  await run(`create trigger articles_fts_insert after insert on articles begin
      insert into articles_fts (rowid, title, cached_tag_list, description, body_text)
      values (new.id, new.title, new.cached_tag_list, new.description, new.body_text);
    end`);
  await run(`create trigger articles_fts_delete after delete on articles begin
      insert into articles_fts (articles_fts, rowid, title, cached_tag_list, description,
        body_text)
      values ('delete', old.id, old.title, old.cached_tag_list, old.description, old.body_text);
    end`);
  await run(`create trigger articles_fts_update
    after update of title, cached_tag_list, description, body_text on articles
    when old.title is not new.title or old.cached_tag_list is not new.cached_tag_list
      or old.description is not new.description or old.body_text is not new.body_text
    begin
      insert into articles_fts (articles_fts, rowid, title, cached_tag_list, description,
        body_text)
      values ('delete', old.id, old.title, old.cached_tag_list, old.description, old.body_text);
      insert into articles_fts (rowid, title, cached_tag_list, description, body_text)
      values (new.id, new.title, new.cached_tag_list, new.description, new.body_text);
    end`);
  await run(`insert into articles_fts (articles_fts) values ('rebuild')`);
}

async function upPostgres(db: Kysely<unknown>): Promise<void> {
  const run = (statement: string) => sql.raw(statement).execute(db);
  await run(`alter table articles add column body_text text not null default ''`);
  // As 0004 does for the other bodies, where the server has lz4.
  const { rows } = await sql<{ lz4: boolean }>`
    select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'
  `.execute(db);
  if (rows[0]?.lz4) await run('alter table articles alter column body_text set compression lz4');
  // The trigger of 0011 fires on other columns, so filling body_text does not run it.
  await backfill(db, 'postgres');
  await run(`create or replace function quire_article_search_write() returns trigger
    language plpgsql as $$
    begin
      insert into article_search (article_id, document)
      values (new.id, quire_search_document(new.title, new.cached_tag_list, new.description,
        new.body_text))
      on conflict (article_id) do update set document = excluded.document;
      return null;
    end $$`);
  await run('drop trigger article_search_update on articles');
  await run(`create trigger article_search_update
      after update of title, cached_tag_list, description, body_text on articles
      for each row when (old.title is distinct from new.title
        or old.cached_tag_list is distinct from new.cached_tag_list
        or old.description is distinct from new.description
        or old.body_text is distinct from new.body_text)
      execute function quire_article_search_write()`);
  await run(`insert into article_search (article_id, document)
      select id, quire_search_document(title, cached_tag_list, description, body_text)
      from articles
      on conflict (article_id) do update set document = excluded.document`);
}

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') return upPostgres(db);
  // SQLite runs a migration outside a transaction: one here makes it all or nothing, and spares
  // the backfill a commit per row.
  await sql.raw('begin immediate').execute(db);
  try {
    await upSqlite(db);
    await sql.raw('commit').execute(db);
  } catch (error) {
    await sql.raw('rollback').execute(db);
    throw error;
  }
}
