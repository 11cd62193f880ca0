/**
 * Hostile and broken feeds through POST /api/feeds/import, from a real HTTP server: each is
 * refused with a clear error and imports nothing. Private URLs are allowed here (the feed server
 * is on 127.0.0.1); cloud metadata and other schemes never are. Loopback refusal: ssrf.test.ts.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { assertNoInternals, assertProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/net.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type FeedServer, fixture, HTML, RSS, startFeedServer } from './feed-server.ts';
import { importUrl } from './support.ts';

let server: TestServer;
let feeds: FeedServer;
let author: Author;

before(async () => {
  server = await startTestServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  await makeAuthor(server, 'site_admin');
  author = await makeAuthor(server, 'target');
  feeds = await startFeedServer();
});
after(async () => {
  await feeds.close();
  await server.close();
});

const FIFTY_MB = 50 * 1024 * 1024;

/**
 * Streams a 50 MB RSS document in 64 KiB writes, minding backpressure, and stops when the
 * client hangs up; returns how many bytes were accepted for sending.
 */
function streamHuge(res: ServerResponse, declareLength: boolean): Promise<number> {
  const head = Buffer.from(
    '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Huge</title>\n',
  );
  const item =
    '<item><title>filler</title><guid>x</guid><description>lorem ipsum</description></item>\n';
  const chunk = Buffer.from(item.repeat(Math.ceil(65_536 / item.length)));
  res.writeHead(200, {
    'content-type': RSS,
    ...(declareLength && { 'content-length': String(FIFTY_MB) }),
  });
  return new Promise((resolve) => {
    let sent = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolve(sent);
    });
    const pump = () => {
      while (!closed && sent < FIFTY_MB) {
        const piece =
          sent === 0 ? head : chunk.subarray(0, Math.min(chunk.length, FIFTY_MB - sent));
        sent += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
}

/** Imports `url` and expects a 422 naming the url, with `detail`, and no change anywhere. */
async function refused(url: string, detail: RegExp): Promise<any> {
  const state = await snapshot(server);
  const res = await importUrl(server, author, url, { publish: true });
  const body = assertProblem(res, { status: 422, code: 'validation_failed', field: 'url' });
  assert.match(body.detail, /^Cannot import this feed: /);
  assert.match(body.detail, detail);
  assertNoInternals(body.detail);
  assert.deepEqual(await snapshot(server), state, 'nothing was written');
  return body;
}

describe('hostile documents', () => {
  test('XXE: an external entity is refused and the file never leaks', async () => {
    feeds.serve('/xxe.xml', { body: fixture('xxe-file.xml'), type: RSS });
    const body = await refused(feeds.url('/xxe.xml'), /declares XML entities/);
    assert.doesNotMatch(JSON.stringify(body), /root:/);
  });

  test('billion laughs is refused without expanding anything', async () => {
    feeds.serve('/lol.xml', { body: fixture('billion-laughs.xml'), type: RSS });
    await refused(feeds.url('/lol.xml'), /entity expansion/);
  });

  test('a 50 MB feed is cut off at the size limit, streamed or declared', async () => {
    for (const declared of [false, true]) {
      let sent: Promise<number> = Promise.resolve(0);
      const path = declared ? '/huge-declared.xml' : '/huge-streamed.xml';
      feeds.on(path, (_req, res) => {
        sent = streamHuge(res, declared);
      });
      await refused(feeds.url(path), /larger than the limit of 10485760 bytes/);
      const bytes = await sent;
      assert.ok(bytes > 0, 'the server did start sending');
      assert.ok(bytes < FIFTY_MB, `the importer hung up early (${bytes} bytes sent)`);
    }
  });

  test('invalid UTF-8 is refused, naming the encoding', async () => {
    const bytes = Buffer.concat([
      Buffer.from(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><item><title>',
      ),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('</title><guid>bad-utf8</guid></item></channel></rss>'),
    ]);
    feeds.serve('/bad-utf8.xml', { body: bytes, type: 'application/rss+xml' });
    await refused(feeds.url('/bad-utf8.xml'), /not valid UTF-8/);
  });

  test('an HTML page that is not a feed and advertises none is refused', async () => {
    feeds.serve('/page.html', { body: fixture('page-without-feed.html'), type: HTML });
    await refused(feeds.url('/page.html'), /HTML page that advertises no feed/);
  });

  test('an empty feed, an empty answer, malformed XML and other JSON are refused', async () => {
    feeds.serve('/empty.xml', { body: fixture('empty-channel.xml'), type: RSS });
    await refused(feeds.url('/empty.xml'), /"Nothing here yet" has no items/);
    feeds.serve('/nothing.xml', { body: '', type: RSS });
    await refused(feeds.url('/nothing.xml'), /empty/);
    feeds.serve('/malformed.xml', { body: fixture('malformed.xml'), type: RSS });
    await refused(feeds.url('/malformed.xml'), /malformed XML at line 7, column \d+/);
    feeds.serve('/other.json', { body: '{"hello": "world"}', type: 'application/json' });
    await refused(feeds.url('/other.json'), /JSON but not a JSON Feed/);
  });

  test('ids no database can store (NUL, lone surrogates) still import, once', async () => {
    const feed = {
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Odd ids',
      items: [
        { id: 'nul\u0000inside', title: 'A NUL in the id', content_text: 'one' },
        { id: 'half \ud800 a pair', title: 'A lone surrogate in the id', content_text: 'two' },
      ],
    };
    feeds.serve('/odd-ids.json', { body: JSON.stringify(feed), type: 'application/feed+json' });
    const first = await importUrl(server, author, feeds.url('/odd-ids.json'));
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json(), { total: 2, imported: 2, skipped: 0, failed: [] });
    const second = await importUrl(server, author, feeds.url('/odd-ids.json'));
    assert.deepEqual(second.json(), { total: 2, imported: 0, skipped: 2, failed: [] });
  });

  test('a missing feed is refused with its HTTP status', async () => {
    await refused(feeds.url('/no-such-feed.xml'), /answered HTTP 404/);
  });

  test('a feed host answering 5xx is a 502, and imports nothing', async () => {
    const state = await snapshot(server);
    feeds.on('/broken.xml', (_req, res) => {
      res.writeHead(503).end('down for maintenance');
    });
    const res = await importUrl(server, author, feeds.url('/broken.xml'));
    assert.equal(res.status, 502, res.text);
    assert.match(res.json().detail, /answered HTTP 503/);
    assert.deepEqual(await snapshot(server), state);
  });

  test('an unreachable host is a 502 that says so, and imports nothing', async () => {
    const state = await snapshot(server);
    const port = await freePort();
    const res = await importUrl(server, author, `http://127.0.0.1:${port}/feed.xml`);
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json().type, 'urn:quire:problem:bad_gateway');
    assert.match(res.json().detail, /^Could not fetch the feed: /);
    assert.deepEqual(await snapshot(server), state);
  });
});

describe('SSRF, even with private URLs allowed', () => {
  test('cloud metadata and the unspecified address are refused', async () => {
    await refused('http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is not allowed/);
    const port = new URL(feeds.origin).port;
    feeds.serve('/any.xml', { body: fixture('dev-author.xml'), type: RSS });
    await refused(`http://0.0.0.0:${port}/any.xml`, /not allowed/);
    assert.equal(feeds.hits('/any.xml').length, 0);
  });

  test('a redirect from an allowed server to 169.254.169.254 is refused', async () => {
    feeds.redirect('/moved.xml', 'http://169.254.169.254/latest/meta-data/iam/');
    await refused(feeds.url('/moved.xml'), /169\.254\.169\.254 is not allowed/);
    assert.equal(feeds.hits('/moved.xml').length, 1, 'the first hop was made');
    feeds.redirect('/to-file.xml', 'file:///etc/passwd');
    await refused(feeds.url('/to-file.xml'), /not file/);
  });

  test('a page that advertises a feed on a refused address is refused', async () => {
    feeds.serve('/lure.html', {
      type: HTML,
      body: '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="http://169.254.169.254/feed.xml"></head><body></body></html>',
    });
    await refused(feeds.url('/lure.html'), /169\.254\.169\.254 is not allowed/);
  });

  test('file:// and ftp:// URLs are refused before anything is read', async () => {
    for (const url of [
      'file:///etc/passwd',
      'FILE:///etc/hostname',
      'ftp://ftp.example.org/feed.xml',
      'gopher://127.0.0.1:70/_',
    ]) {
      await refused(url, /Only http and https URLs are allowed/);
    }
  });
});
