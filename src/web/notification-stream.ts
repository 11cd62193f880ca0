/**
 * The live unread count of the header badge: `GET /notifications/stream`, Server-Sent Events for
 * the signed-in reader. A stream sends `event: unread` with the count at once and again whenever
 * it changes: at once for changes made in this process (`onNotificationChange`), and within
 * POLL_MS for changes made on other nodes, by one query per interval for every reader connected
 * here. Streams are bounded per reader and per node, and end when the server begins to stop.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { securityHeaders } from '../http/security-headers.ts';
import { metricsOf } from '../metrics/metrics.ts';
import { liveSessions } from '../modules/auth/sessions.ts';
import {
  onNotificationChange,
  unreadCounts,
} from '../modules/notifications/notifications.service.ts';

/** How often the counts of the readers connected here are read, for changes made elsewhere. */
export const POLL_MS = 5_000;
/** A comment line this often keeps proxies and browsers from closing a quiet stream. */
export const KEEP_ALIVE_MS = 25_000;
/** Streams one reader may hold open on a node (tabs); more are refused with a 429. */
export const STREAMS_PER_READER = 5;
/** Streams a node holds open at most; more are refused with a 503. */
export const STREAMS_PER_NODE = 1000;
/** Readers per query of the poll. */
const POLL_BATCH = 500;
/** How long a browser waits before it reconnects a stream that ended (ms). */
const RECONNECT_MS = 10_000;

interface Stream {
  userId: number;
  /** The session it was opened with: a stream ends when that session does. */
  session: string | null;
  res: ServerResponse;
}

export class NotificationStreams {
  readonly #ctx: AppContext;
  readonly #byUser = new Map<number, Set<Stream>>();
  /** The count each connected reader was last sent. */
  readonly #sent = new Map<number, number>();
  #open = 0;
  #poll: NodeJS.Timeout | null = null;
  #keepAlive: NodeJS.Timeout | null = null;
  #polling = false;
  #pending = new Set<number>();
  #flushing = false;
  #closed = false;
  readonly #unlisten: () => void;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#unlisten = onNotificationChange(ctx, (ids) => this.#changed(ids));
  }

  get open(): number {
    return this.#open;
  }

  /** Why a new stream for this reader cannot open now, or null. */
  refusal(userId: number): AppError | null {
    if (this.#closed) return new AppError('unavailable', 'The server is stopping; retry shortly');
    if ((this.#byUser.get(userId)?.size ?? 0) >= STREAMS_PER_READER)
      return new AppError('rate_limited', 'Too many live streams open for this account', {
        retryAfter: 60,
      });
    if (this.#open >= STREAMS_PER_NODE)
      return new AppError('unavailable', 'Too many live streams open; retry shortly', {
        retryAfter: 30,
      });
    return null;
  }

  /** Starts a stream on a response whose headers are not yet sent. */
  async add(
    userId: number,
    session: string | null,
    res: ServerResponse,
    headers: Record<string, string | number>,
  ): Promise<void> {
    const stream: Stream = { userId, session, res };
    let streams = this.#byUser.get(userId);
    if (!streams) {
      streams = new Set();
      this.#byUser.set(userId, streams);
    }
    streams.add(stream);
    this.#setOpen(this.#open + 1);
    res.once('close', () => this.#remove(stream));
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'private, no-store',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${RECONNECT_MS}\n\n`);
    this.#startTimers();
    try {
      const count = (await unreadCounts(this.#ctx, [userId])).get(userId) ?? 0;
      this.#sent.set(userId, count);
      this.#send(stream, count);
    } catch (error) {
      this.#ctx.logger.warn({ err: error }, 'notification stream: could not read the count');
      res.end();
    }
  }

  /** Ends every stream (the server is stopping) and stops listening. */
  close(): void {
    this.#closed = true;
    this.#unlisten();
    for (const streams of this.#byUser.values()) for (const s of streams) s.res.end();
    this.#stopTimers();
  }

  #setOpen(open: number): void {
    this.#open = open;
    metricsOf(this.#ctx).notificationStreams(open);
  }

  #remove(stream: Stream): void {
    const streams = this.#byUser.get(stream.userId);
    if (!streams?.delete(stream)) return;
    this.#setOpen(this.#open - 1);
    if (streams.size === 0) {
      this.#byUser.delete(stream.userId);
      this.#sent.delete(stream.userId);
    }
    if (this.#open === 0) this.#stopTimers();
  }

  #send(stream: Stream, count: number): void {
    if (!stream.res.writableEnded) stream.res.write(`event: unread\ndata: ${count}\n\n`);
  }

  #startTimers(): void {
    if (this.#poll) return;
    this.#poll = setInterval(() => void this.#refresh([...this.#byUser.keys()], true), POLL_MS);
    this.#keepAlive = setInterval(() => {
      for (const streams of this.#byUser.values())
        for (const s of streams) if (!s.res.writableEnded) s.res.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    this.#poll.unref();
    this.#keepAlive.unref();
  }

  #stopTimers(): void {
    if (this.#poll) clearInterval(this.#poll);
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#poll = null;
    this.#keepAlive = null;
  }

  /** Changes made here: the readers connected are read again at once, together. */
  #changed(ids: readonly number[]): void {
    for (const id of ids) if (this.#byUser.has(id)) this.#pending.add(id);
    if (this.#pending.size === 0 || this.#flushing) return;
    this.#flushing = true;
    setImmediate(() => {
      const due = [...this.#pending];
      this.#pending.clear();
      void this.#refresh(due, false).finally(() => {
        this.#flushing = false;
        if (this.#pending.size > 0) this.#changed([]);
      });
    });
  }

  /** Ends the streams whose session was signed out (on any node) or expired since they opened. */
  async #endSignedOut(): Promise<void> {
    const all = [...this.#byUser.values()].flatMap((streams) => [...streams]);
    const sessions = [...new Set(all.flatMap((s) => (s.session === null ? [] : [s.session])))];
    for (let i = 0; i < sessions.length; i += POLL_BATCH) {
      const batch = sessions.slice(i, i + POLL_BATCH);
      const live = await liveSessions(this.#ctx, batch);
      const gone = new Set(batch.filter((session) => !live.has(session)));
      for (const stream of all) if (stream.session && gone.has(stream.session)) stream.res.end();
    }
  }

  /** Reads the counts of these readers and sends those that changed. */
  async #refresh(userIds: number[], poll: boolean): Promise<void> {
    if (poll) {
      // A poll still running (a slow database) is not stacked with another.
      if (this.#polling) return;
      this.#polling = true;
    }
    try {
      if (poll) await this.#endSignedOut();
      for (let i = 0; i < userIds.length; i += POLL_BATCH) {
        const counts = await unreadCounts(this.#ctx, userIds.slice(i, i + POLL_BATCH));
        for (const [userId, count] of counts) {
          const streams = this.#byUser.get(userId);
          if (!streams || this.#sent.get(userId) === count) continue;
          this.#sent.set(userId, count);
          for (const s of streams) this.#send(s, count);
        }
      }
    } catch (error) {
      this.#ctx.logger.warn({ err: error }, 'notification stream: could not read the counts');
    } finally {
      if (poll) this.#polling = false;
    }
  }
}

/** The stream route, with the streams ended when the server stops or closes. */
export function notificationStreamRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const streams = new NotificationStreams(ctx);
    const security = securityHeaders(ctx.config);
    // A stream never ends on its own: it must not hold a graceful stop until its deadline.
    app.drain.onStart(() => streams.close());
    app.addHook('preClose', async () => streams.close());

    app.get('/notifications/stream', { schema: { hide: true } }, async (request, reply) => {
      const user = request.user;
      if (!user) throw new AppError('unauthorized', 'Sign in to follow your notifications');
      const refused = streams.refusal(user.id);
      if (refused) throw refused;
      const headers: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (typeof value === 'string' || typeof value === 'number') headers[name] = value;
      // The answer is written here, past Fastify's onSend hooks: the headers they add go here.
      reply.hijack();
      request.raw.socket.setNoDelay(true);
      await streams.add(user.id, request.sessionToken, reply.raw, { ...headers, ...security });
      return reply;
    });
  };
}
