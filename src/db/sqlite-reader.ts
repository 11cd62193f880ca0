/**
 * A reader thread: one read-only connection to the SQLite file, running the SELECTs the writer's
 * thread hands it, one at a time. Each runs in its own implicit read transaction, so it sees
 * every commit that finished before it started.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS, statementCache } from './sqlite-adapter.ts';

export interface ReaderData {
  path: string;
}

export interface ReadRequest {
  id: number;
  sql: string;
  parameters: readonly unknown[];
}

/** What node:sqlite puts on its errors, carried over to the main thread. */
export interface ReadFailure {
  name: string;
  message: string;
  code?: unknown;
  errcode?: unknown;
  errstr?: unknown;
}

export type ReadReply = { id: number; rows: unknown[] } | { id: number; error: ReadFailure };

const port = parentPort;
if (port) {
  const { path } = workerData as ReaderData;
  // Opening fails here (and the pool hears it as the thread's death) if the file is unreadable.
  const db = new DatabaseSync(path, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
  db.exec('PRAGMA query_only = 1');
  const prepared = statementCache(db);
  port.on('message', ({ id, sql, parameters }: ReadRequest) => {
    let reply: ReadReply;
    try {
      reply = { id, rows: prepared(sql).stmt.all(...(parameters as SQLInputValue[])) };
    } catch (error) {
      const e = error as Error & Omit<ReadFailure, 'name' | 'message'>;
      reply = {
        id,
        error: {
          name: e.name,
          message: e.message,
          code: e.code,
          errcode: e.errcode,
          errstr: e.errstr,
        },
      };
    }
    port.postMessage(reply);
  });
}
