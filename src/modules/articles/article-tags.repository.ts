/**
 * An article's tags and what lists read from them: each `article_tags` row carries its article's
 * `published` and `published_at`, so a tag's list is one index range, and each tag keeps how many
 * published articles carry it. Writes here report how those counts change, so the service can
 * apply them once, in its transaction (`changeTagCounts`).
 */
import { sql } from 'kysely';
import type { DbHandle } from '../../db/database.ts';
import type { ArticleRow } from '../../db/schema.ts';

/** What a tag's rows copy from their article. */
export type TaggedArticle = Pick<ArticleRow, 'id' | 'published' | 'published_at'>;

/** How many published articles each tag gains (or loses, below zero), by tag id. */
export type TagCountChanges = Map<number, number>;

const add = (changes: TagCountChanges, tagId: number, by: number) => {
  if (by !== 0) changes.set(tagId, (changes.get(tagId) ?? 0) + by);
};

/**
 * What a row adds to its tag's count: only `published = 1` counts. An article withheld while its
 * author is suspended has `published = 2` (see withholding.service.ts) and counts for nothing.
 */
const counted = (published: number) => (published === 1 ? 1 : 0);

/** The ids of the tags with these names that exist, in no particular order. */
export async function tagIdsByName(db: DbHandle, names: string[]): Promise<number[]> {
  if (names.length === 0) return [];
  const rows = await db.selectFrom('tags').select('id').where('name', 'in', names).execute();
  return rows.map((row) => row.id);
}

/** The ids of tags by name, creating those that do not exist yet. */
async function ensureTags(
  db: DbHandle,
  names: string[],
  now: string,
): Promise<Map<string, number>> {
  const find = async (wanted: string[]) =>
    db.selectFrom('tags').select(['id', 'name']).where('name', 'in', wanted).execute();
  const ids = new Map((await find(names)).map((tag) => [tag.name, tag.id]));
  // In order of first use. Two writers creating the same new tags in different orders would
  // each wait for the other's; the service takes the outbox lock before any tag write.
  const missing = names.filter((name) => !ids.has(name));
  if (missing.length > 0) {
    await db
      .insertInto('tags')
      .values(missing.map((name) => ({ name, created_at: now })))
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    for (const tag of await find(missing)) ids.set(tag.name, tag.id);
  }
  return ids;
}

/**
 * Gives articles that have no tags yet their tags, in order, creating tags that do not exist.
 * Returns how the tags' counts change.
 */
export async function addArticleTags(
  db: DbHandle,
  tagged: Array<{ article: TaggedArticle; names: string[] }>,
  now: string,
): Promise<TagCountChanges> {
  const changes: TagCountChanges = new Map();
  const names = [...new Set(tagged.flatMap((entry) => entry.names))];
  if (names.length === 0) return changes;
  const ids = await ensureTags(db, names, now);
  const rows = tagged.flatMap(({ article, names }) =>
    names.map((name, position) => ({
      article_id: article.id,
      tag_id: ids.get(name) as number,
      position,
      published: article.published,
      published_at: article.published_at,
    })),
  );
  await db.insertInto('article_tags').values(rows).execute();
  for (const row of rows) add(changes, row.tag_id, counted(row.published));
  return changes;
}

/** Deletes the article's tag rows; returns them, and how the tags' counts change. */
async function takeArticleTags(db: DbHandle, articleId: number) {
  // Deleting first locks the rows (PostgreSQL): a second writer of the same article finds them
  // gone, so no count moves twice.
  const old = await db
    .deleteFrom('article_tags')
    .where('article_id', '=', articleId)
    .returning(['tag_id', 'position', 'published'])
    .execute();
  const changes: TagCountChanges = new Map();
  for (const row of old) add(changes, row.tag_id, -counted(row.published));
  return { old, changes };
}

/**
 * Writes the article's tag rows again from its row as now stored: with these names when given,
 * else with the tags it had. Returns how the tags' counts change.
 */
export async function retagArticle(
  db: DbHandle,
  article: TaggedArticle,
  names: string[] | undefined,
  now: string,
): Promise<TagCountChanges> {
  const { old, changes } = await takeArticleTags(db, article.id);
  if (names !== undefined) {
    const added = await addArticleTags(db, [{ article, names }], now);
    for (const [tagId, by] of added) add(changes, tagId, by);
  } else if (old.length > 0) {
    await db
      .insertInto('article_tags')
      .values(
        old.map((row) => ({
          article_id: article.id,
          tag_id: row.tag_id,
          position: row.position,
          published: article.published,
          published_at: article.published_at,
        })),
      )
      .execute();
    for (const row of old) add(changes, row.tag_id, counted(article.published));
  }
  return changes;
}

/** Deletes the article's tag rows before the article goes; returns how the counts change. */
export async function untagArticle(db: DbHandle, articleId: number): Promise<TagCountChanges> {
  return (await takeArticleTags(db, articleId)).changes;
}

/** Applies count changes in one statement. */
export async function changeTagCounts(db: DbHandle, changes: TagCountChanges): Promise<void> {
  const entries = [...changes].filter(([, by]) => by !== 0);
  if (entries.length === 0) return;
  // Each count moves by its own amount; the amounts are whole numbers written into the SQL.
  const cases = sql.join(
    entries.map(([tagId, by]) => sql`when ${tagId} then ${sql.lit(by)}`),
    sql` `,
  );
  await db
    .updateTable('tags')
    .set({
      published_count: sql`${sql.ref('published_count')} + case ${sql.ref('id')} ${cases} end`,
    })
    .where(
      'id',
      'in',
      entries.map(([tagId]) => tagId),
    )
    .execute();
}

/**
 * Moves every tag row of these articles from `published = from` to `to` (1 and 2: an author
 * suspended or restored); returns how the tags' counts change.
 */
export async function moveTagRowsState(
  db: DbHandle,
  articleIds: readonly number[],
  from: 1 | 2,
  to: 1 | 2,
): Promise<TagCountChanges> {
  const changes: TagCountChanges = new Map();
  for (let i = 0; i < articleIds.length; i += 500) {
    const moved = await db
      .updateTable('article_tags')
      .set({ published: to })
      .where('article_id', 'in', articleIds.slice(i, i + 500))
      .where('published', '=', from)
      .returning('tag_id')
      .execute();
    for (const row of moved) add(changes, row.tag_id, counted(to) - counted(from));
  }
  return changes;
}
