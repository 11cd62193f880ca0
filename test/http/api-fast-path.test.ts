/**
 * Cached public API answers from the fast path: the same answer as Fastify gives, without the
 * framework, for anonymous callers only, counted against the API's rate limit in the one counter
 * both paths share, so a client has one limit whichever path answers.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fastRoutes } from '../../src/app.ts';
import { apiFastRoute } from '../../src/http/api-cache.ts';
import { type FastRoute, fastPath } from '../../src/http/fast-path.ts';
import { RateCounter } from '../../src/http/rate-counter.ts';
import { ResponseCache } from '../../src/http/response-cache.ts';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const LIMIT = 6;
let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { QUIRE_API_RATE_LIMIT: String(LIMIT) } });
  const ada = await makeAuthor(server, 'ada');
  await postArticle(server, ada, {
    title: 'Cached for all',
    published: true,
    body_markdown: 'Hi.',
  });
});
after(() => server.close());

test('a cached API answer is the same from either path, and both count against one limit', async () => {
  const miss = await fetch(`${server.url}/api/articles`);
  assert.equal(miss.headers.get('cache-status'), 'quire; fwd=miss');
  const body = await miss.text();
  const hit = await fetch(`${server.url}/api/articles`);
  assert.equal(hit.headers.get('cache-status'), 'quire; hit');
  assert.equal(await hit.text(), body);
  const differ = new Set(['cache-status', 'x-request-id', 'date', 'x-ratelimit-remaining']);
  const names = (res: Response) => [...res.headers.keys()].filter((n) => !differ.has(n)).sort();
  assert.deepEqual(names(hit), names(miss));
  for (const name of names(miss)) assert.equal(hit.headers.get(name), miss.headers.get(name), name);
  // One count across both paths: LIMIT in a minute, then the 429 (from Fastify).
  assert.equal(miss.headers.get('x-ratelimit-remaining'), String(LIMIT - 1));
  assert.equal(hit.headers.get('x-ratelimit-remaining'), String(LIMIT - 2));
  const remaining: string[] = [];
  for (let i = 3; i <= LIMIT; i++) {
    const res = await fetch(`${server.url}/api/articles`);
    assert.equal(res.status, 200);
    remaining.push(res.headers.get('x-ratelimit-remaining') ?? '');
  }
  assert.deepEqual(remaining, ['3', '2', '1', '0']);
  const over = await fetch(`${server.url}/api/articles`);
  assert.equal(over.status, 429);
  assert.equal(((await over.json()) as { status: number }).status, 429);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  // A minute later the window is new.
  server.clock.advance(60_000);
  const again = await fetch(`${server.url}/api/articles`);
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('x-ratelimit-remaining'), String(LIMIT - 1));
});

/** The fast path alone in front of a stand-in framework that records what reaches it. */
async function harness(
  trustedProxies: string[],
  routes = (counter: RateCounter): FastRoute[] => [
    apiFastRoute(server.ctx.config, 'quire_session', {
      counter,
      max: 3,
      windowMs: 60_000,
      trustedProxies,
    }),
  ],
) {
  const cache = new ResponseCache();
  const fast = fastPath(server.ctx, cache, routes(new RateCounter(server.clock)));
  const handled: string[] = [];
  const http = createServer(
    fast.listener((req, res) => {
      handled.push(req.url ?? '');
      res.writeHead(299).end('framework');
    }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  // No background polling from here on: each poll marks the outbox position stale, and the fast
  // path hands the next request to the framework (here, the stand-in) to read it.
  server.ctx.eventHead.stop();
  await server.ctx.eventHead.current();
  // Every encoding made, so the fast path has whichever a request asks for.
  const primed = await cache.get('api:/api/tags', 0, server.clock.now().getTime(), async () => ({
    representation: {
      body: '[{"name":"rust"}]',
      type: 'application/json; charset=utf-8',
      lastModified: server.clock.now(),
    },
    expiresAt: Number.POSITIVE_INFINITY,
    keys: ['site', 'tag-list'],
  }));
  await primed?.entry.compressed;
  return {
    url,
    handled,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

test("the app's fast routes answer a cached API read without the framework", async (t) => {
  const h = await harness([], (counter) => fastRoutes(server.ctx, counter));
  t.after(h.close);
  const res = await fetch(`${h.url}/api/tags`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-ratelimit-limit'), String(LIMIT));
  assert.deepEqual(h.handled, [], 'no other route claimed the URL first');
});

test('only anonymous requests within the limit are answered without the framework', async (t) => {
  const h = await harness([]);
  t.after(h.close);
  const res = await fetch(`${h.url}/api/tags?made_up=x`);
  assert.equal(res.status, 200, 'a parameter the route does not read shares the entry');
  assert.equal(await res.text(), '[{"name":"rust"}]');
  assert.equal(res.headers.get('x-ratelimit-limit'), '3');
  assert.deepEqual(h.handled, []);
  const identified: Array<Record<string, string>> = [
    { 'api-key': 'k' },
    { authorization: 'Bearer k' },
    { cookie: 'theme=dark; quire_session=abc.def' },
  ];
  for (const headers of identified) {
    const keyed = await fetch(`${h.url}/api/tags`, { headers });
    assert.equal(keyed.status, 299, `${Object.keys(headers)[0]} goes to the framework`);
  }
  const plainCookie = await fetch(`${h.url}/api/tags`, { headers: { cookie: 'theme=dark' } });
  assert.equal(plainCookie.status, 200, 'a cookie that is no session shares the answer');
  const third = await fetch(`${h.url}/api/tags`);
  assert.equal(third.headers.get('x-ratelimit-remaining'), '0');
  // Three in the window: the fourth goes on to the framework, which answers the 429.
  const over = await fetch(`${h.url}/api/tags`);
  assert.equal(over.status, 299);
  assert.equal(h.handled.length, 4);
});

test('behind a trusted proxy each forwarded client has its own count; otherwise the header is ignored', async (t) => {
  const direct = await harness([]);
  t.after(direct.close);
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${direct.url}/api/tags`, {
      headers: { 'x-forwarded-for': `203.0.113.${i}` },
    });
    assert.equal(res.status, 200);
  }
  const spoofed = await fetch(`${direct.url}/api/tags`, {
    headers: { 'x-forwarded-for': '203.0.113.99' },
  });
  assert.equal(spoofed.status, 299, 'a made-up X-Forwarded-For does not make a new client');

  const proxied = await harness(['127.0.0.1']);
  t.after(proxied.close);
  for (const client of ['203.0.113.1', '203.0.113.2']) {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxied.url}/api/tags`, {
        headers: { 'x-forwarded-for': client },
      });
      assert.equal(res.status, 200, `${client}, request ${i + 1}`);
    }
  }
  assert.equal(proxied.handled.length, 0);
});
