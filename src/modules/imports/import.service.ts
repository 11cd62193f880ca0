/**
 * Turns a parsed feed into articles for one author. Idempotent: each item is remembered by its
 * guid (else its link, else a key made from its feed, title and date) in `feed_items`, in the
 * same transaction as its article, and skipped on every later run, even after the author deletes
 * the article.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { AppContext } from '../../context.ts';
import type { ArticleRow, UserRow } from '../../db/schema.ts';
import type { ParsedFeed, ParsedItem } from '../../feeds/parsed.ts';
import { insertArticlesIn, type PreparedArticle } from '../articles/articles.service.ts';
import { claimItems, importedKeys, linkItems } from './feed-items.repository.ts';
import type { ImportSummary } from './imports.schemas.ts';
import type { Prepared } from './prepare-item.ts';
import type { Preparer } from './prepare-pool.ts';

export interface ImportOptions {
  publish: boolean;
  canonical: boolean;
  sourceId?: number | null;
  /**
   * The URL the import was asked for (a saved source's own, which redirects do not change); null
   * for a file. Keys the items that have neither a guid nor a link.
   */
  feedUrl?: string | null;
  /** Called after each item with how many are done out of how many. */
  onProgress?: (done: number, total: number) => void;
}

export type { ImportSummary };

/** Items are written this many to a transaction: one commit (one fsync) per batch, not per item. */
const BATCH = 100;

/**
 * Feed text as both databases store it: PostgreSQL refuses NUL, and drivers differ on lone
 * surrogates. Both are replaced the same way every time, so an odd id still imports, once.
 */
export const storableText = (text: string) => text.toWellFormed().replaceAll('\u0000', '\uFFFD');

/** Marks a key made here, so it can never be mistaken for an item's own guid or link. */
export const DERIVED_KEY_PREFIX = 'quire:derived:';

/**
 * Which feed an item came from, for items without guid or link: the URL asked for, or for a
 * file (no URL) the feed's own home link, else its title.
 */
function feedIdentity(feed: ParsedFeed, feedUrl: string | null | undefined): string {
  if (feedUrl) return URL.canParse(feedUrl) ? new URL(feedUrl).href : feedUrl;
  return feed.homeUrl ?? feed.title ?? '';
}

/**
 * An item's key: its guid, else its link, else a hash of its feed, title and date, the same on
 * every run while those stay the same. An item with neither title nor date adds its content,
 * which is then all that tells it from the feed's other such items.
 */
export function itemKey(item: ParsedItem, feed: string): string {
  const own = item.guid?.trim() || item.url?.trim();
  if (own) return storableText(own);
  const date = item.published ?? item.updated;
  const parts = [feed, item.title ?? '', date ? date.toISOString() : ''];
  if (!item.title && !date) parts.push(item.html ?? '');
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  return DERIVED_KEY_PREFIX + hash;
}
const itemLabel = (item: ParsedItem) =>
  item.title?.trim() || item.url || item.guid || '(untitled item)';

/**
 * Feeds at least this long are prepared on worker threads, a batch at a time when it has at
 * least WORKER_BATCH_MIN new items; the rest are prepared on this thread.
 */
const WORKER_THRESHOLD = 200;
const WORKER_BATCH_MIN = 50;
/** Batches being converted while one is written. */
const AHEAD = 2;

interface Planned {
  start: number;
  items: ParsedItem[];
  keys: string[];
  /** Preparations of the items that are new, in order; null for the others. */
  prepared: Promise<Array<Prepared | null>>;
}

export async function importFeed(
  ctx: AppContext,
  user: UserRow,
  feed: ParsedFeed,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary: ImportSummary = { total: feed.items.length, imported: 0, skipped: 0, failed: [] };
  const prepareOptions = { publish: options.publish, canonical: options.canonical };
  // The converter (an HTML parser, Markdown and YAML writers) loads with the first import.
  const { inlinePreparer, workerPreparer } = await import('./prepare-pool.ts');
  const inline = inlinePreparer(prepareOptions);
  const workers: Preparer | null =
    feed.items.length >= WORKER_THRESHOLD && availableParallelism() > 1
      ? workerPreparer(prepareOptions)
      : null;
  const seen = new Set<string>();
  const feedId = feedIdentity(feed, options.feedUrl);

  // Items imported on an earlier run are skipped before the costly conversion, not after; the
  // next batch is converted while this one is written.
  const plan = async (start: number): Promise<Planned> => {
    const items = feed.items.slice(start, start + BATCH);
    const keys = items.map((item) => itemKey(item, feedId));
    const known = await importedKeys(ctx.database.db, user.id, keys);
    const fresh = items.map((item, i) => {
      const key = keys[i] as string;
      if (known.has(key) || seen.has(key)) return null;
      seen.add(key);
      return item;
    });
    const wanted = fresh.filter((item): item is ParsedItem => item !== null);
    // A poll that finds a few new items converts them here rather than starting threads.
    const preparer = workers && wanted.length >= WORKER_BATCH_MIN ? workers : inline;
    const prepared = preparer.prepare(wanted).then((done) => {
      let next = 0;
      return fresh.map((item) => (item === null ? null : (done[next++] ?? null)));
    });
    // Rejections are handled where the batch is awaited; this keeps an early one from escaping.
    prepared.catch(() => {});
    return { start, items, keys, prepared };
  };

  // Batches are planned AHEAD deep, so the threads converting never wait on a slow commit.
  const upcoming: Promise<Planned>[] = [];
  let next = 0;
  const planMore = () => {
    while (upcoming.length < AHEAD && next < feed.items.length) {
      upcoming.push(plan(next));
      next += BATCH;
    }
  };
  planMore();
  try {
    for (let planned = upcoming.shift(); planned; planned = upcoming.shift()) {
      const batch = await planned;
      const after = batch.start + BATCH;
      planMore();
      const prepared = await batch.prepared;
      const writes: Array<{ key: string; article: PreparedArticle }> = [];
      batch.items.forEach((item, i) => {
        const key = batch.keys[i] as string;
        const result = prepared[i];
        if (!result) {
          summary.skipped++;
        } else if ('refused' in result) {
          summary.failed.push({ item: itemLabel(item), reason: result.refused });
        } else {
          writes.push({ key, article: result.ok });
        }
      });
      const written = await writeBatch(ctx, user, writes, options.sourceId ?? null);
      summary.imported += written;
      summary.skipped += writes.length - written;
      options.onProgress?.(Math.min(after, feed.items.length), feed.items.length);
    }
  } finally {
    // Batches planned ahead of a failure must not fail later, unobserved.
    for (const planned of upcoming) planned.catch(() => {});
    await workers?.close();
  }
  return summary;
}

/** Writes one batch in one transaction; returns how many were written (the rest were claimed). */
async function writeBatch(
  ctx: AppContext,
  user: UserRow,
  writes: Array<{ key: string; article: PreparedArticle }>,
  sourceId: number | null,
): Promise<number> {
  if (writes.length === 0) return 0;
  const now = ctx.clock.now().toISOString();
  return ctx.database.transaction(async (tx) => {
    const claimed = await claimItems(
      tx.db,
      user.id,
      writes.map((write) => write.key),
      sourceId,
      now,
    );
    const claimedWrites = writes.filter((write) => claimed.has(write.key));
    const articles = await insertArticlesIn(
      ctx,
      tx,
      user,
      claimedWrites.map((write) => write.article),
    );
    await linkItems(
      tx.db,
      claimedWrites.map((write, i) => ({
        itemId: claimed.get(write.key) as number,
        articleId: (articles[i] as ArticleRow).id,
      })),
    );
    return claimedWrites.length;
  });
}
