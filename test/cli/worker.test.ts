/**
 * `quire worker` beside a `quire serve` that runs no dispatcher: the worker stays up until it is
 * told to stop, delivers the webhook of an article published through the server, and stops
 * cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve, worker } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { addWebhook, processSetup, publish } from '../helpers/quire-process.ts';

let db: TestDatabase;
let receiver: Receiver;

before(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await db.drop();
});

test('the worker runs until SIGTERM and delivers what the server publishes', async () => {
  const setup = await processSetup(db.url, 'worked', { QUIRE_DISPATCH_POLL: '1' });
  const env = setup.env;
  const web = await serve({ ...env, QUIRE_DISPATCHER: '0' });
  const dispatcher = await worker(env);
  let workerExit: number | null | undefined;
  void dispatcher.exited.then((code) => (workerExit = code));
  try {
    await addWebhook(setup, receiver.url('/hook'));
    // Long enough for a worker that nothing keeps alive to have exited.
    await sleep(1500);
    assert.equal(workerExit, undefined, 'the worker is still running');

    const res = await publish(setup, 'Delivered by the worker');
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: number };
    const [delivery] = await receiver.waitFor(1, { path: '/hook', timeoutMs: 15_000 });
    const payload = JSON.parse(delivery?.body ?? '{}') as { type: string; data: { id: number } };
    assert.equal(payload.type, 'article.published');
    assert.equal(payload.data.id, id);

    const attempted = (logs: string[]) =>
      logs
        .map((l) => JSON.parse(l) as { msg: string })
        .filter((l) => l.msg === 'delivery attempted');
    await waitUntil(() => attempted(dispatcher.logs()).length > 0);
    assert.equal(attempted(web.logs()).length, 0, 'the server, without a dispatcher, sent nothing');
  } finally {
    dispatcher.child.kill('SIGTERM');
    web.child.kill('SIGTERM');
  }
  assert.equal(await dispatcher.exited, 0, 'the worker stops cleanly');
  assert.ok(dispatcher.logs().some((l) => JSON.parse(l).msg === 'worker stopped'));
  assert.equal(await web.exited, 0);
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(50);
  }
}
