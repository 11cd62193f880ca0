/**
 * The drain of a stopping server, over one kept-alive connection: a request in flight when it
 * starts finishes with `Connection: close`; a request that comes after is refused with a 503
 * problem (or page), `Retry-After` and `Connection: close`; and the database is not touched.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let author: Author;
let agent: Agent;

before(async () => {
  server = await startTestServer();
  author = await makeAuthor(server, 'drained');
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});
after(async () => {
  agent.destroy();
  await server.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  socket: object;
}

/** Sends a request on the shared connection; `midway` runs once half the body is written. */
function send(
  method: string,
  path: string,
  options: { body?: string; accept?: string; midway?: () => void } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? '';
    const req = request(`${server.url}${path}`, {
      method,
      agent,
      headers: {
        'api-key': author.key,
        ...(options.accept ? { accept: options.accept } : {}),
        ...(body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text,
          socket: req.socket!,
        }),
      );
    });
    req.on('error', reject);
    if (!options.midway) {
      req.end(body);
      return;
    }
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    setTimeout(() => {
      options.midway?.();
      req.end(body.slice(half));
    }, 100);
  });
}

test('in flight finishes and closes; after it, a 503 problem or page that changes nothing', async () => {
  const warm = await send('GET', '/api/users/me');
  assert.equal(warm.status, 200);
  assert.notEqual(warm.headers.connection, 'close', 'kept alive before the drain');

  const article = JSON.stringify({
    article: { title: 'Written while draining', body_markdown: 'x' },
  });
  const inFlight = await send('POST', '/api/articles', {
    body: article,
    midway: () => server.app.drain.start(),
  });
  assert.equal(inFlight.status, 201, inFlight.body);
  assert.equal(inFlight.headers.connection, 'close', 'the answer in flight closes its connection');
  assert.equal(inFlight.socket, warm.socket, 'the same kept-alive connection');

  const before = await snapshot(server);
  const refused = await send('POST', '/api/articles', { body: article });
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.connection, 'close');
  assert.equal(refused.headers['retry-after'], '5');
  assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse(refused.body) as { status: number; error: string; type: string };
  assert.equal(problem.status, 503);
  assert.equal(problem.type, 'urn:quire:problem:unavailable');
  assert.match(problem.error, /restarting/);
  assert.ok(refused.headers['x-request-id'], 'a refusal carries its request id');
  assert.equal(refused.headers['x-content-type-options'], 'nosniff', 'and the security headers');
  assert.deepEqual(await snapshot(server), before, 'a refused write changes nothing');

  const page = await send('GET', '/', { accept: 'text/html' });
  assert.equal(page.status, 503);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /<h1>Service Unavailable<\/h1>/);
  assert.equal(server.app.drain.inFlight, 0);
});
