/** Items prepared on worker threads come back in order and equal to those prepared inline. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseFeedDocument } from '../../src/feeds/parse/parse-feed.ts';
import { inlinePreparer, workerPreparer } from '../../src/modules/imports/prepare-pool.ts';

const bytes = new Uint8Array(
  readFileSync(new URL('../fixtures/feeds/dev-author.xml', import.meta.url)),
);
const doc = parseFeedDocument(bytes, { url: 'https://dev.example.test/feed/mira' });

test('worker and inline preparation agree, item for item', async () => {
  assert.equal(doc.kind, 'feed');
  if (doc.kind !== 'feed') return;
  // Many copies, so each of the workers gets a share and order across shares is exercised.
  const items = Array.from({ length: 12 }, (_, i) =>
    doc.feed.items.map((item) => ({ ...item, title: `${i} ${item.title}` })),
  ).flat();
  const options = { publish: true, canonical: true };
  const inline = await inlinePreparer(options).prepare(items);
  const pool = workerPreparer(options, 3);
  try {
    const pooled = await pool.prepare(items);
    assert.equal(pooled.length, items.length);
    assert.deepEqual(pooled, inline);
    const first = pooled[0];
    assert.ok(first && 'ok' in first && first.ok.changes.title.startsWith('0 '));
  } finally {
    await pool.close();
  }
});
