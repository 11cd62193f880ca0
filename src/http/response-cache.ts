/**
 * Ready-to-send responses (pages, feeds), each rendered once, compressed once with gzip and
 * brotli, and given a strong ETag from its bytes, so every node computes the same validators for
 * the same content. A build compresses first the encoding its request asked for, and answers as
 * soon as that one is ready; the other is made in the background, and a request that asks for it
 * meanwhile waits for it. Each entry records the cache keys it was built from (`events/cache-keys.ts`);
 * `invalidate` drops exactly the entries built from keys an event names, and nothing else. The
 * cache is bounded in bytes; the entry used least recently leaves first.
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
  /** The outbox position (an event id) the content was read at. */
  version: number;
  /** The cache keys the content was built from. */
  keys: readonly string[];
  /** Keys of counts the content shows, which may lag (see `BuildResult.softKeys`). */
  softKeys: readonly string[];
  /** What the entry weighs: its encodings made so far. */
  bytes: number;
  /**
   * When the content may change without an event (a scheduled article goes live), in ms; brought
   * forward when a count it shows changes.
   */
  expiresAt: number;
  /** The strong ETag of the identity bytes, without quotes. */
  tag: string;
  lastModified: string;
  lastModifiedMs: number;
  type: string;
  /** Headers of the representation beyond the standard ones, sent with 200s and 304s. */
  headers: Record<string, string>;
  identity: Buffer;
  /** Null until made (see `compressed`). */
  gzip: Buffer | null;
  br: Buffer | null;
  /** Settles when every encoding is made. */
  compressed: Promise<void>;
}

export type Encoding = 'br' | 'gzip' | 'identity';

/** The bytes of one encoding of the entry, or null while it is being made. */
export function bodyFor(entry: CachedResponse, encoding: Encoding): Buffer | null {
  return encoding === 'br' ? entry.br : encoding === 'gzip' ? entry.gzip : entry.identity;
}

export interface BuildResult {
  representation: Representation;
  expiresAt: number;
  /** The cache keys the content was built from: an event naming one of them drops the entry. */
  keys: readonly string[];
  /**
   * Keys of counts the content shows but may show late (a card's comment count on the home
   * page): an event naming one lets the entry live at most the cache's count lag longer, so a
   * storm of comments on one article rebuilds the lists that show it once per lag, not once per
   * comment. Not sent as `Surrogate-Key`.
   */
  softKeys?: readonly string[];
}

/**
 * Brotli's quality for cached answers. Measured on pages, API lists and feeds of 8 to 80 KB,
 * quality 6 comes within 1 % of quality 9's size (at times below it) for a tenth of the time
 * (about 0.3 to 0.6 ms against 3 to 8 ms), and a cache miss pays that time; 10 and 11 shrink the
 * bytes another 10 % for 30 to 100 times the time.
 */
export const BROTLI_QUALITY = 6;

const compressors: Record<'br' | 'gzip', (identity: Buffer) => Promise<Buffer>> = {
  gzip: (identity) => gz(identity, { level: 9 }),
  br: (identity) =>
    brotli(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
};

/**
 * The entry of a build: its encoding `first` made before this returns, the other in the
 * background (`compressed`); with no `first`, both before it returns.
 */
export async function prepare(
  built: BuildResult,
  version: number,
  first?: Encoding,
): Promise<CachedResponse> {
  const identity = Buffer.from(built.representation.body, 'utf8');
  // HTTP dates have whole seconds; validators compare at that precision.
  const lastModifiedMs = Math.floor(built.representation.lastModified.getTime() / 1000) * 1000;
  const entry: CachedResponse = {
    version,
    keys: [...new Set(built.keys)],
    softKeys: [...new Set(built.softKeys ?? [])],
    bytes: identity.length,
    expiresAt: built.expiresAt,
    tag: createHash('sha256').update(identity).digest('base64url').slice(0, 27),
    lastModified: new Date(lastModifiedMs).toUTCString(),
    lastModifiedMs,
    type: built.representation.type,
    headers: built.representation.headers ?? {},
    identity,
    gzip: null,
    br: null,
    compressed: Promise.resolve(),
  };
  const make = async (encoding: 'br' | 'gzip') => {
    const bytes = await compressors[encoding](identity);
    entry[encoding] = bytes;
    entry.bytes += bytes.length;
  };
  const order: Array<'br' | 'gzip'> = first === 'gzip' ? ['gzip', 'br'] : ['br', 'gzip'];
  if (first === undefined) {
    await Promise.all(order.map(make));
  } else if (first === 'identity') {
    // An encoding that cannot be made stays null, and is answered as identity.
    entry.compressed = Promise.all(order.map(make)).then(
      () => {},
      () => {},
    );
  } else {
    const [now, later] = order as ['br' | 'gzip', 'br' | 'gzip'];
    const made = make(now);
    entry.compressed = made.then(() => make(later)).catch(() => {});
    await made;
  }
  return entry;
}

/** Counts lookups; the key names the kind of entry (`feed:...`, `page:...`). */
export interface CacheLookups {
  hit(key: string): void;
  miss(key: string): void;
}

export interface ResponseCacheOptions {
  /** The most the entries may weigh together, in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Where hits and misses are counted. */
  lookups?: CacheLookups;
  /** How long an entry may still show a count after it changed, in ms (default 30 s). */
  countLagMs?: number;
  /** The time now, in ms (the context's clock). */
  now?: () => number;
}

/** An entry, and whether it was in the cache (false: built for this request or one beside it). */
export interface CacheAnswer {
  entry: CachedResponse;
  hit: boolean;
}

/**
 * How many key changes are remembered for builds in flight: a build that started before the
 * oldest remembered change is served but not kept.
 */
const REMEMBERED_CHANGES = 10_000;

/**
 * Lets at most `size` callers in at once; the others wait their turn, first come first served.
 */
class Gate {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  async enter(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  leave(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * Builds under way at once. A build renders on the event loop in one piece once its rows arrive;
 * with many misses at once (a crawler on cold pages), their rows arrive together and the pieces
 * run back to back, holding every other request for their sum. Four keep both cores busy (one
 * build renders while others wait on the database or on compression) and bound that sum.
 */
const BUILDS_AT_ONCE = 4;

/** An entry as the cache holds it: what it weighed when counted, and its place in the order. */
interface Slot {
  entry: CachedResponse;
  movedAt: number;
  bytes: number;
}

export class ResponseCache {
  /**
   * Entries in order of use, least recent first, each with the move count when it last went to
   * the newest end.
   */
  readonly #entries = new Map<string, Slot>();
  /** How many times an entry went to the newest end (stored or moved). */
  #moves = 0;
  /** For each cache key, the entries built from it. */
  readonly #byKey = new Map<string, Set<string>>();
  /** For each soft key, the entries that show its count. */
  readonly #bySoftKey = new Map<string, Set<string>>();
  readonly #building = new Map<string, Promise<CachedResponse | null>>();
  readonly #gate = new Gate(BUILDS_AT_ONCE);
  /** The event id that last changed each key, for builds that were under way meanwhile. */
  readonly #changed = new Map<string, number>();
  /** Builds that read content before this event id may be stale: they are not kept. */
  #floor = 0;
  #bytes = 0;
  readonly #maxBytes: number;
  readonly #lookups: CacheLookups | undefined;
  readonly #countLagMs: number;
  readonly #now: () => number;

  constructor(options: ResponseCacheOptions = {}) {
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#lookups = options.lookups;
    this.#countLagMs = options.countLagMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** What the entries weigh together, in bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The entry for `key` if it is still current at this time. A hit is counted; a miss is not,
   * since the caller (the fast path) then hands the request to get(), which counts.
   */
  lookup(key: string, nowMs: number, encoding: Encoding = 'identity'): CachedResponse | undefined {
    const entry = this.#current(key, nowMs);
    // An encoding still being made: the caller goes on to get(), which waits for it.
    if (!entry || bodyFor(entry, encoding) === null) return undefined;
    this.#lookups?.hit(key);
    return entry;
  }

  /**
   * The current entry, built once (however many requests ask at the same time) when missing.
   * `version` is the outbox position the caller has applied: the build reads content at least
   * that new. The entry comes back once `encoding`, the one the caller will send, is made.
   */
  async get(
    key: string,
    version: number,
    nowMs: number,
    build: () => Promise<BuildResult | null>,
    encoding: Encoding = 'identity',
  ): Promise<CacheAnswer | null> {
    const hit = this.#current(key, nowMs);
    if (hit) {
      this.#lookups?.hit(key);
      if (bodyFor(hit, encoding) === null) await hit.compressed;
      return { entry: hit, hit: true };
    }
    // Also when another request is already building it: this one waits for the build.
    this.#lookups?.miss(key);
    let pending = this.#building.get(key);
    if (!pending) {
      pending = (async () => {
        await this.#gate.enter();
        try {
          const built = await build();
          if (!built) return null;
          const entry = await prepare(built, version, encoding);
          this.#store(key, entry);
          return entry;
        } finally {
          this.#gate.leave();
        }
      })().finally(() => this.#building.delete(key));
      this.#building.set(key, pending);
    }
    const entry = await pending;
    if (entry && bodyFor(entry, encoding) === null) await entry.compressed;
    return entry ? { entry, hit: false } : null;
  }

  /**
   * Drops every entry built from one of `keys` (all of them when `keys` is null), because event
   * `eventId` changed what they show.
   */
  invalidate(keys: readonly string[] | null, eventId: number): void {
    if (keys === null) {
      this.clear();
      this.#floor = Math.max(this.#floor, eventId);
      return;
    }
    for (const k of keys) {
      const dependents = this.#byKey.get(k);
      if (dependents) for (const entryKey of [...dependents]) this.#remove(entryKey);
      const showing = this.#bySoftKey.get(k);
      if (showing) for (const entryKey of showing) this.#lag(entryKey);
      if (this.#building.size > 0) this.#remember(k, eventId);
    }
  }

  /** A count the entry shows changed: it lives at most the count lag longer. */
  #lag(entryKey: string): void {
    const entry = this.#entries.get(entryKey)?.entry;
    if (entry) entry.expiresAt = Math.min(entry.expiresAt, this.#now() + this.#countLagMs);
  }

  clear(): void {
    this.#entries.clear();
    this.#byKey.clear();
    this.#bySoftKey.clear();
    this.#changed.clear();
    this.#bytes = 0;
  }

  #current(key: string, nowMs: number): CachedResponse | undefined {
    const slot = this.#entries.get(key);
    if (!slot) return undefined;
    if (nowMs >= slot.entry.expiresAt) {
      this.#remove(key);
      return undefined;
    }
    // The most recently used goes last, so the least recently used is first to leave. An entry
    // already in the newer half (fewer than half the entries went last after it) stays where it
    // is: a hot entry is not moved on every request.
    if (2 * (this.#moves - slot.movedAt) >= this.#entries.size) {
      this.#entries.delete(key);
      this.#entries.set(key, slot);
      slot.movedAt = ++this.#moves;
    }
    return slot.entry;
  }

  #remember(key: string, eventId: number): void {
    this.#changed.delete(key);
    this.#changed.set(key, eventId);
    if (this.#changed.size > REMEMBERED_CHANGES) {
      const [oldest, id] = this.#changed.entries().next().value as [string, number];
      this.#changed.delete(oldest);
      this.#floor = Math.max(this.#floor, id);
    }
  }

  /** Keeps a fresh build, unless what it read changed while it was being built. */
  #store(key: string, entry: CachedResponse): void {
    const changedSince = (k: string) => (this.#changed.get(k) ?? 0) > entry.version;
    const stale = entry.version < this.#floor || entry.keys.some(changedSince);
    const lagging = entry.softKeys.some(changedSince);
    if (this.#building.size <= 1) this.#changed.clear();
    if (stale || entry.bytes > this.#maxBytes) return;
    this.#remove(key);
    const slot: Slot = { entry, movedAt: ++this.#moves, bytes: entry.bytes };
    this.#entries.set(key, slot);
    this.#bytes += slot.bytes;
    index(this.#byKey, entry.keys, key);
    index(this.#bySoftKey, entry.softKeys, key);
    if (lagging) this.#lag(key);
    this.#evict();
    // The encodings made after the entry was stored weigh too, while it is still here.
    void entry.compressed.then(() => {
      if (this.#entries.get(key) !== slot) return;
      this.#bytes += entry.bytes - slot.bytes;
      slot.bytes = entry.bytes;
      this.#evict();
    });
  }

  /** Drops the least recently used entries until the rest fit. */
  #evict(): void {
    while (this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#remove(oldest);
    }
  }

  #remove(key: string): void {
    const slot = this.#entries.get(key);
    if (!slot) return;
    const { entry } = slot;
    this.#entries.delete(key);
    this.#bytes -= slot.bytes;
    unindex(this.#byKey, entry.keys, key);
    unindex(this.#bySoftKey, entry.softKeys, key);
  }
}

/** Records that the entry under `entryKey` depends on each of `keys`. */
function index(byKey: Map<string, Set<string>>, keys: readonly string[], entryKey: string): void {
  for (const k of keys) {
    let dependents = byKey.get(k);
    if (!dependents) byKey.set(k, (dependents = new Set()));
    dependents.add(entryKey);
  }
}

function unindex(byKey: Map<string, Set<string>>, keys: readonly string[], entryKey: string): void {
  for (const k of keys) {
    const dependents = byKey.get(k);
    dependents?.delete(entryKey);
    if (dependents?.size === 0) byKey.delete(k);
  }
}
