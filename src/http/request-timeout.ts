/**
 * A request still running after QUIRE_REQUEST_TIMEOUT is answered 503 with Retry-After, so a
 * database that stopped answering never holds a client longer than that. The work itself goes
 * on (a write may still commit); only the answer is given up. Routes that fetch a remote feed
 * take longer on purpose and say so in their config.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's own limit, in milliseconds, in place of QUIRE_REQUEST_TIMEOUT. */
    requestTimeoutMs?: number;
  }
}

/** For routes that fetch a feed (up to 20 s) and import it: the fetch plus the writes. */
export const FEED_FETCH_ROUTE = { requestTimeoutMs: 120_000 };

export function installRequestTimeout(
  app: FastifyInstance,
  defaultMs: number,
  retryAfter: number,
): void {
  const timers = new WeakMap<object, NodeJS.Timeout>();
  const clear = async (request: object) => {
    clearTimeout(timers.get(request));
    timers.delete(request);
  };
  app.addHook('onRequest', async (request, reply) => {
    const ms = request.routeOptions.config.requestTimeoutMs ?? defaultMs;
    const timer = setTimeout(() => {
      if (reply.sent) return;
      request.log.warn({ ms }, 'request timed out');
      void reply.send(
        new AppError('unavailable', 'The request took too long; retry shortly', { retryAfter }),
      );
    }, ms);
    timers.set(request, timer);
  });
  app.addHook('onResponse', clear);
  app.addHook('onRequestAbort', clear);
}
