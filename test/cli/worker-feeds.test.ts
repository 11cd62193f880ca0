/**
 * Feed polling is one of the background jobs: a `quire serve` with QUIRE_DISPATCHER=0 polls no
 * saved feed source, however long it runs, and the `quire worker` beside it polls a due one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve, worker } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { processSetup } from '../helpers/quire-process.ts';
import { type FeedServer, fixture, JSON_FEED, startFeedServer } from '../imports/feed-server.ts';

let db: TestDatabase;
let feeds: FeedServer;

before(async () => {
  db = await createTestDatabase();
  feeds = await startFeedServer();
});
after(async () => {
  await feeds.close();
  await db.drop();
});

interface SourceJson {
  id: number;
  last_status: string | null;
  last_log: { imported: number } | null;
}

test('the worker polls a due feed source; a node with QUIRE_DISPATCHER=0 does not', async () => {
  const setup = await processSetup(db.url, 'followed', { QUIRE_DISPATCH_POLL: '1' });
  feeds.serve('/followed.json', { body: fixture('json-feed-1.1.json'), type: JSON_FEED });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${setup.base}${path}`, {
      ...init,
      headers: { 'api-key': setup.key, 'content-type': 'application/json' },
    });
  const web = await serve({ ...setup.env, QUIRE_DISPATCHER: '0' });
  try {
    const added = await api('/api/feed_sources', {
      method: 'POST',
      body: JSON.stringify({ url: feeds.url('/followed.json') }),
    });
    assert.equal(added.status, 201, await added.clone().text());
    const { id } = (await added.json()) as SourceJson;
    const source = async () =>
      ((await (await api('/api/feed_sources')).json()) as SourceJson[]).find((s) => s.id === id);

    // Due at once, and a dispatcher would look every second: three looks' worth of time.
    await sleep(3000);
    assert.equal(feeds.hits('/followed.json').length, 0, 'the web node polled nothing');
    assert.equal((await source())?.last_status, null);

    const background = await worker(setup.env);
    try {
      // Waiting for an outcome, not measuring time: the bound only keeps a failure from hanging.
      for (let i = 0; i < 300 && (await source())?.last_status === null; i++) await sleep(100);
      const polled = await source();
      assert.equal(polled?.last_status, 'ok');
      assert.equal(polled?.last_log?.imported, 2);
      assert.equal(feeds.hits('/followed.json').length, 1);
      const mine = (await (await api('/api/articles/me/all')).json()) as Array<{ title: string }>;
      assert.deepEqual(mine.map((a) => a.title).sort(), [
        'Constant folding in forty lines',
        'SSA by hand',
      ]);
    } finally {
      background.child.kill('SIGTERM');
    }
    assert.equal(await background.exited, 0, 'the worker stops cleanly');
  } finally {
    web.child.kill('SIGTERM');
  }
  assert.equal(await web.exited, 0);
});
