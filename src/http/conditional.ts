/**
 * Answers a request from a cached response: content negotiation for gzip and brotli, and
 * conditional GET (If-None-Match, then If-Modified-Since) with 304s.
 */
import negotiate from '@fastify/accept-negotiator';
import { bodyFor, type CachedResponse, type Encoding } from './response-cache.ts';

export type { Encoding } from './response-cache.ts';
const ENCODINGS: Encoding[] = ['br', 'gzip', 'identity'];

export interface CachedAnswer {
  status: 200 | 304;
  /**
   * Header names and values, flat (`[name, value, name, value, ...]`, as `writeHead` takes them):
   * a fresh array the caller may add to.
   */
  headers: string[];
  /** The bytes for a 200 (a HEAD answer sends the headers only); null for a 304. */
  body: Buffer | null;
}

/** Accept-Encoding values seen, with the encoding each chose: a handful in practice. */
const chosen = new Map<string, Encoding>();
const CHOSEN_MAX = 256;

/** A request header as one string (repeated ones joined), or undefined. */
export const headerText = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(', ') : value;

export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  let encoding = chosen.get(acceptEncoding);
  if (encoding === undefined) {
    encoding = negotiate(acceptEncoding, ENCODINGS) ?? 'identity';
    if (chosen.size >= CHOSEN_MAX) chosen.clear();
    chosen.set(acceptEncoding, encoding);
  }
  return encoding;
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
function matchesAny(ifNoneMatch: string, entry: CachedResponse, etag: string): boolean {
  if (ifNoneMatch === etag) return true;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return tag === entry.tag || tag === `${entry.tag}-br` || tag === `${entry.tag}-gz`;
  });
}

/**
 * What an entry answers with, worked out once: for each encoding, status and Cache-Status, the
 * headers that stay the same from one request to the next; and the last Cache-Control sent.
 */
interface Prepared {
  /** The policy the variants were made for: routes serve an entry under one policy. */
  policy: CachePolicy;
  variants: Array<readonly string[] | undefined>;
  /** The ETag of each encoding, in the order of ENCODINGS. */
  etags: string[];
  /** Seconds until the entry's expiry, capped by the policy, that `cacheControl` was made for. */
  seconds: number;
  cacheControl: string;
}

const preparedAnswers = new WeakMap<CachedResponse, Prepared>();

function variantHeaders(
  entry: CachedResponse,
  policy: CachePolicy,
  encoding: Encoding,
  notModified: boolean,
  hit: boolean,
): readonly string[] {
  const headers = Object.entries(entry.headers).flat();
  headers.push(
    'etag',
    etagFor(entry, encoding),
    'last-modified',
    entry.lastModified,
    'vary',
    policy.vary,
    'cache-status',
    hit ? 'quire; hit' : 'quire; fwd=miss',
  );
  if (entry.keys.length > 0) headers.push('surrogate-key', entry.keys.join(' '));
  if (notModified) return headers;
  const body = bodyFor(entry, encoding) ?? entry.identity;
  headers.push('content-type', entry.type, 'content-length', String(body.length));
  if (encoding !== 'identity') headers.push('content-encoding', encoding);
  return headers;
}

const samePolicy = (a: CachePolicy, b: CachePolicy) =>
  a === b || (a.maxAge === b.maxAge && a.sharedMaxAge === b.sharedMaxAge && a.vary === b.vary);

/**
 * The answer to `request` from a cached response. `hit` says whether the entry was already in
 * the cache (`Cache-Status: quire; hit`) or built for this request (`quire; fwd=miss`, RFC 9211);
 * `Surrogate-Key` names the keys it was built from, for a shared cache in front to purge by.
 * Everything but Cache-Control is the same for every request asking for the same variant, so it
 * is worked out once per entry: a hit costs a few comparisons and one array copy.
 */
export function answerFromCache(
  entry: CachedResponse,
  request: { headers: Record<string, string | string[] | undefined> },
  policy: CachePolicy,
  hit: boolean,
  nowMs: number,
): CachedAnswer {
  const header = (name: string) => headerText(request.headers[name]);
  let prepared = preparedAnswers.get(entry);
  if (!prepared || !samePolicy(prepared.policy, policy)) {
    prepared = {
      policy,
      variants: [],
      etags: ENCODINGS.map((encoding) => etagFor(entry, encoding)),
      seconds: -1,
      cacheControl: '',
    };
    preparedAnswers.set(entry, prepared);
  }
  const chosen = chooseEncoding(header('accept-encoding'));
  // Callers wait for the encoding they asked the cache for; one that could not be made goes as is.
  const encoding = bodyFor(entry, chosen) === null ? 'identity' : chosen;
  const encodingIndex = ENCODINGS.indexOf(encoding);
  const inm = header('if-none-match');
  const ims = inm === undefined ? header('if-modified-since') : undefined;
  const notModified =
    inm !== undefined
      ? matchesAny(inm, entry, prepared.etags[encodingIndex] ?? '')
      : ims !== undefined &&
        !Number.isNaN(Date.parse(ims)) &&
        entry.lastModifiedMs <= Date.parse(ims);
  const index = encodingIndex * 4 + (notModified ? 2 : 0) + (hit ? 1 : 0);
  let variant = prepared.variants[index];
  if (!variant) {
    variant = variantHeaders(entry, policy, encoding, notModified, hit);
    prepared.variants[index] = variant;
  }
  const seconds = Math.min(
    Math.max(0, Math.floor((entry.expiresAt - nowMs) / 1000)),
    Math.max(policy.maxAge, policy.sharedMaxAge),
  );
  if (seconds !== prepared.seconds) {
    prepared.seconds = seconds;
    prepared.cacheControl = cacheControlFor(policy, entry.expiresAt, nowMs);
  }
  const headers = variant.slice();
  headers.push('cache-control', prepared.cacheControl);
  if (notModified) return { status: 304, headers, body: null };
  return { status: 200, headers, body: bodyFor(entry, encoding) };
}
