/**
 * Prepares feed items on worker threads, in order. Converting HTML and rendering Markdown is
 * the costly part of an import; the main thread meanwhile writes the previous batch.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ParsedItem } from '../../feeds/parsed.ts';
import { type Prepared, type PrepareOptions, prepareItem } from './prepare-item.ts';
import type { PrepareRequest } from './prepare-worker.ts';

type Reply = { id: number; results: Prepared[] } | { id: number; error: string };

export interface Preparer {
  prepare(items: ParsedItem[]): Promise<Prepared[]>;
  close(): Promise<void>;
}

/** Prepares on this thread: for small feeds, where starting workers would cost more. */
export function inlinePreparer(options: PrepareOptions): Preparer {
  return {
    prepare: async (items) => items.map((item) => prepareItem(item, options)),
    close: async () => {},
  };
}

const WORKER_SCRIPT = new URL('./prepare-worker.ts', import.meta.url);
const POOL_SIZE = Math.min(availableParallelism(), 4);
/** How long threads started ahead of need wait to be taken before they stop. */
const SPARE_LIFETIME_MS = 30_000;

/** Threads started ahead of need; the next pool takes them instead of starting its own. */
const spare: Worker[] = [];

/**
 * Starts the converting threads while a big feed is still being parsed, so that loading their
 * modules overlaps the parse. They do not keep the process alive, and stop if no import takes
 * them soon.
 */
export function startWorkersEarly(): void {
  if (POOL_SIZE < 2 || spare.length > 0) return;
  for (let i = 0; i < POOL_SIZE; i++) {
    const worker = new Worker(WORKER_SCRIPT);
    worker.unref();
    spare.push(worker);
  }
  setTimeout(() => {
    for (const worker of spare.splice(0)) void worker.terminate();
  }, SPARE_LIFETIME_MS).unref();
}

/** Workers start at the first batch with new items, so a rerun that skips everything starts none. */
export function workerPreparer(options: PrepareOptions, size = POOL_SIZE): Preparer {
  const workers: Worker[] = [];
  const pending = new Map<
    number,
    { resolve: (r: Prepared[]) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  const listen = (worker: Worker) => {
    worker.on('message', (reply: Reply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) waiter?.reject(new Error(`preparing items failed: ${reply.error}`));
      else waiter?.resolve(reply.results);
    });
    worker.on('error', (error: Error) => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
    return worker;
  };
  const ask = (worker: Worker, items: ParsedItem[]) =>
    new Promise<Prepared[]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const request: PrepareRequest = { id, items, options };
      worker.postMessage(request);
    });
  return {
    async prepare(items) {
      if (items.length === 0) return [];
      while (workers.length < size) {
        const early = spare.pop();
        early?.ref();
        workers.push(listen(early ?? new Worker(WORKER_SCRIPT)));
      }
      const share = Math.ceil(items.length / workers.length);
      const parts = workers.map((worker, i) =>
        ask(worker, items.slice(i * share, (i + 1) * share)),
      );
      return (await Promise.all(parts)).flat();
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
