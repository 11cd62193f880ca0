/** Lets Kysely's SQLite dialect drive Node's built-in `node:sqlite`. */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Prepared statements kept for reuse; queries come from a small set of builders. */
const STATEMENT_CACHE = 500;

/** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export interface Prepared {
  stmt: StatementSync;
  /** True when the statement returns rows. */
  reader: boolean;
}

/**
 * Prepares each SQL text once per connection (the writer's and each reader thread's): preparing
 * costs more than running most of our queries.
 */
export function statementCache(db: DatabaseSync): (sql: string) => Prepared {
  const cache = new Map<string, Prepared>();
  return (sql) => {
    let hit = cache.get(sql);
    if (hit) {
      // Least recently used goes first: one-off texts (long IN lists) must not evict hot ones.
      cache.delete(sql);
      cache.set(sql, hit);
    } else {
      const stmt = db.prepare(sql);
      hit = { stmt, reader: stmt.columns().length > 0 };
      cache.set(sql, hit);
      if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
    }
    return hit;
  };
}

export function openSqlite(path: string): SqliteDatabase {
  const db = new DatabaseSync(path, {
    enableForeignKeyConstraints: true,
    timeout: BUSY_TIMEOUT_MS,
  });
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  const prepared = statementCache(db);
  const params = (values: ReadonlyArray<unknown>) => values as SQLInputValue[];
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const { stmt, reader } = prepared(sql);
      return {
        reader,
        all: (values) => stmt.all(...params(values)),
        run: (values) => stmt.run(...params(values)),
        // A stream may still be open when the next query runs: it gets a statement of its own.
        iterate: (values) => db.prepare(sql).iterate(...params(values)),
      };
    },
  };
}
