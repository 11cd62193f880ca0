/**
 * Ready-to-send responses (feeds now, pages later), kept per key and per version of the content.
 * Each is rendered once, compressed once with gzip and brotli, and given a strong ETag from its
 * bytes, so every node computes the same validators for the same content.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

export interface Representation {
  body: string;
  /** The Content-Type, with its charset. */
  type: string;
  lastModified: Date;
  /** More headers sent with every answer from this entry (a feed's Link), by lower-case name. */
  headers?: Record<string, string>;
}

export interface CachedResponse {
  /** The content version (newest event id) this was built at. */
  version: number;
  /** When the content may change without an event (a scheduled article goes live), in ms. */
  expiresAt: number;
  /** The strong ETag of the identity bytes, without quotes. */
  tag: string;
  lastModified: string;
  lastModifiedMs: number;
  type: string;
  /** Headers of the representation beyond the standard ones, sent with 200s and 304s. */
  headers: Record<string, string>;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

export interface BuildResult {
  representation: Representation;
  expiresAt: number;
}

export async function prepare(built: BuildResult, version: number): Promise<CachedResponse> {
  const identity = Buffer.from(built.representation.body, 'utf8');
  const [gzipped, brotlied] = await Promise.all([
    gz(identity, { level: 9 }),
    brotli(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 9,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  ]);
  // HTTP dates have whole seconds; validators compare at that precision.
  const lastModifiedMs = Math.floor(built.representation.lastModified.getTime() / 1000) * 1000;
  return {
    version,
    expiresAt: built.expiresAt,
    tag: createHash('sha256').update(identity).digest('base64url').slice(0, 27),
    lastModified: new Date(lastModifiedMs).toUTCString(),
    lastModifiedMs,
    type: built.representation.type,
    headers: built.representation.headers ?? {},
    identity,
    gzip: gzipped,
    br: brotlied,
  };
}

/** Counts lookups; the key names the kind of entry (`feed:...`, `page:...`). */
export interface CacheLookups {
  hit(key: string): void;
  miss(key: string): void;
}

export interface ResponseCacheOptions {
  maxEntries?: number;
  /** Where hits and misses are counted. */
  lookups?: CacheLookups;
}

export class ResponseCache {
  readonly #entries = new Map<string, CachedResponse>();
  readonly #building = new Map<string, Promise<CachedResponse | null>>();
  readonly #maxEntries: number;
  readonly #lookups: CacheLookups | undefined;

  constructor(options: ResponseCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 2000;
    this.#lookups = options.lookups;
  }

  /**
   * The entry for `key` if it is still current for this version and time. A hit is counted; a
   * miss is not, since the caller (the fast path) then hands the request to get(), which counts.
   */
  lookup(key: string, version: number, nowMs: number): CachedResponse | undefined {
    const entry = this.#current(key, version, nowMs);
    if (entry) this.#lookups?.hit(key);
    return entry;
  }

  /** The current entry, built once (however many requests ask at the same time) when missing. */
  async get(
    key: string,
    version: number,
    nowMs: number,
    build: () => Promise<BuildResult | null>,
  ): Promise<CachedResponse | null> {
    const hit = this.#current(key, version, nowMs);
    if (hit) {
      this.#lookups?.hit(key);
      return hit;
    }
    // Also when another request is already building it: this one waits for the build.
    this.#lookups?.miss(key);
    const flight = `${key}\u0000${version}`;
    let pending = this.#building.get(flight);
    if (!pending) {
      pending = (async () => {
        const built = await build();
        if (!built) return null;
        const entry = await prepare(built, version);
        this.#store(key, entry);
        return entry;
      })().finally(() => this.#building.delete(flight));
      this.#building.set(flight, pending);
    }
    return pending;
  }

  #current(key: string, version: number, nowMs: number): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.version !== version || nowMs >= entry.expiresAt) return undefined;
    return entry;
  }

  clear(): void {
    this.#entries.clear();
  }

  #store(key: string, entry: CachedResponse): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
