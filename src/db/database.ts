/**
 * The one wrapper over both databases: it knows its dialect, runs transactions, and holds the
 * hooks that must run only once a transaction has committed. Dialect branches live here and in
 * migrations, nowhere else.
 */
import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';
export type DbHandle = Kysely<Schema>;

/** A handle inside an open transaction, with hooks that run after it commits. */
export interface Tx {
  readonly db: DbHandle;
  readonly dialect: Dialect;
  onCommit(hook: () => void): void;
  /** Records that this transaction appended to the outbox, so listeners hear of it on commit. */
  markEvent(): void;
}

export class Database {
  readonly db: DbHandle;
  readonly dialect: Dialect;
  #closed = false;
  readonly #eventListeners = new Set<() => void>();

  constructor(db: DbHandle, dialect: Dialect) {
    this.db = db;
    this.dialect = dialect;
  }

  /**
   * Runs `fn` in a transaction. On SQLite the transaction begins IMMEDIATE, taking the write
   * lock at once, so two processes on one file wait for each other instead of failing midway.
   */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const hooks: Array<() => void> = [];
    let events = false;
    const run = (db: DbHandle) =>
      fn({
        db,
        dialect: this.dialect,
        onCommit: (hook) => hooks.push(hook),
        markEvent: () => (events = true),
      });
    let result: T;
    if (this.dialect === 'sqlite') {
      result = await this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const value = await run(conn);
          await sql`commit`.execute(conn);
          return value;
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw error;
        }
      });
    } else {
      result = await this.db.transaction().execute((trx) => run(trx));
    }
    for (const hook of hooks) hook();
    if (events) for (const listener of this.#eventListeners) listener();
    return result;
  }

  /**
   * Calls `listener` after every commit in this process that appended events. Other processes
   * learn of events by reading the table; this is the same-process shortcut.
   */
  onEventsCommitted(listener: () => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /**
   * Makes a row-claiming subquery skip rows other transactions hold (PostgreSQL). SQLite needs
   * nothing: its write transactions (BEGIN IMMEDIATE) already run one at a time.
   */
  skipLocked<Q extends { forUpdate(): Q; skipLocked(): Q }>(query: Q): Q {
    return this.dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
  }

  /** True when `error` is a unique-constraint violation, whatever the dialect. */
  isUniqueViolation(error: unknown): boolean {
    const e = error as { code?: string; errcode?: number; message?: string };
    if (this.dialect === 'postgres') return e.code === '23505';
    return (
      e.errcode === 2067 || e.errcode === 1555 || /UNIQUE constraint failed/.test(String(e.message))
    );
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }
}
