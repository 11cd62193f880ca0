/**
 * Saved feed sources: an author's feeds that Quire polls on a schedule. A node claims a due source
 * with a lease before polling it, so one source is never polled by two nodes at once, and a lease
 * left by a crashed node expires and returns the source to the queue.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { ownRow } from '../../db/own-row.ts';
import type { FeedSourceRow, UserRow } from '../../db/schema.ts';
import { validationFailed } from '../../errors.ts';
import { FeedError } from '../../feeds/parsed.ts';
import { checkOutboundUrl } from '../../net/safe-fetch.ts';
import { OutboundError } from '../../net/outbound-error.ts';
import { userById } from '../users/users.service.ts';
import { loadFeed } from './feed-loader.ts';
import {
  deleteSource,
  insertSource,
  leaseSource,
  nextClaimableAt,
  releaseSource,
  sourcesOf,
} from './feed-sources.repository.ts';
import { importFeed, type ImportSummary, storableText } from './import.service.ts';

/** How long a poller may hold a source before others may take it. */
const LEASE_MS = 5 * 60_000;

export interface NewSource {
  url: string;
  publish?: boolean;
  canonical?: boolean;
  /** Seconds between polls; the configured default when absent. */
  intervalSeconds?: number;
}

export function checkSourceUrl(ctx: AppContext, url: string): string {
  try {
    return checkOutboundUrl(url, { allowPrivate: ctx.config.allowPrivateUrls }).href;
  } catch (error) {
    if (error instanceof OutboundError)
      throw validationFailed([{ field: 'url', message: error.message }]);
    throw error;
  }
}

export async function addSource(
  ctx: AppContext,
  user: UserRow,
  input: NewSource,
): Promise<FeedSourceRow> {
  const url = checkSourceUrl(ctx, input.url.trim());
  const interval = input.intervalSeconds ?? ctx.config.feedPollInterval;
  if (!Number.isInteger(interval) || interval < 60 || interval > 30 * 86_400) {
    throw validationFailed([
      { field: 'interval', message: 'Interval must be from 60 seconds to 30 days' },
    ]);
  }
  const now = ctx.clock.now().toISOString();
  try {
    return await insertSource(ctx.database.db, {
      user_id: user.id,
      url,
      publish: input.publish ? 1 : 0,
      canonical: input.canonical ? 1 : 0,
      interval_seconds: interval,
      next_poll_at: now,
      lease_until: null,
      lease_owner: null,
      etag: null,
      last_modified: null,
      last_polled_at: null,
      last_status: null,
      last_error: null,
      last_log: null,
      created_at: now,
    });
  } catch (error) {
    if (!ctx.database.isUniqueViolation(error)) throw error;
    throw validationFailed([{ field: 'url', message: 'This feed is already one of your sources' }]);
  }
}

export function listSources(ctx: AppContext, user: UserRow): Promise<FeedSourceRow[]> {
  return sourcesOf(ctx.database.db, user.id);
}

export function ownSource(ctx: AppContext, user: UserRow, id: number): Promise<FeedSourceRow> {
  return ownRow(ctx.database.db, 'feed_sources', id, user.id, 'Feed source not found');
}

export async function removeSource(ctx: AppContext, user: UserRow, id: number): Promise<void> {
  await ownSource(ctx, user, id);
  await deleteSource(ctx.database.db, id);
}

/** Takes the lease of one source: the given one, or the most overdue; undefined when none is free. */
export async function claimSource(
  ctx: AppContext,
  id?: number,
): Promise<FeedSourceRow | undefined> {
  const now = ctx.clock.now();
  const lease = { owner: randomUUID(), until: new Date(now.getTime() + LEASE_MS) };
  return ctx.database.transaction((tx) => leaseSource(tx.db, ctx.database, now, lease, id));
}

export interface PollResult {
  status: 'ok' | 'not_modified' | 'error';
  summary?: ImportSummary;
  error?: string;
}

/** Polls a claimed source with conditional GET, imports what is new, and releases the lease. */
export async function pollClaimed(ctx: AppContext, source: FeedSourceRow): Promise<PollResult> {
  let result: PollResult;
  let validators = { etag: source.etag, last_modified: source.last_modified };
  try {
    const user = await userById(ctx, source.user_id);
    if (!user) throw new FeedError('not_a_feed', 'the owner of this source no longer exists');
    const loaded = await loadFeed(ctx, source.url, {
      etag: source.etag,
      lastModified: source.last_modified,
    });
    if (loaded.kind === 'not_modified') {
      result = { status: 'not_modified' };
    } else {
      const summary = await importFeed(ctx, user, loaded.feed, {
        publish: source.publish === 1,
        canonical: source.canonical === 1,
        sourceId: source.id,
        feedUrl: source.url,
      });
      validators = { etag: loaded.etag, last_modified: loaded.lastModified };
      result = { status: 'ok', summary };
    }
  } catch (error) {
    if (!(error instanceof FeedError || error instanceof OutboundError)) {
      ctx.logger.error({ err: error, source: source.id }, 'feed poll failed');
    }
    // Messages may quote the feed (its title, say), and so whatever it contains.
    const message = error instanceof Error ? error.message : String(error);
    result = { status: 'error', error: storableText(message) };
  }
  const now = ctx.clock.now();
  await releaseSource(ctx.database.db, source, {
    ...validators,
    last_polled_at: now.toISOString(),
    last_status: result.status,
    last_error: result.error ?? null,
    last_log: result.summary ? JSON.stringify(result.summary) : (source.last_log ?? null),
    next_poll_at: new Date(now.getTime() + source.interval_seconds * 1000).toISOString(),
  });
  return result;
}

/** Polls every due source this node can claim, one after another. */
export async function pollDueSources(ctx: AppContext): Promise<number> {
  let polled = 0;
  for (let source = await claimSource(ctx); source; source = await claimSource(ctx)) {
    await pollClaimed(ctx, source);
    polled++;
  }
  return polled;
}

/** When a source can next be claimed (a due one at once), if there is any. */
export function nextPollAt(ctx: AppContext): Promise<Date | null> {
  return nextClaimableAt(ctx.database.db, ctx.clock.now());
}
