/**
 * SIGTERM to `quire serve` while a signed-in reader holds a live unread-count stream open: the
 * stream ends at once and the node exits 0 well inside QUIRE_SHUTDOWN_TIMEOUT, rather than
 * waiting for it and cutting it at the deadline.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { serve } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { HttpClient } from '../helpers/http.ts';
import { signInWeb } from '../helpers/pages.ts';
import { processSetup } from '../helpers/quire-process.ts';

const SHUTDOWN_TIMEOUT = 10;

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test('SIGTERM with a live stream open: the stream ends and the node exits 0 at once', async () => {
  const setup = await processSetup(db.url, 'listener', {
    QUIRE_SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT),
  });
  const server = await serve(setup.env);
  const web = await signInWeb(
    { client: () => new HttpClient(setup.base) },
    'listener',
    'long enough',
  );
  const cookie = [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  let received = '';
  const ended = new Promise<void>((resolve, reject) => {
    const request = http.get(
      `${setup.base}/notifications/stream`,
      { headers: { cookie } },
      (res) => {
        assert.equal(res.statusCode, 200);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (received += chunk));
        res.on('close', () => resolve());
      },
    );
    request.on('error', reject);
  });
  for (let i = 0; i < 100 && !received.includes('event: unread'); i++)
    await new Promise((done) => setTimeout(done, 20));
  assert.match(received, /event: unread\ndata: 0\n\n/);
  const signalledAt = performance.now();
  server.child.kill('SIGTERM');
  await ended;
  const code = await server.exited;
  const seconds = (performance.now() - signalledAt) / 1000;
  assert.equal(code, 0);
  assert.ok(seconds < SHUTDOWN_TIMEOUT / 2, `the stop took ${seconds.toFixed(1)} s`);
});
