/**
 * For the webhooks API and CLI tests: the delivery receiver of test/helpers/receiver.ts, with a
 * queue of answers per path (then a standing answer per path, 200 unless told otherwise).
 */
import { type Answer, type ReceivedRequest, startReceiver } from '../helpers/receiver.ts';

export { drainAll } from '../helpers/dispatch.ts';

export type Received = ReceivedRequest;

export interface Sink {
  url(path: string): string;
  readonly received: Received[];
  /** Requests to one path. */
  to(path: string): Received[];
  /** Answers the next requests to `path` with these, in order. */
  answer(path: string, ...answers: Answer[]): void;
  /** The answer to `path` once its queue is empty. */
  otherwise(path: string, answer: Answer): void;
  /** Resolves once `count` requests reached `path`; fails after `timeoutMs` with what came. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const receiver = await startReceiver();
  const queues = new Map<string, Answer[]>();
  const standing = new Map<string, Answer>();
  receiver.answerWith(
    (request) =>
      queues.get(request.path)?.shift() ??
      standing.get(request.path) ?? { status: 200, body: 'ok' },
  );
  return {
    url: (path) => receiver.url(path),
    received: receiver.requests,
    to: (path) => receiver.hits(path),
    answer: (path, ...answers) => queues.set(path, [...(queues.get(path) ?? []), ...answers]),
    otherwise: (path, answer) => standing.set(path, answer),
    waitFor: (path, count, timeoutMs) => receiver.waitFor(count, { path, timeoutMs }),
    close: () => receiver.close(),
  };
}
