/**
 * Discovery (WebSub section 4): every feed names the hub and itself, in its own format and in
 * `Link` headers, so a reader can subscribe to whatever feed it already follows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { readXml } from '../feeds/feed-readers.ts';

let server: TestServer;
let hub: string;

before(async () => {
  server = await startTestServer();
  const author = await makeAuthor(server, 'finder');
  await postArticle(server, author, {
    title: 'Find me',
    body_markdown: 'Here.',
    published: true,
    tags: ['found'],
  });
  hub = `${server.url}/websub`;
});
after(() => server.close());

const FEEDS = ['/feed', '/feed/finder', '/feed/tag/found'];

test('RSS carries atom:link rel="hub" beside rel="self"', async () => {
  for (const path of FEEDS) {
    const { rss } = readXml((await server.client().get(path)).text);
    const links = rss.channel['atom:link'].map((l: Record<string, string>) => [
      l['@_rel'],
      l['@_href'],
    ]);
    assert.deepEqual(links, [
      ['self', `${server.url}${path}`],
      ['hub', hub],
    ]);
  }
});

test('Atom carries link rel="hub" beside rel="self"', async () => {
  for (const path of FEEDS) {
    const { feed } = readXml((await server.client().get(`${path}.atom`)).text);
    const rels = Object.fromEntries(
      feed.link.map((l: Record<string, string>) => [l['@_rel'], l['@_href']]),
    );
    assert.equal(rels.hub, hub, path);
    assert.equal(rels.self, `${server.url}${path}.atom`, path);
  }
});

test('JSON Feed lists the hub in hubs', async () => {
  for (const path of FEEDS) {
    const doc = JSON.parse((await server.client().get(`${path}.json`)).text);
    assert.deepEqual(doc.hubs, [{ type: 'WebSub', url: hub }], path);
    assert.equal(doc.feed_url, `${server.url}${path}.json`);
  }
});

test('feed answers, fresh, cached and 304, carry Link with the hub and the feed itself', async () => {
  for (const path of FEEDS) {
    for (const suffix of ['', '.atom', '.json']) {
      const expected = `<${hub}>; rel="hub", <${server.url}${path}${suffix}>; rel="self"`;
      const client = server.client();
      const first = await client.get(`${path}${suffix}`);
      const second = await client.get(`${path}${suffix}`);
      const revalidated = await client.get(`${path}${suffix}`, {
        headers: { 'if-none-match': second.headers.get('etag') ?? '' },
      });
      assert.equal(revalidated.status, 304);
      for (const res of [first, second, revalidated]) {
        assert.equal(res.headers.get('link'), expected, `${path}${suffix} (${res.status})`);
      }
    }
  }
});
