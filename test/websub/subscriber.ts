/**
 * A WebSub subscriber for tests: a real HTTP server on 127.0.0.1 that answers verification GETs
 * (by echoing the challenge, or as told per callback path) and records every content delivery.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VerificationSeen {
  path: string;
  params: URLSearchParams;
}

export interface DeliverySeen {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** performance.now() when the whole body had arrived. */
  at: number;
}

/** How a callback answers a verification: echo the challenge, echo something else, or a status. */
export type VerifyAnswer = 'echo' | 'wrong' | number;

export interface Subscriber {
  callback(path: string): string;
  verifications: VerificationSeen[];
  deliveries: DeliverySeen[];
  /** Everything the server was asked, verification or not. */
  requests(): number;
  setVerify(path: string, answer: VerifyAnswer): void;
  /** The status content deliveries to `path` get (202 unless set). */
  setDeliveryStatus(path: string, status: number): void;
  /** Resolves with the next delivery to `path`, or rejects after `timeoutMs`. */
  nextDelivery(path: string, timeoutMs?: number): Promise<DeliverySeen>;
  deliveriesTo(path: string): DeliverySeen[];
  close(): Promise<void>;
}

export async function startSubscriber(): Promise<Subscriber> {
  const verifications: VerificationSeen[] = [];
  const deliveries: DeliverySeen[] = [];
  const verifyAnswers = new Map<string, VerifyAnswer>();
  const deliveryStatus = new Map<string, number>();
  const waiters: { path: string; resolve: (d: DeliverySeen) => void }[] = [];
  let count = 0;

  const server: Server = createServer((req, res) => {
    count++;
    const url = new URL(req.url ?? '/', 'http://subscriber.test');
    if (req.method === 'GET') {
      verifications.push({ path: url.pathname, params: url.searchParams });
      const answer = verifyAnswers.get(url.pathname) ?? 'echo';
      const challenge = url.searchParams.get('hub.challenge') ?? '';
      // A redirect points at a path that would echo: following it would be a mistake to catch.
      const location = { location: `${url.pathname}-target${url.search}` };
      if (typeof answer === 'number') res.writeHead(answer, location).end(challenge);
      else res.writeHead(200).end(answer === 'echo' ? challenge : `${challenge}x`);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = {
        path: url.pathname,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: performance.now(),
      };
      deliveries.push(seen);
      res.writeHead(deliveryStatus.get(url.pathname) ?? 202).end();
      for (const waiter of waiters.filter((w) => w.path === seen.path)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(seen);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    callback: (path) => `${base}${path}`,
    verifications,
    deliveries,
    requests: () => count,
    setVerify: (path, answer) => verifyAnswers.set(path, answer),
    setDeliveryStatus: (path, status) => deliveryStatus.set(path, status),
    deliveriesTo: (path) => deliveries.filter((d) => d.path === path),
    nextDelivery(path, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no delivery to ${path} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          path,
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
