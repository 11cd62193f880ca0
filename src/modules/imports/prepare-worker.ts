/** A worker thread that prepares feed items, so conversion runs on every core during an import. */
import { parentPort } from 'node:worker_threads';
import type { ParsedItem } from '../../feeds/parsed.ts';
import { type PrepareOptions, prepareItem } from './prepare-item.ts';

export interface PrepareRequest {
  id: number;
  items: ParsedItem[];
  options: PrepareOptions;
}

parentPort?.on('message', (request: PrepareRequest) => {
  try {
    const results = request.items.map((item) => prepareItem(item, request.options));
    parentPort?.postMessage({ id: request.id, results });
  } catch (error) {
    parentPort?.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
