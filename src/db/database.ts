/**
 * The one wrapper over both databases: it knows its dialect, runs transactions, and holds the
 * hooks that must run only once a transaction has committed. Dialect branches live here and in
 * migrations, nowhere else.
 */
import { type Kysely, sql } from 'kysely';
import { EVENTS_CHANNEL } from './pg-listener.ts';
import type { Schema } from './schema.ts';
import { SqliteCommitGroup } from './sqlite-commit-group.ts';
import { type ReaderStats, ReaderUnavailableError, type SqliteReaders } from './sqlite-readers.ts';

export type Dialect = 'sqlite' | 'postgres';
export type DbHandle = Kysely<Schema>;

/** A handle inside an open transaction, with hooks that run after it commits. */
export interface Tx {
  readonly db: DbHandle;
  readonly dialect: Dialect;
  onCommit(hook: () => void): void;
  /**
   * Records that this transaction appended to the outbox or queued work, so listeners (this
   * process's dispatcher, and other nodes' through NOTIFY) hear of it on commit.
   */
  markEvent(): void;
  /**
   * Takes the outbox lock, held until commit, before the first event is appended: event ids
   * then commit in increasing order, so a reader past id N never sees a smaller id appear.
   * SQLite needs nothing (one writer at a time); PostgreSQL takes a transaction advisory lock.
   */
  lockOutbox(): Promise<void>;
  /**
   * Makes a row-claiming query skip rows other transactions hold (PostgreSQL), as
   * Database.skipLocked does; here for repositories, which are handed the transaction alone.
   */
  skipLocked<Q extends { forUpdate(): Q; skipLocked(): Q }>(query: Q): Q;
}

/** The advisory lock key of the outbox on PostgreSQL (any constant unique to Quire). */
const OUTBOX_LOCK = 7_176_617_401;

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
/** Socket errors reaching PostgreSQL. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLSTATEs of a server going away or not taking connections: admin_shutdown, crash_shutdown,
 * cannot_connect_now, too_many_connections (class 08, connection exceptions, is matched whole).
 */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
/** What `pg` and its pool say when a connection ends, breaks or cannot be had in time. */
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection terminated due to connection timeout)/;

/** Starts hearing of commits made by other processes; returns how to stop. */
export type RemoteCommits = (onCommit: () => void) => { close(): Promise<void> };

export interface DatabaseOptions {
  /** PostgreSQL: how to hear of other processes' commits. */
  remoteCommits?: RemoteCommits;
  /** SQLite: the reader threads `db` sends reads outside transactions to (closed with it). */
  readers?: SqliteReaders | null;
}

export class Database {
  readonly db: DbHandle;
  readonly dialect: Dialect;
  #closed = false;
  readonly #eventListeners = new Set<() => void>();
  readonly #remoteCommits: RemoteCommits | undefined;
  readonly #readers: SqliteReaders | null;
  #remote: { close(): Promise<void> } | null = null;
  readonly #commitGroup: SqliteCommitGroup;

  constructor(db: DbHandle, dialect: Dialect, options: DatabaseOptions = {}) {
    this.db = db;
    this.dialect = dialect;
    this.#commitGroup = new SqliteCommitGroup(db);
    this.#remoteCommits = options.remoteCommits;
    this.#readers = options.readers ?? null;
  }

  /**
   * Runs `fn` in a transaction. On SQLite the transaction begins IMMEDIATE, taking the write
   * lock at once, so two processes on one file wait for each other instead of failing midway;
   * every statement in it, reads included, runs on the writer connection (`sqlite-dialect.ts`),
   * so it reads its own writes. Transactions that wait for the writer run one after another in
   * one SQLite transaction, each in its own savepoint, and are made durable by one COMMIT
   * (`sqlite-commit-group.ts`); each still succeeds or fails as a whole, and returns only once
   * committed.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const hooks: Array<() => void> = [];
    let events = false;
    let locked = false;
    const run = (db: DbHandle) =>
      fn({
        db,
        dialect: this.dialect,
        onCommit: (hook) => hooks.push(hook),
        markEvent: () => (events = true),
        lockOutbox: async () => {
          if (locked || this.dialect !== 'postgres') return;
          await sql`select pg_advisory_xact_lock(${OUTBOX_LOCK})`.execute(db);
          locked = true;
        },
        skipLocked: (query) => this.skipLocked(query),
      });
    let result: T;
    if (this.dialect === 'sqlite') {
      // Transactions that arrive while one runs share its COMMIT (sqlite-commit-group.ts).
      result = await this.#commitGroup.run(run);
    } else {
      result = await this.db.transaction().execute(async (trx) => {
        const value = await run(trx);
        // Delivered to every listening node when (and only if) this transaction commits.
        if (events) await sql`select pg_notify(${EVENTS_CHANNEL}, '')`.execute(trx);
        return value;
      });
    }
    for (const hook of hooks) hook();
    if (events) this.#notifyEventListeners();
    return result;
  }

  #notifyEventListeners(): void {
    for (const listener of this.#eventListeners) listener();
  }

  /**
   * Calls `listener` after every commit that appended events: at once for this process, and on
   * PostgreSQL through NOTIFY for the others. A wake-up, not a guarantee: readers also poll.
   */
  onEventsCommitted(listener: () => void): () => void {
    this.#eventListeners.add(listener);
    if (!this.#remote && !this.#closed && this.#remoteCommits) {
      this.#remote = this.#remoteCommits(() => this.#notifyEventListeners());
    }
    return () => this.#eventListeners.delete(listener);
  }

  /**
   * Makes a row-claiming subquery skip rows other transactions hold (PostgreSQL). SQLite needs
   * nothing: its write transactions (BEGIN IMMEDIATE) already run one at a time.
   */
  skipLocked<Q extends { forUpdate(): Q; skipLocked(): Q }>(query: Q): Q {
    return this.dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
  }

  /**
   * Makes a query lock the rows it reads until the transaction ends (PostgreSQL), so a check and
   * the write it guards cannot interleave with another's. SQLite's write transactions already
   * run one at a time.
   */
  forUpdate<Q extends { forUpdate(): Q }>(query: Q): Q {
    return this.dialect === 'postgres' ? query.forUpdate() : query;
  }

  /**
   * Makes a query hold the rows it reads against changes until the transaction ends (PostgreSQL),
   * while others may read and share them too. SQLite's write transactions run one at a time.
   */
  forShare<Q extends { forShare(): Q }>(query: Q): Q {
    return this.dialect === 'postgres' ? query.forShare() : query;
  }

  /** True when `error` is a unique-constraint violation, whatever the dialect. */
  isUniqueViolation(error: unknown): boolean {
    const e = error as { code?: string; errcode?: number; message?: string };
    if (this.dialect === 'postgres') return e.code === '23505';
    return (
      e.errcode === 2067 || e.errcode === 1555 || /UNIQUE constraint failed/.test(String(e.message))
    );
  }

  /**
   * True when `error` says the database cannot be used right now (PostgreSQL down, restarting,
   * out of connections, or a connection lost mid-query; SQLite's write lock held too long, or a
   * reader thread gone) rather than that the query was wrong: such a failure is answered 503
   * with Retry-After.
   */
  isUnavailable(error: unknown): boolean {
    const e = error as { code?: unknown; errcode?: unknown; message?: unknown } | null;
    if (!e || typeof e !== 'object') return false;
    if (error instanceof ReaderUnavailableError) return true;
    if (this.dialect === 'sqlite') {
      // Extended result codes (SQLITE_BUSY_SNAPSHOT, ...) keep the primary code in the low byte.
      const primary = typeof e.errcode === 'number' ? e.errcode & 0xff : -1;
      return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
    }
    const code = typeof e.code === 'string' ? e.code : '';
    if (NETWORK_ERRORS.has(code) || PG_UNAVAILABLE.has(code) || code.startsWith('08')) return true;
    return typeof e.message === 'string' && PG_CONNECTION_MESSAGES.test(e.message);
  }

  /** SQLite's reader threads and the reads on them or waiting; null without reader threads. */
  readerStats(): ReaderStats | null {
    return this.#readers?.stats() ?? null;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#remote?.close();
    await this.db.destroy();
  }
}
