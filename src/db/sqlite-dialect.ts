/**
 * Kysely's SQLite dialect with reads moved off the event loop. A SELECT run outside a
 * transaction goes to a reader thread (`sqlite-readers.ts`); everything else (writes, DDL, raw
 * SQL, and every statement of a connection that has begun a transaction or written) runs on the
 * one writer connection on this thread, one holder at a time, as SQLite allows one writer.
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import type { SqliteReaders } from './sqlite-readers.ts';

/** First come, first served: who holds the writer connection. */
class WriterLock {
  #held = false;
  readonly #waiting: Array<() => void> = [];

  async acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

/**
 * What Kysely hands out for one query, or for the life of `db.connection()` / a transaction.
 * SELECTs go to the readers until the first statement that must run on the writer; from then on,
 * until released, it holds the writer, so a transaction reads its own uncommitted writes.
 */
class RoutedConnection implements DatabaseConnection {
  readonly #writer: DatabaseConnection;
  readonly #lock: WriterLock;
  readonly #readers: SqliteReaders | null;
  #holding = false;

  constructor(writer: DatabaseConnection, lock: WriterLock, readers: SqliteReaders | null) {
    this.#writer = writer;
    this.#lock = lock;
    this.#readers = readers;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#readers && !this.#holding && SelectQueryNode.is(query.query)) {
      return { rows: (await this.#readers.read(query.sql, query.parameters)) as R[] };
    }
    await this.#hold();
    return this.#writer.executeQuery<R>(query);
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    await this.#hold();
    yield* this.#writer.streamQuery<R>(query, chunkSize);
  }

  async #hold(): Promise<void> {
    if (this.#holding) return;
    await this.#lock.acquire();
    this.#holding = true;
  }

  release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.#lock.release();
  }
}

/** Kysely's SQLite driver around the writer, with connections that route reads to the readers. */
class RoutingDriver implements Driver {
  readonly #base: SqliteDriver;
  readonly #readers: SqliteReaders | null;
  readonly #lock = new WriterLock();
  #writer: DatabaseConnection | undefined;

  constructor(database: SqliteDatabase, readers: SqliteReaders | null) {
    this.#base = new SqliteDriver({ database });
    this.#readers = readers;
  }

  async init(): Promise<void> {
    await this.#base.init();
    // The base driver's one connection over the writer, shared by every RoutedConnection.
    this.#writer = await this.#base.acquireConnection();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this.#writer as DatabaseConnection, this.#lock, this.#readers);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as RoutedConnection).release();
  }

  // BEGIN, COMMIT and savepoints are statements the connection runs on the writer, holding it.
  beginTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#base.beginTransaction(connection);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#base.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#base.rollbackTransaction(connection);
  }

  savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.#base.savepoint(connection, name, compile);
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.#base.rollbackToSavepoint(connection, name, compile);
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.#base.releaseSavepoint(connection, name, compile);
  }

  async destroy(): Promise<void> {
    // The readers stop first, so the writer, closing last, checkpoints the WAL and removes it.
    await this.#readers?.close();
    await this.#base.destroy();
  }
}

/**
 * Kysely's own SQLite adapter makes every query wait for one shared connection; here the driver
 * decides what waits for the writer, so reads on other threads need not.
 */
class RoutingAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/** The dialect over `database` (the writer), with reads on `readers` when there are any. */
export class RoutingSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  readonly #readers: SqliteReaders | null;

  constructor(database: SqliteDatabase, readers: SqliteReaders | null) {
    super({ database });
    this.#database = database;
    this.#readers = readers;
  }

  override createDriver(): Driver {
    return new RoutingDriver(this.#database, this.#readers);
  }

  override createAdapter(): DialectAdapter {
    return new RoutingAdapter();
  }
}
