/**
 * Turns a parsed feed into articles for one author. Idempotent: each item is remembered by its
 * guid (else its link) in `feed_items`, in the same transaction as its article, and skipped on
 * every later run, even after the author deletes the article.
 */
import type { AppContext } from '../../context.ts';
import type { UserRow } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { importMarkdown, importTags, importTitle } from '../../feeds/import/item-mapping.ts';
import type { ParsedFeed, ParsedItem } from '../../feeds/parsed.ts';
import {
  insertArticleIn,
  type PreparedArticle,
  prepareArticle,
} from '../articles/articles.service.ts';

export interface ImportOptions {
  publish: boolean;
  canonical: boolean;
  sourceId?: number | null;
  /** Called after each item with how many are done out of how many. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportFailure {
  item: string;
  reason: string;
}

export interface ImportSummary {
  total: number;
  imported: number;
  skipped: number;
  failed: ImportFailure[];
}

/** Items are written this many to a transaction: one commit (one fsync) per batch, not per item. */
const BATCH = 100;

/**
 * Feed text as both databases store it: PostgreSQL refuses NUL, and drivers differ on lone
 * surrogates. Both are replaced the same way every time, so an odd id still imports, once.
 */
export const storableText = (text: string) => text.toWellFormed().replaceAll('\u0000', '\uFFFD');
const itemKey = (item: ParsedItem) => {
  const key = item.guid?.trim() || item.url?.trim() || null;
  return key === null ? null : storableText(key);
};
const itemLabel = (item: ParsedItem) =>
  item.title?.trim() || item.url || item.guid || '(untitled item)';

function prepare(item: ParsedItem, options: ImportOptions): PreparedArticle {
  const title = importTitle(item.title, item.url ?? 'Untitled');
  const body = importMarkdown(
    {
      title,
      html: item.html,
      tags: importTags(item.categories),
      canonicalUrl: options.canonical ? item.url : null,
      date: item.published ?? item.updated,
      published: options.publish,
    },
    item.url,
  );
  return prepareArticle({ body_markdown: body });
}

async function importedKeys(
  ctx: AppContext,
  user: UserRow,
  keys: Array<string | null>,
): Promise<Set<string>> {
  const wanted = keys.filter((k): k is string => k !== null);
  if (wanted.length === 0) return new Set();
  const rows = await ctx.database.db
    .selectFrom('feed_items')
    .select('item_key')
    .where('user_id', '=', user.id)
    .where('item_key', 'in', wanted)
    .execute();
  return new Set(rows.map((r) => r.item_key));
}

export async function importFeed(
  ctx: AppContext,
  user: UserRow,
  feed: ParsedFeed,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary: ImportSummary = { total: feed.items.length, imported: 0, skipped: 0, failed: [] };
  const seen = new Set<string>();
  for (let start = 0; start < feed.items.length; start += BATCH) {
    const batch: Array<{ key: string; prepared: PreparedArticle }> = [];
    const items = feed.items.slice(start, start + BATCH);
    // Items imported on an earlier run are skipped before the costly conversion, not after.
    const known = await importedKeys(ctx, user, items.map(itemKey));
    for (const item of items) {
      const key = itemKey(item);
      if (key !== null && known.has(key)) {
        summary.skipped++;
      } else if (key === null) {
        summary.failed.push({
          item: itemLabel(item),
          reason: 'the item has neither a guid nor a link',
        });
      } else if (seen.has(key)) {
        summary.skipped++;
      } else {
        seen.add(key);
        try {
          batch.push({ key, prepared: prepare(item, options) });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          summary.failed.push({ item: itemLabel(item), reason: error.message });
        }
      }
    }
    const now = ctx.clock.now().toISOString();
    await ctx.database.transaction(async (tx) => {
      for (const { key, prepared } of batch) {
        // Claim the key first: a concurrent import of the same item then skips instead of failing.
        const claimed = await tx.db
          .insertInto('feed_items')
          .values({
            user_id: user.id,
            item_key: key,
            article_id: null,
            feed_source_id: options.sourceId ?? null,
            imported_at: now,
          })
          .onConflict((oc) => oc.columns(['user_id', 'item_key']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!claimed) {
          summary.skipped++;
          continue;
        }
        const article = await insertArticleIn(ctx, tx, user, prepared);
        await tx.db
          .updateTable('feed_items')
          .set({ article_id: article.id })
          .where('id', '=', claimed.id)
          .execute();
        summary.imported++;
      }
    });
    options.onProgress?.(Math.min(start + BATCH, feed.items.length), feed.items.length);
  }
  return summary;
}
