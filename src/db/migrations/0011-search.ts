/**
 * Full-text search over articles, kept by the database itself in the transaction of every
 * article write (create, edit, publish, unpublish, delete, withholding, bulk import), whatever
 * code path makes it: triggers on `articles`, which fire only when an indexed column changes, so
 * the counts comments and reactions move on the row cost nothing here.
 *
 * SQLite: an FTS5 table with `articles` as its external content (title, tags, description, the
 * Markdown body), `unicode61 remove_diacritics 2`, prefix indexes of 2 and 3 characters.
 * PostgreSQL: `article_search`, one weighted `tsvector` per article (title A, tags B,
 * description C, body D) under a GIN index, in the `simple` configuration (no stemming and no
 * stop words, as FTS5 here, so both databases find the same articles), with accented Latin
 * letters folded to their base letter by `translate` (the `unaccent` extension may not exist).
 * A side table rather than a generated column on `articles`: `select *` of an article would
 * otherwise carry the whole vector. Every article is indexed (drafts too); what may be found is
 * decided when searching, like every public list, so publishing needs no index write.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';
import { latinFolds } from '../latin-fold.ts';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const run = (statement: string) => sql.raw(statement).execute(db);
  if (dialect === 'sqlite') {
    await run(`create virtual table articles_fts using fts5(
        title, cached_tag_list, description, body_markdown,
        content = 'articles', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')`);
    // External content: the index is told the old values to remove, as FTS5 requires.
    await run(`create trigger articles_fts_insert after insert on articles begin
        insert into articles_fts (rowid, title, cached_tag_list, description, body_markdown)
        values (new.id, new.title, new.cached_tag_list, new.description, new.body_markdown);
      end`);
    await run(`create trigger articles_fts_delete after delete on articles begin
        insert into articles_fts (articles_fts, rowid, title, cached_tag_list, description,
          body_markdown)
        values ('delete', old.id, old.title, old.cached_tag_list, old.description,
          old.body_markdown);
      end`);
    await run(`create trigger articles_fts_update
      after update of title, cached_tag_list, description, body_markdown on articles
      when old.title is not new.title or old.cached_tag_list is not new.cached_tag_list
        or old.description is not new.description or old.body_markdown is not new.body_markdown
      begin
        insert into articles_fts (articles_fts, rowid, title, cached_tag_list, description,
          body_markdown)
        values ('delete', old.id, old.title, old.cached_tag_list, old.description,
          old.body_markdown);
        insert into articles_fts (rowid, title, cached_tag_list, description, body_markdown)
        values (new.id, new.title, new.cached_tag_list, new.description, new.body_markdown);
      end`);
    await run(`insert into articles_fts (articles_fts) values ('rebuild')`);
    return;
  }

  const { from, to } = latinFolds();
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  await run(`create function quire_search_fold(text) returns text
      language sql immutable strict parallel safe
      return translate($1, ${quote(from)}, ${quote(to)})`);
  await run(`create function quire_search_document(title text, tags text, description text,
        body text) returns tsvector
      language sql immutable parallel safe
      return setweight(to_tsvector('simple', quire_search_fold(coalesce(title, ''))), 'A')
        || setweight(to_tsvector('simple', quire_search_fold(coalesce(tags, ''))), 'B')
        || setweight(to_tsvector('simple', quire_search_fold(coalesce(description, ''))), 'C')
        || setweight(to_tsvector('simple', quire_search_fold(coalesce(body, ''))), 'D')`);
  await run(`create table article_search (
      article_id bigint primary key references articles (id) on delete cascade,
      document tsvector not null)`);
  await run('create index article_search_document on article_search using gin (document)');
  await run(`create function quire_article_search_write() returns trigger language plpgsql as $$
    begin
      insert into article_search (article_id, document)
      values (new.id, quire_search_document(new.title, new.cached_tag_list, new.description,
        new.body_markdown))
      on conflict (article_id) do update set document = excluded.document;
      return null;
    end $$`);
  await run(`create trigger article_search_insert after insert on articles
      for each row execute function quire_article_search_write()`);
  await run(`create trigger article_search_update
      after update of title, cached_tag_list, description, body_markdown on articles
      for each row when (old.title is distinct from new.title
        or old.cached_tag_list is distinct from new.cached_tag_list
        or old.description is distinct from new.description
        or old.body_markdown is distinct from new.body_markdown)
      execute function quire_article_search_write()`);
  await run(`insert into article_search (article_id, document)
      select id, quire_search_document(title, cached_tag_list, description, body_markdown)
      from articles`);
}
