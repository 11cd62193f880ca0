/** `quire serve` as a process: structured request logs and a graceful stop on SIGTERM. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { quire, serve } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/net.ts';
import { TEST_SECRET } from '../helpers/server.ts';

let db: TestDatabase;
let env: Record<string, string>;
let key: string;

before(async () => {
  db = await createTestDatabase();
  const port = await freePort();
  env = {
    DATABASE_URL: db.url,
    QUIRE_SECRET: TEST_SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
  await quire(
    [
      'user',
      'create',
      '--username',
      'writer',
      '--email',
      'w@example.test',
      '--password',
      'long enough',
    ],
    env,
  );
  key =
    (await quire(['apikey', 'create', '--username', 'writer'], env)).stdout
      .trimEnd()
      .split('\n')
      .at(-1) ?? '';
});
after(() => db.drop());

test('serve logs one JSON line per request with its request id, and stops cleanly on SIGTERM', async () => {
  const server = await serve(env);
  const base = `http://127.0.0.1:${env.PORT}`;
  const res = await fetch(`${base}/api/users/me`, {
    headers: { 'api-key': key, 'x-request-id': 'trace-42' },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-request-id'), 'trace-42');
  assert.equal((await res.json()).username, 'writer');

  // A request whose body is still arriving when SIGTERM comes must be finished, not dropped.
  const body = JSON.stringify({
    article: { title: 'Written during shutdown', body_markdown: 'Still here.' },
  });
  const half = Math.floor(body.length / 2);
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${base}/api/articles`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'api-key': key,
      },
    });
    req.on('response', (r) => {
      let text = '';
      r.on('data', (d: Buffer) => (text += d.toString()));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.write(body.slice(0, half));
    setTimeout(() => {
      server.child.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(half)), 300);
    }, 200);
  });
  const finished = await answer;
  assert.equal(finished.status, 201, finished.text);
  assert.equal(JSON.parse(finished.text).title, 'Written during shutdown');
  assert.equal(await server.exited, 0);

  const lines = server.logs().map((l) => JSON.parse(l));
  const requests = lines.filter((l) => l.msg === 'request');
  const traced = requests.filter((l) => l.reqId === 'trace-42');
  assert.equal(traced.length, 1, 'exactly one line for the request');
  assert.equal(traced[0].status, 200);
  assert.equal(traced[0].url, '/api/users/me');
  assert.equal(typeof traced[0].ms, 'number');
  assert.ok(
    requests.some((l) => l.url === '/api/articles' && l.status === 201),
    'the in-flight request is logged',
  );
  assert.ok(
    lines.some((l) => l.msg === 'stopped; database closed'),
    'the database is closed on the way out',
  );
  await assert.rejects(fetch(`${base}/healthz`), 'nothing listens after the stop');
});
