/**
 * Gets a feed from a URL (through the SSRF guard) or a local file, follows an HTML page to the
 * feed it advertises, and parses it. Every failure is a FeedError or an OutboundError.
 */
import { open } from 'node:fs/promises';
import type { AppContext } from '../../context.ts';
import type { parseFeedDocument } from '../../feeds/parse/parse-feed.ts';
import { FeedError, type ParsedFeed } from '../../feeds/parsed.ts';
import { OutboundError } from '../../net/outbound-error.ts';
import { safeFetch } from '../../net/safe-fetch.ts';

export const FEED_MAX_BYTES = 10 * 1024 * 1024;
/** A feed this big has hundreds of items: worth starting the converting threads during its parse. */
const EARLY_WORKERS_BYTES = 1024 * 1024;

/**
 * Parses a feed's bytes; a big one starts the threads that will convert its items meanwhile.
 * The parsers (and their XML and feed packages) load with the first feed, not with the server.
 */
export async function parseFeedBytes(
  bytes: Uint8Array,
  options: Parameters<typeof parseFeedDocument>[1],
): Promise<ReturnType<typeof parseFeedDocument>> {
  const { parseFeedDocument } = await import('../../feeds/parse/parse-feed.ts');
  if (bytes.length >= EARLY_WORKERS_BYTES) (await import('./prepare-pool.ts')).startWorkersEarly();
  return parseFeedDocument(bytes, options);
}

export interface Validators {
  etag?: string | null;
  lastModified?: string | null;
}

export type Loaded =
  | {
      kind: 'feed';
      feed: ParsedFeed;
      url: string | null;
      etag: string | null;
      lastModified: string | null;
    }
  | { kind: 'not_modified' };

const isUrl = (source: string) => /^https?:\/\//i.test(source);

async function readLocal(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new FeedError(
      'not_a_feed',
      `cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    );
  });
  try {
    const { size } = await file.stat();
    if (size > FEED_MAX_BYTES) {
      throw new FeedError(
        'too_large',
        `the file is ${Math.ceil(size / 1048576)} MiB; feeds may be at most 10 MiB`,
      );
    }
    return new Uint8Array(await file.readFile());
  } finally {
    await file.close();
  }
}

async function fetchFeed(ctx: AppContext, url: string, validators: Validators) {
  const headers: Record<string, string> = {
    accept:
      'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5',
  };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  const res = await safeFetch(url, {
    allowPrivate: ctx.config.allowPrivateUrls,
    maxBytes: FEED_MAX_BYTES,
    headers,
  });
  if (res.status === 304) return { status: 304 as const };
  if (res.status < 200 || res.status >= 300) {
    // A server error is the feed's host failing (502); anything else means there is no feed here.
    if (res.status >= 500) throw new OutboundError('network', `${url} answered HTTP ${res.status}`);
    throw new FeedError('not_a_feed', `${url} answered HTTP ${res.status}`);
  }
  return {
    status: 200 as const,
    body: res.body,
    url: res.url,
    contentType: res.headers.get('content-type'),
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
  };
}

export async function loadFeed(
  ctx: AppContext,
  source: string,
  validators: Validators = {},
): Promise<Loaded> {
  if (!isUrl(source)) {
    const document = await parseFeedBytes(await readLocal(source), {
      url: null,
      maxBytes: FEED_MAX_BYTES,
    });
    if (document.kind === 'html')
      throw new FeedError('not_a_feed', `${source} is an HTML page, not a feed`);
    return { kind: 'feed', feed: document.feed, url: null, etag: null, lastModified: null };
  }
  const first = await fetchFeed(ctx, source, validators);
  if (first.status === 304) return { kind: 'not_modified' };
  let fetched = first;
  let document = await parseFeedBytes(fetched.body, {
    url: fetched.url,
    contentType: fetched.contentType,
    maxBytes: FEED_MAX_BYTES,
  });
  if (document.kind === 'html') {
    const [alternate] = document.discovered.alternates;
    if (!alternate)
      throw new FeedError('not_a_feed', `${source} is an HTML page that advertises no feed`);
    // Validators belong to the page, not to the feed it points at.
    const second = await fetchFeed(ctx, alternate, {});
    if (second.status === 304) return { kind: 'not_modified' };
    fetched = second;
    document = await parseFeedBytes(fetched.body, {
      url: fetched.url,
      contentType: fetched.contentType,
      maxBytes: FEED_MAX_BYTES,
    });
    if (document.kind === 'html')
      throw new FeedError('not_a_feed', `${alternate} is an HTML page, not a feed`);
  }
  // After discovery the feed's validators would be sent to the page next time, whose 304
  // (say, it changed before the feed did) would then hide the feed's new items.
  const direct = fetched === first;
  return {
    kind: 'feed',
    feed: document.feed,
    url: fetched.url,
    etag: direct ? fetched.etag : null,
    lastModified: direct ? fetched.lastModified : null,
  };
}
