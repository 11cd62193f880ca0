/**
 * Answers a request from a cached response: content negotiation for gzip and brotli, and
 * conditional GET (If-None-Match, then If-Modified-Since) with 304s.
 */
import negotiate from '@fastify/accept-negotiator';
import type { CachedResponse } from './response-cache.ts';

export type Encoding = 'br' | 'gzip' | 'identity';
const ENCODINGS: Encoding[] = ['br', 'gzip', 'identity'];

export interface CachedAnswer {
  status: 200 | 304;
  headers: Record<string, string>;
  /** The bytes for a 200 (a HEAD answer sends the headers only); null for a 304. */
  body: Buffer | null;
}

export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  return negotiate(acceptEncoding, ENCODINGS) ?? 'identity';
}

/**
 * Who may keep a cached answer, and how long. Browsers ask again after `maxAge` (with the ETag,
 * so usually for a 304); shared caches in front keep it `sharedMaxAge`, or until the content's
 * own expiry (a scheduled article going live), and are purged by key on changes.
 */
export interface CachePolicy {
  maxAge: number;
  sharedMaxAge: number;
  /**
   * The request headers the answer depends on besides the encoding: signed-in readers get their
   * own pages, so a shared copy is only for requests without cookies (or keys, for the API).
   */
  vary: string;
}

/** Seconds a shared cache may serve an answer that just went stale while it fetches anew. */
export const STALE_WHILE_REVALIDATE = 30;

export function cacheControlFor(policy: CachePolicy, expiresAt: number, nowMs: number): string {
  const untilExpiry = Math.max(0, Math.floor((expiresAt - nowMs) / 1000));
  const shared = Math.min(policy.sharedMaxAge, untilExpiry);
  const browser = Math.min(policy.maxAge, untilExpiry);
  return `public, max-age=${browser}, s-maxage=${shared}, stale-while-revalidate=${STALE_WHILE_REVALIDATE}`;
}

/** The ETag of one encoding of the response: each variant has its own strong validator. */
export function etagFor(entry: CachedResponse, encoding: Encoding): string {
  return `"${entry.tag}${encoding === 'identity' ? '' : `-${encoding === 'br' ? 'br' : 'gz'}`}"`;
}

/** True when an If-None-Match list names any variant of this response. */
function matchesAny(ifNoneMatch: string, entry: CachedResponse): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return tag === entry.tag || tag === `${entry.tag}-br` || tag === `${entry.tag}-gz`;
  });
}

/**
 * The answer to `request` from a cached response. `hit` says whether the entry was already in
 * the cache (`Cache-Status: quire; hit`) or built for this request (`quire; fwd=miss`, RFC 9211);
 * `Surrogate-Key` names the keys it was built from, for a shared cache in front to purge by.
 */
export function answerFromCache(
  entry: CachedResponse,
  request: { headers: Record<string, string | string[] | undefined> },
  policy: CachePolicy,
  hit: boolean,
  nowMs: number,
): CachedAnswer {
  const header = (name: string) => {
    const v = request.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const encoding = chooseEncoding(header('accept-encoding'));
  const headers: Record<string, string> = {
    ...entry.headers,
    etag: etagFor(entry, encoding),
    'last-modified': entry.lastModified,
    'cache-control': cacheControlFor(policy, entry.expiresAt, nowMs),
    vary: policy.vary,
    'cache-status': hit ? 'quire; hit' : 'quire; fwd=miss',
  };
  if (entry.keys.length > 0) headers['surrogate-key'] = entry.keys.join(' ');
  const inm = header('if-none-match');
  const ims = header('if-modified-since');
  const notModified =
    inm !== undefined
      ? matchesAny(inm, entry)
      : ims !== undefined &&
        !Number.isNaN(Date.parse(ims)) &&
        entry.lastModifiedMs <= Date.parse(ims);
  if (notModified) return { status: 304, headers, body: null };
  const body = encoding === 'br' ? entry.br : encoding === 'gzip' ? entry.gzip : entry.identity;
  headers['content-type'] = entry.type;
  headers['content-length'] = String(body.length);
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  return { status: 200, headers, body };
}
