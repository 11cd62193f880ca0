/**
 * For the webhooks API and CLI tests: a receiver (a node:http server on 127.0.0.1 that keeps
 * every request and answers each path from its own queue of answers, then with its standing
 * answer, 200 unless told otherwise).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export { drainAll } from '../helpers/dispatch.ts';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SinkAnswer {
  status: number;
  body?: string;
}

export interface Sink {
  url(path: string): string;
  readonly received: Received[];
  /** Requests to one path. */
  to(path: string): Received[];
  /** Answers the next requests to `path` with these, in order. */
  answer(path: string, ...answers: SinkAnswer[]): void;
  /** The answer to `path` once its queue is empty. */
  otherwise(path: string, answer: SinkAnswer): void;
  /** Resolves once `count` requests reached `path`; fails after `timeoutMs` with what came. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const received: Received[] = [];
  const queues = new Map<string, SinkAnswer[]>();
  const standing = new Map<string, SinkAnswer>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const path = request.url ?? '';
      received.push({
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const next = queues.get(path)?.shift() ?? standing.get(path) ?? { status: 200, body: 'ok' };
      response.writeHead(next.status, { 'content-type': 'text/plain' });
      response.end(next.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const to = (path: string) => received.filter((r) => r.path === path);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    to,
    answer: (path, ...answers) => queues.set(path, [...(queues.get(path) ?? []), ...answers]),
    otherwise: (path, answer) => standing.set(path, answer),
    async waitFor(path, count, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (to(path).length < count) {
        if (Date.now() > until)
          throw new Error(`expected ${count} requests to ${path}, got ${to(path).length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return to(path);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
