/**
 * Serves responses that are already cached and current straight from the HTTP server, before
 * the framework's routing and hooks: a hot feed costs a map lookup and a write. Anything else
 * (a miss, a stale version, a server that is closing) falls through to Fastify unchanged.
 *
 * The routes it serves, as app.ts wires them (each route file says so too):
 * - feeds: `/feed` and `/rss` (and their `.atom` and `.json`), `/feed/:file` (an author's) and
 *   `/feed/tag/:file` (a tag's), with `?page=N`: modules/feeds/feeds.routes.ts, keyed by
 *   modules/feeds/feed-urls.ts;
 * - public pages for requests without a session: `/`, `/t/:tag`, `/:username` and
 *   `/:username/:slug`, with `?page=N`: web/web.routes.ts, keyed by web/page.ts;
 * - the public API's anonymous reads (lists, one article, tags, users), each counted against the
 *   API's rate limit: http/api-cache.ts;
 * - search answers, from the cache of search answers: `/api/search` as the API's reads are, and
 *   `/search` for requests without a session, keyed by modules/search/search-keys.ts.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AppContext } from '../context.ts';
import { metricsOf } from '../metrics/metrics.ts';
import { answerFromCache, type CachePolicy, chooseEncoding, headerText } from './conditional.ts';
import { requestId } from './request-log.ts';
import type { ResponseCache } from './response-cache.ts';
import { securityHeaders } from './security-headers.ts';

export interface FastRoute {
  /** The cache key for this URL, or null when the route does not serve it. */
  key(url: string, request: IncomingMessage): string | null;
  /**
   * The route template Fastify would have matched for a URL this route serves (`/feed/:file`),
   * given the URL and the key worked out for it, so requests answered here count under the
   * same label as those answered there.
   */
  route(url: string, key: string): string;
  policy: CachePolicy;
  /**
   * Lets a request be answered here, or not (null: Fastify answers it, as when the client is
   * over a rate limit); the headers to add when it is.
   */
  admit?(req: IncomingMessage): string[] | null;
  /** Where its entries are, when not in the fast path's cache (search answers have their own). */
  cache?: ResponseCache;
}

export interface FastPath {
  /** The server's request listener: the fast path, then `handler` for what it does not serve. */
  listener(handler: RequestListener): RequestListener;
  close(): void;
}

export function fastPath(ctx: AppContext, cache: ResponseCache, routes: FastRoute[]): FastPath {
  let closing = false;
  const security = Object.entries(securityHeaders(ctx.config)).flat();
  const metrics = metricsOf(ctx);
  // The request line is built only when it is written (LOG_LEVEL info or below).
  const logsRequests = ['trace', 'debug', 'info'].includes(ctx.logger.level);

  const tryServe = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (closing || (req.method !== 'GET' && req.method !== 'HEAD') || !req.url) return false;
    // Events not yet applied may have dropped the entry: Fastify's path reads them first.
    if (ctx.eventHead.peek() === null) return false;
    for (const route of routes) {
      const key = route.key(req.url, req);
      if (key === null) continue;
      // Only a hit is counted here: a miss goes on to Fastify, whose lookup counts it.
      const now = ctx.clock.now().getTime();
      const entry = (route.cache ?? cache).lookup(
        key,
        now,
        chooseEncoding(headerText(req.headers['accept-encoding'])),
      );
      if (!entry) return false;
      const started = performance.now();
      const admitted = route.admit ? route.admit(req) : [];
      if (admitted === null) return false;
      const id = requestId(req);
      const answer = answerFromCache(entry, req, route.policy, true, now);
      const headers = answer.headers;
      headers.push(...security, ...admitted, 'x-request-id', id);
      res.writeHead(answer.status, headers);
      res.end(req.method === 'HEAD' ? undefined : (answer.body ?? undefined));
      const ms = performance.now() - started;
      metrics.request(req.method, route.route(req.url, key), answer.status, ms / 1000);
      if (logsRequests)
        ctx.logger.info(
          {
            reqId: id,
            method: req.method,
            url: req.url,
            status: answer.status,
            ms: Math.round(ms * 10) / 10,
            ip: req.socket.remoteAddress,
          },
          'request',
        );
      return true;
    }
    return false;
  };

  return {
    listener: (handler) => (req, res) => {
      if (!tryServe(req, res)) handler(req, res);
    },
    close: () => {
      closing = true;
    },
  };
}
