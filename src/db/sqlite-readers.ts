/**
 * The reader threads of an SQLite database: reads outside transactions run here, each on a
 * thread's own read-only connection (WAL lets them run beside the one writer), so a slow query
 * holds a reader, never the event loop. Threads start when reads need them, up to the pool's
 * size; an idle thread does not keep the process alive. Reads beyond the threads wait in a queue
 * of bounded length: past it a read fails at once as unavailable (503), rather than waiting
 * behind more work than the node can do before its clients give up.
 */
import { Worker } from 'node:worker_threads';
import type { ReadFailure, ReaderData, ReadReply, ReadRequest } from './sqlite-reader.ts';

const READER_SCRIPT = new URL('./sqlite-reader.ts', import.meta.url);

/**
 * A read that could not be answered: the pool closed, its thread died (it is replaced for the
 * next read), or the queue was full. The database is unavailable for it, not wrong: 503.
 */
export class ReaderUnavailableError extends Error {
  override name = 'ReaderUnavailableError';
}

export interface ReaderStats {
  /** Reader threads started (idle or busy). */
  threads: number;
  /** Reads running on a thread now. */
  running: number;
  /** Reads waiting for a free thread. */
  queued: number;
  /** Reads refused since the pool started because the queue was full. */
  refused: number;
}

export interface ReadersOptions {
  /** Threads at most. */
  size: number;
  /** Reads that may wait for a thread; one more fails at once. */
  queueLimit: number;
  /** The thread's module: the reader, or a stand-in that tests make fail. */
  script?: URL;
}

interface Read {
  sql: string;
  parameters: readonly unknown[];
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
}

interface Reader {
  worker: Worker;
  read: Read | null;
  /** Whether the thread ever answered: one that dies before it does cannot open the file. */
  answered: boolean;
  failure?: Error;
}

/** Rebuilds the worker's error with the fields `Database` reads (`errcode`, `code`). */
function rebuild(failure: ReadFailure): Error {
  const Kind =
    failure.name === 'RangeError' ? RangeError : failure.name === 'TypeError' ? TypeError : Error;
  const error = new Kind(failure.message);
  for (const key of ['code', 'errcode', 'errstr'] as const) {
    if (failure[key] !== undefined) Object.assign(error, { [key]: failure[key] });
  }
  return error;
}

export class SqliteReaders {
  readonly #path: string;
  readonly #size: number;
  readonly #queueLimit: number;
  readonly #script: URL;
  readonly #readers: Reader[] = [];
  readonly #queue: Read[] = [];
  #nextId = 0;
  #refused = 0;
  #closed = false;

  constructor(path: string, options: ReadersOptions) {
    this.#path = path;
    this.#size = options.size;
    this.#queueLimit = options.queueLimit;
    this.#script = options.script ?? READER_SCRIPT;
  }

  /** The rows of one SELECT, run on a reader thread. */
  read(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new ReaderUnavailableError('the database is closed'));
    // The queue only holds reads while every thread is busy (dispatch empties it otherwise).
    if (this.#queue.length >= this.#queueLimit) {
      this.#refused++;
      return Promise.reject(
        new ReaderUnavailableError(
          `${this.#queue.length} reads are already waiting for an SQLite reader thread`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ sql, parameters, resolve, reject });
      this.#dispatch();
    });
  }

  stats(): ReaderStats {
    let running = 0;
    for (const reader of this.#readers) if (reader.read) running++;
    return {
      threads: this.#readers.length,
      running,
      queued: this.#queue.length,
      refused: this.#refused,
    };
  }

  /**
   * Fails every read in flight or waiting, and stops the threads. A thread inside a statement
   * stops when the statement returns: node:sqlite cannot interrupt one.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = () => new ReaderUnavailableError('the database was closed during the read');
    for (const read of this.#queue.splice(0)) read.reject(closed());
    const stopping = this.#readers.map((reader) => {
      reader.read?.reject(closed());
      reader.read = null;
      return reader.worker.terminate();
    });
    await Promise.all(stopping);
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const reader = this.#readers.find((r) => !r.read) ?? this.#start();
      if (!reader) return;
      const read = this.#queue.shift() as Read;
      const request: ReadRequest = {
        id: this.#nextId++,
        sql: read.sql,
        parameters: read.parameters,
      };
      try {
        reader.worker.postMessage(request);
      } catch (error) {
        // Parameters that cannot be cloned; the main connection would refuse them too.
        read.reject(error as Error);
        continue;
      }
      reader.read = read;
      // A thread waiting on a read keeps the process alive until it answers; an idle one does not.
      reader.worker.ref();
    }
  }

  #start(): Reader | null {
    if (this.#readers.length >= this.#size) return null;
    const data: ReaderData = { path: this.#path };
    const reader: Reader = {
      worker: new Worker(this.#script, { workerData: data }),
      read: null,
      answered: false,
    };
    reader.worker.on('message', (reply: ReadReply) => this.#answer(reader, reply));
    reader.worker.on('error', (error: Error) => {
      reader.failure = error;
    });
    reader.worker.on('exit', (code) => this.#lost(reader, code));
    this.#readers.push(reader);
    return reader;
  }

  #answer(reader: Reader, reply: ReadReply): void {
    const read = reader.read;
    reader.read = null;
    reader.answered = true;
    reader.worker.unref();
    if (read) {
      if ('error' in reply) read.reject(rebuild(reply.error));
      else read.resolve(reply.rows);
    }
    this.#dispatch();
  }

  /** A thread ended: its read fails, and the next read starts a thread in its place. */
  #lost(reader: Reader, code: number): void {
    const index = this.#readers.indexOf(reader);
    if (index >= 0) this.#readers.splice(index, 1);
    if (this.#closed) return;
    const why = reader.failure?.message ?? `exit code ${code}`;
    const lost = () =>
      new ReaderUnavailableError(`an SQLite reader thread stopped: ${why}`, {
        cause: reader.failure,
      });
    reader.read?.reject(lost());
    reader.read = null;
    // A thread that never answered could not open the file: the reads waiting would fail alike.
    if (!reader.answered) for (const read of this.#queue.splice(0)) read.reject(lost());
    this.#dispatch();
  }
}
