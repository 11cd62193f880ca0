/**
 * A graceful stop for the HTTP server. Once draining, a request that arrives (on a connection
 * kept alive from before) is answered 503 with `Connection: close` and `Retry-After`, and the
 * requests already in flight finish with `Connection: close`, so no client reuses a connection
 * that is about to go; `settled()` says when the last of them is done.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import net from 'node:net';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { wantsJson } from './error-handler.ts';
import { PROBLEM_JSON, problem } from './problem.ts';
import { requestId } from './request-log.ts';

/** Seconds a client refused during a stop is asked to wait: another node, or this one restarted. */
const RETRY_AFTER = '5';
/**
 * How long no request must have come before idle connections are closed: a client that just
 * had its answer may be sending the next request on the same connection, and closing under it
 * would reset it; waiting lets it have its 503 instead.
 */
const QUIET_MS = 250;
/** How long a refused request's body may take to arrive before the answer goes anyway. */
const BODY_WAIT_MS = 1000;
/**
 * How long no connection must have been accepted, with no request in flight, before the
 * listening socket closes: as long as idle connections are kept (QUIET_MS), for the same reason.
 * A client whose request was in flight gets `Connection: close` and comes back on a new
 * connection as soon as it has read its answer, which on a loaded machine can take a while; that
 * connection must be accepted (and answered 503), not left queued when the socket closes.
 */
const ACCEPT_QUIET_MS = QUIET_MS;
/** How long `stopListening` keeps the socket open at most while connections keep arriving. */
const MAX_ACCEPT_MS = 1000;

/**
 * Closes the listening socket once no connection has been accepted for ACCEPT_QUIET_MS and
 * `inFlight()` says no request is still being answered (or after MAX_ACCEPT_MS): closing it drops
 * the connections the kernel has already completed and queued for accepting, and their clients,
 * which sent their requests, would read a reset. A busy loop may not accept them for a good part
 * of a second, and the clients of requests in flight come back as soon as they have their
 * answers; accepted, their requests get the drain's 503. Connections already open stay open.
 */
export async function stopListening(
  server: net.Server,
  inFlight: () => number = () => 0,
): Promise<void> {
  const started = performance.now();
  let acceptedAt = started;
  const count = () => void (acceptedAt = performance.now());
  server.on('connection', count);
  try {
    for (;;) {
      // Two turns: the second begins after a poll of the loop, which accepts what is queued.
      await nextTurn();
      await nextTurn();
      const now = performance.now();
      const left = started + MAX_ACCEPT_MS - now;
      const quietFor = now - acceptedAt;
      if (left <= 0 || (quietFor >= ACCEPT_QUIET_MS && inFlight() === 0)) break;
      await sleep(Math.min(Math.max(ACCEPT_QUIET_MS - quietFor, 5), left));
    }
  } finally {
    server.off('connection', count);
  }
  // net.Server's close, not http.Server's: that one would also close idle kept-alive
  // connections, and a request already on its way on one would be reset.
  net.Server.prototype.close.call(server);
}

export class Drain {
  readonly #logger: FastifyBaseLogger;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #inFlight = new Set<ServerResponse>();
  #draining = false;
  #lastRequestAt = 0;
  #waiters: Array<() => void> = [];
  #onStart: Array<() => void> = [];

  /** `headers` go on every refusal (the security headers every answer carries). */
  constructor(logger: FastifyBaseLogger, headers: Readonly<Record<string, string>>) {
    this.#logger = logger;
    this.#headers = headers;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Requests being answered right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The server's request listener: `listener` behind the drain. */
  wrap(listener: RequestListener): RequestListener {
    const inFlight = this.#inFlight;
    // One listener for every response ('close' comes once): no closure made per request.
    const closed = (res: ServerResponse) => {
      inFlight.delete(res);
      if (inFlight.size === 0) this.#wakeWaiters();
    };
    function onClose(this: ServerResponse) {
      closed(this);
    }
    return (req, res) => {
      this.#lastRequestAt = performance.now();
      inFlight.add(res);
      res.on('close', onClose);
      if (this.#draining) this.#refuse(req, res);
      else listener(req, res);
    };
  }

  /**
   * Calls `listener` when the stop begins: answers that never finish on their own (a live event
   * stream) end then, so they do not hold the stop until QUIRE_SHUTDOWN_TIMEOUT.
   */
  onStart(listener: () => void): void {
    this.#onStart.push(listener);
  }

  /** From now on, refuse new requests and close each connection after its current answer. */
  start(): void {
    if (this.#draining) return;
    this.#draining = true;
    for (const res of this.#inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    for (const listener of this.#onStart) listener();
  }

  /**
   * Resolves true once nothing is in flight and no request has come for a moment, or, when
   * `withinMs` runs out first, whether nothing is in flight by then.
   */
  async settled(withinMs: number): Promise<boolean> {
    const deadline = performance.now() + withinMs;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) return this.#inFlight.size === 0;
      if (this.#inFlight.size > 0) {
        await this.#noneInFlight(left);
        continue;
      }
      const quietFor = performance.now() - this.#lastRequestAt;
      if (quietFor >= QUIET_MS) return true;
      await sleep(Math.min(QUIET_MS - quietFor, left));
    }
  }

  #noneInFlight(withinMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve();
      }, withinMs);
      this.#waiters.push(done);
    });
  }

  #wakeWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #refuse(req: IncomingMessage, res: ServerResponse): void {
    const id = requestId(req);
    const p = problem(503, 'unavailable', 'The server is restarting; retry shortly');
    const json = wantsJson({ url: req.url ?? '/', headers: req.headers });
    const body = json
      ? JSON.stringify(p)
      : `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${p.title}</title></head><body><h1>${p.title}</h1><p>${p.detail}</p></body></html>`;
    const answer = () => {
      clearTimeout(cap);
      if (res.headersSent) return;
      res.writeHead(503, {
        ...this.#headers,
        'content-type': json ? PROBLEM_JSON : 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'retry-after': RETRY_AFTER,
        'cache-control': 'no-store',
        connection: 'close',
        'x-request-id': id,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    // The request's body is read (and dropped) before the answer closes the connection: a socket
    // closed with unread data is reset, and the client would lose the 503 with it.
    const cap = setTimeout(answer, BODY_WAIT_MS);
    req.once('end', answer);
    req.resume();
    this.#logger.info(
      { reqId: id, method: req.method, url: req.url, status: 503, ip: req.socket.remoteAddress },
      'request',
    );
  }
}
