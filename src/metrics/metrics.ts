/**
 * Prometheus metrics, one registry per context (tests build several apps in one process, which
 * the global registry would mix). Requests, cache lookups and delivery attempts are counted where
 * they happen; the outbox and queue gauges are read from the database when scraped, SQLite's
 * reader gauges from its thread pool.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../context.ts';
import type { CacheLookups } from '../http/response-cache.ts';
import {
  consumerLags,
  deadLetterCount,
  pendingFanouts,
  queuedDeliveries,
} from '../events/outbox-stats.ts';

/** Where the metrics are served. */
export const METRICS_PATH = '/metrics';

/** The route label of a request no route matched: never its URL, which anyone can make up. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The kinds of entry in the response cache, by the prefix of their keys. */
const CACHES = new Set(['feed', 'page', 'api']);

/** Seconds; a delivery attempt is capped by QUIRE_DELIVERY_TIMEOUT (15 s unless set). */
const DELIVERY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300];

const TOTAL_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * Counts kept as plain numbers and handed to a prom-client counter when it is scraped: counting
 * a request costs one map look-up, not the library's label checks and hashing each time. The
 * labels come from closed sets (methods the HTTP parser accepts, route templates, statuses,
 * cache kinds), so the map stays small.
 */
class Tally<L extends string> {
  readonly #counts = new Map<string, { labels: Record<L, string>; n: number }>();

  add(id: string, labels: () => Record<L, string>): void {
    const count = this.#counts.get(id);
    if (count) count.n += 1;
    else this.#counts.set(id, { labels: labels(), n: 1 });
  }

  /** Moves the counts into `counter` (a prom-client `collect`, run at each scrape). */
  flushInto(counter: Counter<L>): void {
    for (const count of this.#counts.values()) {
      if (count.n === 0) continue;
      counter.inc(count.labels, count.n);
      count.n = 0;
    }
  }
}

export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new Tally<'method' | 'route' | 'status'>();
  readonly #requestSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly #deliverySeconds: Histogram<'channel' | 'outcome'>;
  #fanoutFollowers = 0;
  #notificationStreams = 0;
  /** Lookups in the response cache, labelled by the kind of entry (`feed`, `page`, `api`). */
  readonly cacheLookups: CacheLookups;
  /** Lookups in the cache of search answers (its own budget), labelled `search`. */
  readonly searchCacheLookups: CacheLookups;

  constructor(ctx: AppContext) {
    const registers = [this.registry];
    // Process CPU, memory, handles, GC, and event-loop delay (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters, which `promtool check metrics` refuses; the per-type gauges
    // beside them (nodejs_active_handles{type=...}, ...) sum to the same.
    for (const name of TOTAL_GAUGES) this.registry.removeSingleMetric(name);
    const requests = this.#requests;
    new Counter({
      name: 'quire_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
      collect(this: Counter<'method' | 'route' | 'status'>) {
        requests.flushInto(this);
      },
    });
    this.#requestSeconds = new Histogram({
      name: 'quire_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    const hits = new Tally<'cache'>();
    const misses = new Tally<'cache'>();
    new Counter({
      name: 'quire_response_cache_hits_total',
      help: 'Lookups that found a current answer in the response cache (cache: feed, page, api) or in the cache of search answers (search).',
      labelNames: ['cache'],
      registers,
      collect(this: Counter<'cache'>) {
        hits.flushInto(this);
      },
    });
    new Counter({
      name: 'quire_response_cache_misses_total',
      help: 'Lookups that found no current answer in the response cache or the cache of search answers, so built it.',
      labelNames: ['cache'],
      registers,
      collect(this: Counter<'cache'>) {
        misses.flushInto(this);
      },
    });
    const kind = (key: string) => {
      const prefix = key.slice(0, key.indexOf(':'));
      return CACHES.has(prefix) ? prefix : 'other';
    };
    const count = (tally: Tally<'cache'>, key: string) => {
      const cache = kind(key);
      tally.add(cache, () => ({ cache }));
    };
    this.cacheLookups = {
      hit: (key) => count(hits, key),
      miss: (key) => count(misses, key),
    };
    const search = { cache: 'search' };
    this.searchCacheLookups = {
      hit: () => hits.add('search', () => search),
      miss: () => misses.add('search', () => search),
    };
    this.#deliverySeconds = new Histogram({
      name: 'quire_delivery_attempt_duration_seconds',
      help: 'Time a delivery attempt took, answer included, by channel and outcome.',
      labelNames: ['channel', 'outcome'],
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    const fanoutFollowers = () => this.#fanoutFollowers;
    new Counter({
      name: 'quire_fanout_followers_total',
      help: 'Followers a publish has been spread to (timeline entries and notifications), by this node.',
      registers,
      collect(this: Counter) {
        this.reset();
        this.inc(fanoutFollowers());
      },
    });
    const notificationStreams = () => this.#notificationStreams;
    new Gauge({
      name: 'quire_notification_streams',
      help: 'Live unread-count streams (Server-Sent Events) open on this node.',
      registers,
      collect(this: Gauge) {
        this.set(notificationStreams());
      },
    });
    this.#databaseGauges(ctx);
    if (ctx.database.readerStats()) this.#readerGauges(ctx);
  }

  /** SQLite's reader threads, read from the pool at each scrape (no query). */
  #readerGauges(ctx: AppContext): void {
    new Gauge({
      name: 'quire_sqlite_reads',
      help: 'Reads outside transactions on SQLite reader threads: running now, or queued for a free thread.',
      labelNames: ['state'],
      registers: [this.registry],
      collect(this: Gauge) {
        const stats = ctx.database.readerStats();
        this.set({ state: 'running' }, stats?.running ?? 0);
        this.set({ state: 'queued' }, stats?.queued ?? 0);
      },
    });
    new Counter({
      name: 'quire_sqlite_reads_refused_total',
      help: 'Reads answered 503 at once because QUIRE_SQLITE_READ_QUEUE reads were already waiting.',
      registers: [this.registry],
      collect(this: Counter) {
        // The pool counts; the counter takes its total at each scrape.
        this.reset();
        this.inc(ctx.database.readerStats()?.refused ?? 0);
      },
    });
    new Gauge({
      name: 'quire_sqlite_reader_threads',
      help: 'SQLite reader threads started (they start when reads need them, up to QUIRE_SQLITE_READERS).',
      registers: [this.registry],
      collect(this: Gauge) {
        this.set(ctx.database.readerStats()?.threads ?? 0);
      },
    });
  }

  /** One answered request, labelled by its route template (or UNMATCHED_ROUTE), never its URL. */
  request(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.#requests.add(`${method} ${route} ${status}`, () => labels);
    this.#requestSeconds.observe(labels, seconds);
  }

  deliveryAttempt(channel: string, outcome: string, seconds: number): void {
    this.#deliverySeconds.observe({ channel, outcome }, seconds);
  }

  /** One batch of a fan-out committed, reaching this many followers. */
  fanoutBatch(followers: number): void {
    this.#fanoutFollowers += followers;
  }

  /** How many live unread-count streams are open on this node now. */
  notificationStreams(open: number): void {
    this.#notificationStreams = open;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric, database gauges read now. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Gauges read from the database at each scrape, the same on every node. When the database does
   * not answer they are left without samples, and the rest of the scrape still comes through.
   */
  #databaseGauges(ctx: AppContext): void {
    const registers = [this.registry];
    const reading = (what: string, read: (gauge: Gauge) => Promise<void>) =>
      async function (this: Gauge) {
        this.reset();
        try {
          await read(this);
        } catch (error) {
          this.reset();
          ctx.logger.warn({ err: error }, `metrics: could not read ${what}`);
        }
      };
    new Gauge({
      name: 'quire_outbox_lag_seconds',
      help: 'Age of the oldest event each outbox consumer has not handled yet; 0 when caught up.',
      labelNames: ['consumer'],
      registers,
      collect: reading('outbox lag', async (gauge) => {
        for (const lag of await consumerLags(ctx.database.db, ctx.clock.now()))
          gauge.set({ consumer: lag.consumer }, lag.seconds);
      }),
    });
    new Gauge({
      name: 'quire_deliveries',
      help: 'Webhook and WebSub deliveries waiting to be sent (pending) or given up on (dead).',
      labelNames: ['state'],
      registers,
      collect: reading('deliveries by state', async (gauge) => {
        const counts = await queuedDeliveries(ctx.database.db);
        for (const [state, count] of Object.entries(counts)) gauge.set({ state }, count);
      }),
    });
    new Gauge({
      name: 'quire_fanouts_pending',
      help: 'Publishes (one per author or tag) still being spread to their followers.',
      registers,
      collect: reading('pending fan-outs', async (gauge) => {
        gauge.set(await pendingFanouts(ctx.database.db));
      }),
    });
    new Gauge({
      name: 'quire_delivery_dead_letters',
      help: 'Dead deliveries (retries spent, or target gone) kept and replayable.',
      registers,
      collect: reading('dead letters', async (gauge) => {
        gauge.set(await deadLetterCount(ctx.database.db));
      }),
    });
  }
}

const byContext = new WeakMap<AppContext, Metrics>();

/** The metrics of a context, made at first use. */
export function metricsOf(ctx: AppContext): Metrics {
  let metrics = byContext.get(ctx);
  if (!metrics) {
    metrics = new Metrics(ctx);
    byContext.set(ctx, metrics);
  }
  return metrics;
}
