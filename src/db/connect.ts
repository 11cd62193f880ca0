/** Opens the database a configuration names. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { databaseLabel, type DatabaseTarget } from '../config.ts';
import { DatabaseUnavailableError } from '../errors.ts';
import { Database } from './database.ts';
import { PgListener } from './pg-listener.ts';
import type { Schema } from './schema.ts';
import { openSqlite } from './sqlite-adapter.ts';
import { RoutingSqliteDialect } from './sqlite-dialect.ts';
import { SqliteReaders } from './sqlite-readers.ts';

// COUNT(*) and bigint ids come back from PostgreSQL as text unless told otherwise.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/**
 * How long a query waits for a connection (a new one, or a free one from a busy pool) before it
 * fails, and its request with it (503).
 */
const CONNECT_TIMEOUT_MS = 5000;

export interface ConnectOptions {
  /** PostgreSQL: connections in the pool (10). */
  poolSize?: number;
  /**
   * SQLite: reader threads for reads outside transactions (QUIRE_SQLITE_READERS). 0, the
   * default here, and any `:memory:` database (which no other connection can open) keep every
   * query on the one connection on this thread.
   */
  sqliteReaders?: number;
  /** SQLite: reads that may wait for a busy reader thread (QUIRE_SQLITE_READ_QUEUE, 1000). */
  sqliteReadQueue?: number;
}

export async function connect(target: DatabaseTarget, options: ConnectOptions = {}) {
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    let database: ReturnType<typeof openSqlite>;
    try {
      database = openSqlite(target.path);
    } catch (error) {
      throw new DatabaseUnavailableError(
        `cannot open SQLite database ${target.path}: ${(error as Error).message}`,
      );
    }
    const size = target.path === ':memory:' ? 0 : (options.sqliteReaders ?? 0);
    const queueLimit = options.sqliteReadQueue ?? 1000;
    const readers = size > 0 ? new SqliteReaders(target.path, { size, queueLimit }) : null;
    const dialect = new RoutingSqliteDialect(database, readers);
    return new Database(new Kysely<Schema>({ dialect }), 'sqlite', { readers });
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // A client that loses its server emits 'error': the pool catches it for idle clients, and this
  // listener, set on every client for its whole life, for clients in use, whose queries fail
  // with the error instead (answered 503) and which the pool drops when they are released.
  // Without it, a database restart under load would end the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Database(
    new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }),
    'postgres',
    { remoteCommits: (onCommit) => new PgListener(target.url, onCommit) },
  );
  try {
    await db.ping();
  } catch (error) {
    await db.close();
    throw new DatabaseUnavailableError(
      `cannot connect to ${databaseLabel(target)}: ${(error as Error).message}`,
    );
  }
  return db;
}
