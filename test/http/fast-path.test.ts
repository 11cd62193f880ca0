/** The fast path serves current cached feeds before the framework, and hands everything else on. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fastPath } from '../../src/http/fast-path.ts';
import { ResponseCache } from '../../src/http/response-cache.ts';
import { cachedFeed, feedCachePolicy } from '../../src/modules/feeds/feeds.service.ts';
import { feedKeyOf, feedRouteOf, parseFeedUrl } from '../../src/modules/feeds/feed-urls.ts';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let url: string;
let handled: string[];
let close: () => Promise<void>;
let cache: ResponseCache;

before(async () => {
  server = await startTestServer();
  const author = await makeAuthor(server, 'fasty');
  await postArticle(server, author, {
    title: 'Fast feeds',
    published: true,
    body_markdown: 'Quick.',
  });
  // No background polling here: it would mark the version stale at a moment the test cannot see.
  server.ctx.eventHead.stop();
  cache = new ResponseCache();
  const fast = fastPath(server.ctx, cache, [
    { key: feedKeyOf, route: feedRouteOf, policy: feedCachePolicy(server.ctx.config) },
  ]);
  handled = [];
  const http = createServer(
    fast.listener((req, res) => {
      handled.push(req.url ?? '');
      res.writeHead(299).end('framework');
    }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => http.close(() => resolve()));
});
after(async () => {
  await close();
  await server.close();
});

test('a current cached feed is answered without the framework, with the same bytes and headers', async () => {
  const viaFramework = await fetch(`${server.url}/feed/fasty`);
  const body = await viaFramework.text();
  // Every encoding made, so the fast path has whichever the request asks for.
  await (
    await cachedFeed(server.ctx, cache, parseFeedUrl('/feed/fasty')!)
  )?.entry.compressed;
  handled.length = 0;
  const res = await fetch(`${url}/feed/fasty`, { headers: { 'x-request-id': 'fast-1' } });
  assert.equal(res.status, 200);
  assert.deepEqual(handled, [], 'the framework never saw the request');
  assert.equal(await res.text(), body);
  for (const name of [
    'etag',
    'last-modified',
    'cache-control',
    'content-type',
    'vary',
    'link',
    'x-content-type-options',
    'referrer-policy',
    'content-security-policy',
  ]) {
    assert.equal(res.headers.get(name), viaFramework.headers.get(name), name);
  }
  assert.equal(res.headers.get('x-request-id'), 'fast-1');
  assert.match(res.headers.get('link') ?? '', /rel="hub"/, 'the fast path sends Link too');
  const revalidated = await fetch(`${url}/feed/fasty`, {
    headers: { 'if-none-match': res.headers.get('etag')! },
  });
  assert.equal(revalidated.status, 304);
  assert.deepEqual(handled, []);
});

test('misses, other URLs, other methods and a stale version go to the framework', async () => {
  handled.length = 0;
  await fetch(`${url}/feed/nobody_cached`);
  await fetch(`${url}/api/articles`);
  await fetch(`${url}/feed/fasty`, { method: 'POST' });
  server.ctx.eventHead.invalidate();
  await fetch(`${url}/feed/fasty`);
  assert.deepEqual(handled, ['/feed/nobody_cached', '/api/articles', '/feed/fasty', '/feed/fasty']);
});
