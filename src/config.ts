/** Reads the environment once into a typed, checked configuration. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ipaddr from 'ipaddr.js';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface Config {
  port: number;
  host: string;
  database: DatabaseTarget;
  baseUrl: string;
  secret: string | undefined;
  siteName: string;
  logLevel: string;
  /** Requests per minute that one client may make to the API. */
  apiRateLimit: number;
  /** Writes (create, update, delete) per minute that one client may make. */
  writeRateLimit: number;
  /** Failed sign-ins per account or address before sign-in is refused for a while. */
  loginMaxFailures: number;
  /** How long, in seconds, failures are remembered and sign-in stays refused. */
  loginWindowSeconds: number;
  /** Let user-supplied URLs reach loopback and private addresses (local testing only). */
  allowPrivateUrls: boolean;
  /**
   * Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For is believed, so rate
   * limits and sign-in throttling count visitors rather than the proxy. Empty: none.
   */
  trustedProxies: string[];
  /** Addresses (or CIDR ranges) besides loopback that may read `/metrics`. Empty: none. */
  metricsAllow: string[];
  /** A bearer token that lets any address read `/metrics`; unset: none. */
  metricsToken: string | undefined;
  /** How often, in seconds, a saved feed source is polled unless it says otherwise. */
  feedPollInterval: number;
  /** Seconds before each delivery attempt (webhook or WebSub): the first, then each retry. */
  deliveryRetrySchedule: number[];
  /** Seconds one delivery attempt may take. */
  deliveryTimeout: number;
  /** Requests in flight at once to one webhook endpoint or WebSub subscriber. */
  deliveryConcurrency: number;
  /** Seconds after which an endpoint that has failed everything is disabled. */
  webhookDisableAfter: number;
  /** Seconds a claimed delivery stays with its node before another may take it. */
  deliveryLease: number;
  /**
   * Run the dispatcher, and with it every background job, inside `quire serve` (off when
   * `quire worker` runs apart).
   */
  dispatcher: boolean;
  /** Seconds between the dispatcher's fallback polls, when no commit woke it. */
  dispatchPoll: number;
  /** Seconds a finished (succeeded or dead) delivery and its attempts are kept. */
  deliveryRetention: number;
  /** Followers one fan-out transaction reaches (timeline entries and notifications). */
  fanoutBatch: number;
  /** Seconds a request may run before it is answered 503 (its work is not cut short). */
  requestTimeout: number;
  /** Seconds a stop (SIGTERM) may take to finish requests and deliveries in flight. */
  shutdownTimeout: number;
  /** MiB the response cache of pages and feeds may hold; the least recently used leaves first. */
  cacheMb: number;
  /**
   * MiB the cache of search answers may hold, apart from `cacheMb`: anyone can make up queries,
   * and they must not push the site's pages out.
   */
  searchCacheMb: number;
  /**
   * Seconds a cached list (home, tag and profile pages, API lists) may keep showing a comment or
   * reaction count after it changed: a storm of comments rebuilds those lists once per lag.
   */
  countLag: number;
  /**
   * Shared HTTP caches in front (Varnish, a CDN) to purge by key when content changes: each URL
   * is sent `PURGE` with the changed keys in `xkey` and `Surrogate-Key`. Empty: none.
   */
  purgeUrls: string[];
  /** Seconds a shared cache may keep a public page or feed (`s-maxage`). */
  sharedMaxAge: number;
  /**
   * Where mail goes out: `smtp://user:pass@host:587` (STARTTLS when the server offers it) or
   * `smtps://...` (TLS from the start). Unset: no mail is sent, and password reset by email is off.
   */
  smtpUrl: string | undefined;
  /** The sender of every mail: `Name <address>` or an address. */
  mailFrom: string;
  /**
   * SQLite: threads, each with a read-only connection, that run reads outside transactions, so
   * a slow query never holds the event loop; 0 runs every query on the event loop's thread.
   */
  sqliteReaders: number;
  /**
   * SQLite: reads that may wait for a busy reader thread; one more is answered 503 at once, so
   * a flood of slow reads sheds load instead of queueing past every client's patience. At least
   * 100: one request, or the migrator at start, may issue dozens of reads together.
   */
  sqliteReadQueue: number;
  /** What deserves a warning at start: old names in use, settings that no longer do anything. */
  warnings: string[];
}

/** Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h. */
export const DEFAULT_RETRY_SCHEDULE = [
  0, 5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400,
];

/** A configuration mistake, reported as one readable line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The database named by a target, for people: an SQLite file's absolute path, or a
 * PostgreSQL URL reduced to its user, host, port and database (never its password).
 */
export function databaseLabel(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `sqlite:${target.path}`;
  const url = new URL(target.url);
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  // A socket directory or host may come as ?host=; every other parameter is left out.
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  return `postgres://${user}${host}:${url.port || 5432}${decodeURIComponent(url.pathname)}`;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/quire.db';

/**
 * One reader thread per core, at least 2 (so one slow read leaves another thread for the rest)
 * and at most 8 (each holds a connection and its page cache).
 */
export const DEFAULT_SQLITE_READERS = Math.min(8, Math.max(2, availableParallelism()));
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseDatabaseUrl(value: string): DatabaseTarget {
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '')
      throw new ConfigError(
        'DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/quire.db',
      );
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: value };
  }
  throw new ConfigError(
    `DATABASE_URL must be sqlite:<path> or postgres://..., got "${value.slice(0, 60)}"`,
  );
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

/** IP addresses or CIDR ranges, comma-separated (QUIRE_TRUSTED_PROXIES, QUIRE_METRICS_ALLOW). */
function addresses(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name]?.trim() ?? '';
  if (raw === '') return [];
  const parts = raw.split(',').map((p) => p.trim());
  for (const part of parts) {
    const [address = '', bits] = part.split('/', 2);
    const valid =
      ipaddr.isValid(address) &&
      (bits === undefined ||
        (/^\d{1,3}$/.test(bits) &&
          Number(bits) <= (ipaddr.parse(address).kind() === 'ipv4' ? 32 : 128)));
    if (!valid) {
      throw new ConfigError(
        `${name} must be IP addresses or CIDR ranges, comma-separated, got "${part.slice(0, 60)}"`,
      );
    }
  }
  return parts;
}

/** Long enough not to be guessed, and sendable as it is in an Authorization header. */
function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.QUIRE_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[\x21-\x7e]{16,512}$/.test(raw)) {
    throw new ConfigError(
      'QUIRE_METRICS_TOKEN must be 16 to 512 visible ASCII characters, without spaces',
    );
  }
  return raw;
}

/** Names that were webhook-only until WebSub deliveries shared them: read still, with a warning. */
const RENAMED: Record<string, string> = {
  QUIRE_DELIVERY_RETRY_SCHEDULE: 'QUIRE_WEBHOOK_RETRY_SCHEDULE',
  QUIRE_DELIVERY_TIMEOUT: 'QUIRE_WEBHOOK_TIMEOUT',
  QUIRE_DELIVERY_CONCURRENCY: 'QUIRE_WEBHOOK_CONCURRENCY',
};

const isSet = (env: NodeJS.ProcessEnv, name: string) => (env[name]?.trim() ?? '') !== '';

/**
 * The variable to read for a setting that was renamed: the new name, unless only the old one is
 * set. Setting both is a mistake: which one was meant cannot be known.
 */
function renamed(env: NodeJS.ProcessEnv, name: string, warnings: string[]): string {
  const old = RENAMED[name];
  if (old === undefined || !isSet(env, old)) return name;
  if (isSet(env, name)) {
    throw new ConfigError(`${old} and ${name} are both set: ${old} is the old name; keep ${name}`);
  }
  warnings.push(`${old} is deprecated: rename it ${name} (it applies to WebSub deliveries too)`);
  return old;
}

function schedule(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const parts = raw.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  if (
    parts.length > 50 ||
    values.some((v, i) => parts[i] === '' || !Number.isInteger(v) || v < 0 || v > 7 * 86_400)
  ) {
    throw new ConfigError(
      `${name} must be up to 50 whole numbers of seconds (0 to 604800), comma-separated, got "${raw.slice(0, 80)}"`,
    );
  }
  return values;
}

function baseUrlFrom(raw: string | undefined, port: number): string {
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`QUIRE_BASE_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`QUIRE_BASE_URL must be http or https, got "${raw}"`);
  }
  return url.href.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const secret = env.QUIRE_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('QUIRE_SECRET must be at least 32 characters long');
  }
  const database = parseDatabaseUrl(env.DATABASE_URL || DEFAULT_DATABASE_URL);
  if (database.kind === 'postgres' && secret === undefined) {
    throw new ConfigError(
      'QUIRE_SECRET is required with PostgreSQL (the same value on every node)',
    );
  }
  const warnings: string[] = [];
  if (isSet(env, 'QUIRE_FEED_POLL_TICK')) {
    // Accepted and ignored, so a deployment that still sets it starts.
    warnings.push(
      'QUIRE_FEED_POLL_TICK has no effect any more: the dispatcher polls each feed source when it is due (QUIRE_DISPATCHER=0 keeps a node from polling)',
    );
  }
  return {
    port,
    host: env.HOST || '127.0.0.1',
    database,
    baseUrl: baseUrlFrom(env.QUIRE_BASE_URL, port),
    secret,
    siteName: env.QUIRE_SITE_NAME || 'Quire',
    logLevel,
    apiRateLimit: integer(env, 'QUIRE_API_RATE_LIMIT', 600, 1, 1_000_000),
    writeRateLimit: integer(env, 'QUIRE_WRITE_RATE_LIMIT', 60, 1, 1_000_000),
    loginMaxFailures: integer(env, 'QUIRE_LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginWindowSeconds: integer(env, 'QUIRE_LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
    allowPrivateUrls: flag(env, 'QUIRE_ALLOW_PRIVATE_URLS'),
    trustedProxies: addresses(env, 'QUIRE_TRUSTED_PROXIES'),
    metricsAllow: addresses(env, 'QUIRE_METRICS_ALLOW'),
    metricsToken: metricsToken(env),
    feedPollInterval: integer(env, 'QUIRE_FEED_POLL_INTERVAL', 3600, 1, 30 * 86_400),
    requestTimeout: integer(env, 'QUIRE_REQUEST_TIMEOUT', 30, 1, 3600),
    shutdownTimeout: integer(env, 'QUIRE_SHUTDOWN_TIMEOUT', 10, 1, 3600),
    cacheMb: integer(env, 'QUIRE_CACHE_MB', 64, 1, 65_536),
    searchCacheMb: integer(env, 'QUIRE_SEARCH_CACHE_MB', 16, 1, 65_536),
    countLag: integer(env, 'QUIRE_COUNT_LAG', 30, 0, 3600),
    ...sharedCacheConfig(env),
    ...mailConfig(env, baseUrlFrom(env.QUIRE_BASE_URL, port)),
    sqliteReaders: integer(env, 'QUIRE_SQLITE_READERS', DEFAULT_SQLITE_READERS, 0, 64),
    sqliteReadQueue: integer(env, 'QUIRE_SQLITE_READ_QUEUE', 1000, 100, 1_000_000),
    ...deliveryConfig(env, warnings),
    warnings,
  };
}

/**
 * A shared cache that is purged on every change may keep answers for a day; one that is not
 * (a CDN without purging) only for a minute, so readers see changes soon enough.
 */
function sharedCacheConfig(env: NodeJS.ProcessEnv) {
  const purgeUrls = (env.QUIRE_PURGE_URLS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const url of purgeUrls) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new ConfigError(`QUIRE_PURGE_URLS: ${url} is not an http(s) URL`);
    }
  }
  const fallback = purgeUrls.length > 0 ? 86_400 : 60;
  return {
    purgeUrls,
    sharedMaxAge: integer(env, 'QUIRE_SHARED_MAX_AGE', fallback, 0, 365 * 86_400),
  };
}

/** A mailbox: an address, or a display name and the address in angle brackets. */
const MAILBOX = /^(?:[^\r\n<>@]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

function mailConfig(env: NodeJS.ProcessEnv, baseUrl: string) {
  const raw = env.QUIRE_SMTP_URL || undefined;
  if (raw !== undefined) {
    // The URL carries the password: errors never repeat it.
    const url = URL.canParse(raw) ? new URL(raw) : null;
    if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
      throw new ConfigError(
        'QUIRE_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://[user:pass@]host[:port]',
      );
    }
  }
  const mailFrom = (env.QUIRE_MAIL_FROM || `Quire <no-reply@${new URL(baseUrl).hostname}>`).trim();
  if (mailFrom.length > 254 || !MAILBOX.test(mailFrom)) {
    throw new ConfigError(
      `QUIRE_MAIL_FROM must be an address or "Name <address>", got "${env.QUIRE_MAIL_FROM}"`,
    );
  }
  return { smtpUrl: raw, mailFrom };
}

function deliveryConfig(env: NodeJS.ProcessEnv, warnings: string[]) {
  const timeoutName = renamed(env, 'QUIRE_DELIVERY_TIMEOUT', warnings);
  const deliveryTimeout = integer(env, timeoutName, 15, 1, 300);
  const deliveryLease = integer(env, 'QUIRE_DELIVERY_LEASE', 60, 2, 3600);
  if (deliveryLease <= deliveryTimeout) {
    throw new ConfigError(
      `QUIRE_DELIVERY_LEASE (${deliveryLease} s) must be longer than ${timeoutName} (${deliveryTimeout} s), or a slow delivery could be sent twice`,
    );
  }
  return {
    deliveryRetrySchedule: schedule(
      env,
      renamed(env, 'QUIRE_DELIVERY_RETRY_SCHEDULE', warnings),
      DEFAULT_RETRY_SCHEDULE,
    ),
    deliveryTimeout,
    deliveryConcurrency: integer(
      env,
      renamed(env, 'QUIRE_DELIVERY_CONCURRENCY', warnings),
      4,
      1,
      100,
    ),
    webhookDisableAfter: integer(env, 'QUIRE_WEBHOOK_DISABLE_AFTER', 5 * 86_400, 60, 365 * 86_400),
    deliveryLease,
    dispatcher: env.QUIRE_DISPATCHER === undefined ? true : flag(env, 'QUIRE_DISPATCHER'),
    dispatchPoll: integer(env, 'QUIRE_DISPATCH_POLL', 5, 1, 3600),
    deliveryRetention: integer(env, 'QUIRE_DELIVERY_RETENTION', 30 * 86_400, 3600, 3650 * 86_400),
    fanoutBatch: integer(env, 'QUIRE_FANOUT_BATCH', 100, 10, 10_000),
  };
}

/**
 * With SQLite and no QUIRE_SECRET, the secret is generated once and kept beside the database
 * file, so sessions survive restarts without any setup.
 */
export function resolveSecret(config: Config): string {
  if (config.secret) return config.secret;
  if (config.database.kind !== 'sqlite' || config.database.path === ':memory:') {
    return randomBytes(32).toString('base64url');
  }
  const file = join(dirname(config.database.path), 'secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
