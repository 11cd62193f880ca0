/**
 * A feed publisher for import tests: a node:http server on 127.0.0.1 that serves documents,
 * records every request with its conditional headers, and can answer 304, redirect, stall or
 * stream a body far larger than anything worth holding in memory.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
  userAgent: string | null;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Document {
  body: string | Buffer;
  type: string;
  etag?: string;
  lastModified?: string;
}

export interface FeedServer {
  origin: string;
  /** Every request, in arrival order. */
  requests: SeenRequest[];
  url(path: string): string;
  /** Requests to one path (query included). */
  hits(path: string): SeenRequest[];
  on(path: string, handler: Handler): void;
  /** Serves a document, answering 304 when the request's validators still match. */
  serve(path: string, doc: Document): void;
  /** Answers with a redirect to `location` (absolute or relative). */
  redirect(path: string, location: string, status?: number): void;
  close(): Promise<void>;
}

const FIXTURES = new URL('../fixtures/feeds/', import.meta.url);

/** A fixture's bytes exactly as stored. */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

export const RSS = 'application/rss+xml; charset=utf-8';
export const ATOM = 'application/atom+xml; charset=utf-8';
export const JSON_FEED = 'application/feed+json; charset=utf-8';
export const HTML = 'text/html; charset=utf-8';

/** True when a conditional GET may be answered 304 (RFC 9110: If-None-Match wins). */
function notModified(req: IncomingMessage, doc: Document): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    return (
      doc.etag !== undefined &&
      inm.split(',').some((tag) => tag.trim() === doc.etag || tag.trim() === '*')
    );
  }
  const ims = req.headers['if-modified-since'];
  if (ims !== undefined && doc.lastModified !== undefined) {
    return Date.parse(doc.lastModified) <= Date.parse(ims);
  }
  return false;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Handler>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({
      method: req.method ?? 'GET',
      path,
      ifNoneMatch: req.headers['if-none-match'] ?? null,
      ifModifiedSince: req.headers['if-modified-since'] ?? null,
      userAgent: req.headers['user-agent'] ?? null,
    });
    // A client that hangs up mid-body is expected (size caps); it must not crash the test.
    res.on('error', () => {});
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such document');
      return;
    }
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    url: (path) => origin + path,
    hits: (path) => requests.filter((r) => r.path === path),
    on: (path, handler) => routes.set(path, handler),
    serve(path, doc) {
      routes.set(path, (req, res) => {
        const headers: Record<string, string> = { 'content-type': doc.type };
        if (doc.etag !== undefined) headers.etag = doc.etag;
        if (doc.lastModified !== undefined) headers['last-modified'] = doc.lastModified;
        if (notModified(req, doc)) {
          res.writeHead(304, headers).end();
          return;
        }
        res.writeHead(200, headers).end(doc.body);
      });
    },
    redirect(path, location, status = 302) {
      routes.set(path, (_req, res) => {
        res.writeHead(status, { location }).end();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An RSS 2.0 document around the given <item> elements. */
export function rssFeed(items: string[], channelExtra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Test feed</title>
    <link>https://blog.example.com/</link>
    <description>Items for import tests</description>${channelExtra}
${items.join('\n')}
  </channel>
</rss>
`;
}

export interface ItemFields {
  title: string;
  link?: string;
  guid?: string;
  date?: string;
  categories?: string[];
  /** HTML content; escaped into <description>. */
  html?: string;
}

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function rssItem(f: ItemFields): string {
  const parts = [`<title>${xmlText(f.title)}</title>`];
  if (f.link !== undefined) parts.push(`<link>${xmlText(f.link)}</link>`);
  if (f.guid !== undefined) parts.push(`<guid isPermaLink="false">${xmlText(f.guid)}</guid>`);
  if (f.date !== undefined) parts.push(`<pubDate>${f.date}</pubDate>`);
  for (const c of f.categories ?? []) parts.push(`<category>${xmlText(c)}</category>`);
  if (f.html !== undefined) parts.push(`<description>${xmlText(f.html)}</description>`);
  return `    <item>\n      ${parts.join('\n      ')}\n    </item>`;
}
