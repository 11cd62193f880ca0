/**
 * A webhook receiver for delivery tests: a real node:http server on 127.0.0.1 that records every
 * request (headers, raw body, arrival time, what it answered) and answers from a script: queued
 * answers first, one per request, then a default (200 unless told otherwise).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Milliseconds to hold the request before answering. */
  delayMs?: number;
  /** Never answer: the request stays open until the client gives up or the receiver closes. */
  hold?: boolean;
}

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The raw body, exactly as sent. */
  body: string;
  /** When the whole body had arrived, on this process's `performance.now()` scale. */
  arrivedAt: number;
  /** The same moment on the wall clock (ms since the epoch). */
  arrivedAtWall: number;
  /** The status this receiver answers with; 0 for a held request. */
  answeredStatus: number;
  /** True once the answer is written; false while held, or if the client gave up first. */
  answered: boolean;
}

export interface WaitOptions {
  path?: string;
  where?: (request: ReceivedRequest) => boolean;
  timeoutMs?: number;
}

export type Script = Answer | ((request: ReceivedRequest) => Answer);

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** Every request, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** An absolute URL on this receiver. */
  url(path: string): string;
  /** Requests to one path. */
  hits(path: string): ReceivedRequest[];
  /** Answers the next requests with these, in order (whatever their path). */
  enqueue(...answers: Answer[]): void;
  /** The answer once the queue is empty: a fixed one, or one chosen per request. */
  answerWith(script: Script): void;
  /**
   * Resolves with the matching requests once at least `count` have arrived (optionally only
   * those to one path, or those `where` accepts); fails with what did arrive after `timeoutMs`
   * (default 5 s).
   */
  waitFor(count: number, options?: WaitOptions): Promise<ReceivedRequest[]>;
  /**
   * Resolves once `condition` holds for the requests so far (checked at each arrival and each
   * answer); fails after `timeoutMs` (default 5 s), saying what was awaited and what arrived.
   */
  until(
    condition: (requests: ReceivedRequest[]) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<void>;
  close(): Promise<void>;
}

interface Waiter {
  done(): boolean;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function summary(requests: ReceivedRequest[]): string {
  const shown = requests
    .slice(-5)
    .map(
      (r) => `${r.method} ${r.path} id=${r.headers['webhook-id'] ?? '-'} -> ${r.answeredStatus}`,
    );
  return shown.length === 0 ? 'none' : `${requests.length}, the last: ${shown.join('; ')}`;
}

/** Starts a receiver; `port` reuses a known port (e.g. one that was closed during an outage). */
export async function startReceiver(options: { port?: number } = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const queue: Answer[] = [];
  let script: Script = { status: 200 };
  const waiters = new Set<Waiter>();
  const timers = new Set<NodeJS.Timeout>();

  const settleWaiters = () => {
    for (const waiter of waiters) if (waiter.done()) waiters.delete(waiter);
  };

  const reply = (res: ServerResponse, received: ReceivedRequest, answer: Answer) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status ?? 200, {
      'content-type': 'text/plain',
      ...answer.headers,
    });
    res.end(answer.body ?? '');
    received.answered = true;
    settleWaiters();
  };

  const server = createServer((req, res) => {
    // A client that gives up (a timeout, a killed process) is expected here.
    res.on('error', () => {});
    req.on('error', () => {});
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: flatHeaders(req),
        body: Buffer.concat(chunks).toString('utf8'),
        arrivedAt: performance.now(),
        arrivedAtWall: Date.now(),
        answeredStatus: 0,
        answered: false,
      };
      const answer = queue.shift() ?? (typeof script === 'function' ? script(received) : script);
      received.answeredStatus = answer.hold ? 0 : (answer.status ?? 200);
      requests.push(received);
      settleWaiters();
      if (answer.hold) return;
      if (!answer.delayMs) {
        reply(res, received, answer);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply(res, received, answer);
      }, answer.delayMs);
      timers.add(timer);
      res.on('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const until = (holds: () => boolean, what: () => string, timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        done() {
          if (!holds()) return false;
          clearTimeout(timer);
          resolve();
          return true;
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`receiver ${origin}: waited ${timeoutMs} ms for ${what()}`));
      }, timeoutMs);
      if (!waiter.done()) waiters.add(waiter);
    });
  const matching = (path?: string, where?: (request: ReceivedRequest) => boolean) =>
    requests.filter((r) => (path === undefined || r.path === path) && (!where || where(r)));

  return {
    origin,
    port,
    requests,
    url: (path) => origin + path,
    hits: (path) => matching(path),
    enqueue: (...answers) => queue.push(...answers),
    answerWith: (next) => {
      script = next;
    },
    waitFor(count, { path, where, timeoutMs = 5000 } = {}) {
      const target = path === undefined ? '' : ` to ${path}`;
      return until(
        () => matching(path, where).length >= count,
        () =>
          `${count} matching requests${target}; got ${matching(path, where).length} (all${target}: ${summary(matching(path))})`,
        timeoutMs,
      ).then(() => matching(path, where));
    },
    until: (condition, what, timeoutMs) =>
      until(
        () => condition(requests),
        () => `${what}; got ${summary(requests)}`,
        timeoutMs,
      ),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
