/**
 * Answers from a cached response, alone: which encoding, which ETag for it, and when a
 * conditional request gets a 304 (If-None-Match lists, weak tags, any variant's tag; then
 * If-Modified-Since at the second), with the headers each answer carries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  answerFromCache as answerFlat,
  type CachePolicy,
  cacheControlFor,
  chooseEncoding,
  etagFor,
} from '../../src/http/conditional.ts';
import { type CachedResponse, prepare } from '../../src/http/response-cache.ts';

const BODY = '<rss>Caf\u00e9 au lait, caf\u00e9 au lait, caf\u00e9 au lait</rss>';
const POLICY: CachePolicy = { maxAge: 60, sharedMaxAge: 3600, vary: 'Accept-Encoding' };
const CACHE_CONTROL = 'public, max-age=60, s-maxage=3600, stale-while-revalidate=30';
const NOW = Date.parse('2026-03-01T13:00:00Z');
/** Built at a moment with milliseconds, which the validators drop. */
const MODIFIED = new Date('2026-03-01T12:00:00.750Z');
const LAST_MODIFIED = 'Sun, 01 Mar 2026 12:00:00 GMT';

const entry: CachedResponse = await prepare(
  {
    representation: {
      body: BODY,
      type: 'application/rss+xml; charset=utf-8',
      lastModified: MODIFIED,
      headers: { link: '<https://hub.example/>; rel="hub"' },
    },
    expiresAt: Number.POSITIVE_INFINITY,
    keys: ['site', 'home', 'article:3'],
  },
  7,
);

type Headers = Record<string, string | string[] | undefined>;

/** The answer with its flat header list as an object, each name once (as `writeHead` needs). */
function answerFromCache(...args: Parameters<typeof answerFlat>) {
  const answer = answerFlat(...args);
  const headers: Record<string, string> = {};
  for (let i = 0; i < answer.headers.length; i += 2) {
    const name = answer.headers[i] ?? '';
    assert.ok(!(name in headers), `${name} is sent once`);
    headers[name] = answer.headers[i + 1] ?? '';
  }
  return { ...answer, headers };
}
const answer = (headers: Headers = {}) => answerFromCache(entry, { headers }, POLICY, true, NOW);
const quoted = (tag: string) => `"${tag}"`;

test('the encoding is the best the client accepts: brotli, then gzip, then none', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['gzip;q=0', 'identity'],
    ['deflate', 'identity'],
    ['identity', 'identity'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
  ];
  for (const [accept, encoding] of cases) assert.equal(chooseEncoding(accept), encoding, accept);
});

test('each encoding has its own strong ETag, made from the tag of the identity bytes', () => {
  assert.equal(etagFor(entry, 'identity'), quoted(entry.tag));
  assert.equal(etagFor(entry, 'gzip'), quoted(`${entry.tag}-gz`));
  assert.equal(etagFor(entry, 'br'), quoted(`${entry.tag}-br`));
  for (const encoding of ['identity', 'gzip', 'br'] as const) {
    assert.doesNotMatch(etagFor(entry, encoding), /^W\//, 'strong, not weak');
  }
});

test('a 200 carries the bytes of its encoding and the headers that describe them', () => {
  const plain = answer();
  assert.equal(plain.status, 200);
  assert.equal(plain.body?.toString('utf8'), BODY);
  assert.deepEqual(plain.headers, {
    link: '<https://hub.example/>; rel="hub"',
    etag: quoted(entry.tag),
    'last-modified': LAST_MODIFIED,
    'cache-control': CACHE_CONTROL,
    vary: 'Accept-Encoding',
    'cache-status': 'quire; hit',
    'surrogate-key': 'site home article:3',
    'content-type': 'application/rss+xml; charset=utf-8',
    'content-length': String(Buffer.byteLength(BODY)),
  });

  const gz = answer({ 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.etag, quoted(`${entry.tag}-gz`));
  assert.equal(gz.headers['content-length'], String(gz.body?.length));
  assert.equal(gunzipSync(gz.body ?? Buffer.alloc(0)).toString('utf8'), BODY);

  // A header sent twice arrives as a list: its values count together.
  const br = answer({ 'accept-encoding': ['gzip', 'br'] });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers.etag, quoted(`${entry.tag}-br`));
  assert.equal(brotliDecompressSync(br.body ?? Buffer.alloc(0)).toString('utf8'), BODY);
});

test('If-None-Match: any tag in the list, weak or strong, of any encoding, makes a 304', () => {
  const matching = [
    quoted(entry.tag),
    `W/${quoted(entry.tag)}`,
    quoted(`${entry.tag}-gz`),
    `W/${quoted(`${entry.tag}-br`)}`,
    `"stale", ${quoted(entry.tag)}`,
    `"a","b" ,  W/${quoted(`${entry.tag}-gz`)}`,
    '*',
    ' * ',
  ];
  for (const ifNoneMatch of matching) {
    assert.equal(answer({ 'if-none-match': ifNoneMatch }).status, 304, ifNoneMatch);
  }
  assert.equal(answer({ 'if-none-match': ['"stale"', quoted(entry.tag)] }).status, 304, 'a list');

  const missing = [
    '"stale"',
    `"stale", "${entry.tag}-deflate"`,
    quoted(entry.tag.slice(1)),
    quoted(`${entry.tag}x`),
    '',
  ];
  for (const ifNoneMatch of missing) {
    assert.equal(answer({ 'if-none-match': ifNoneMatch }).status, 200, ifNoneMatch);
  }
});

test('a 304 has no body and no entity headers, but the validators of the encoding chosen', () => {
  const notModified = answer({
    'accept-encoding': 'br',
    'if-none-match': quoted(`${entry.tag}-gz`),
  });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body, null);
  assert.deepEqual(notModified.headers, {
    link: '<https://hub.example/>; rel="hub"',
    etag: quoted(`${entry.tag}-br`),
    'last-modified': LAST_MODIFIED,
    'cache-control': CACHE_CONTROL,
    vary: 'Accept-Encoding',
    'cache-status': 'quire; hit',
    'surrogate-key': 'site home article:3',
  });
});

test('If-Modified-Since compares whole seconds: Last-Modified itself or later is a 304', () => {
  assert.equal(entry.lastModified, LAST_MODIFIED);
  assert.equal(entry.lastModifiedMs, Date.parse('2026-03-01T12:00:00.000Z'));
  const since = (value: string) => answer({ 'if-modified-since': value }).status;
  assert.equal(since(LAST_MODIFIED), 304, 'the date sent back as it came');
  assert.equal(since('Sun, 01 Mar 2026 12:00:01 GMT'), 304);
  assert.equal(since('Mon, 02 Mar 2026 00:00:00 GMT'), 304);
  assert.equal(since('Sun, 01 Mar 2026 11:59:59 GMT'), 200, 'a second before');
  assert.equal(since('Sat, 28 Feb 2026 12:00:00 GMT'), 200);
});

test('an If-Modified-Since that is not a date is ignored', () => {
  for (const value of ['yesterday', '', 'Sun, 99 Foo 2026 12:00:00 GMT', 'null']) {
    assert.equal(answer({ 'if-modified-since': value }).status, 200, value);
  }
});

test('If-None-Match decides alone when both are sent: If-Modified-Since is then ignored', () => {
  assert.equal(
    answer({ 'if-none-match': '"stale"', 'if-modified-since': LAST_MODIFIED }).status,
    200,
    'a tag that does not match wins over a date that would',
  );
  assert.equal(
    answer({
      'if-none-match': quoted(entry.tag),
      'if-modified-since': 'Sat, 28 Feb 2026 12:00:00 GMT',
    }).status,
    304,
    'a tag that matches wins over a date that would not',
  );
});

test('HEAD is answered like GET (same status and headers); the caller leaves out the body', () => {
  for (const headers of [
    {},
    { 'accept-encoding': 'gzip' },
    { 'if-none-match': quoted(entry.tag) },
    { 'if-modified-since': 'Sat, 28 Feb 2026 12:00:00 GMT' },
  ] satisfies Headers[]) {
    const get = answerFromCache(
      entry,
      { method: 'GET', headers } as { headers: Headers },
      POLICY,
      true,
      NOW,
    );
    const head = answerFromCache(
      entry,
      { method: 'HEAD', headers } as { headers: Headers },
      POLICY,
      true,
      NOW,
    );
    assert.equal(head.status, get.status);
    assert.deepEqual(head.headers, get.headers);
    if (get.status === 200) {
      assert.equal(head.headers['content-length'], String(get.body?.length));
    }
  }
});

test('Cache-Status says hit or miss (RFC 9211); Surrogate-Key names the keys it was built from', () => {
  for (const headers of [{}, { 'if-none-match': quoted(entry.tag) }] satisfies Headers[]) {
    const hit = answerFromCache(entry, { headers }, POLICY, true, NOW);
    assert.equal(hit.headers['cache-status'], 'quire; hit');
    assert.equal(hit.headers['surrogate-key'], 'site home article:3');
    const miss = answerFromCache(entry, { headers }, POLICY, false, NOW);
    assert.equal(miss.headers['cache-status'], 'quire; fwd=miss');
  }
});

test('Cache-Control lets shared caches keep an answer, never past its own expiry', () => {
  const page: CachePolicy = { maxAge: 0, sharedMaxAge: 86_400, vary: 'Accept-Encoding, Cookie' };
  assert.equal(
    cacheControlFor(page, Number.POSITIVE_INFINITY, NOW),
    'public, max-age=0, s-maxage=86400, stale-while-revalidate=30',
  );
  // A scheduled article goes live in 90.5 s: no cache may keep the page longer than that.
  assert.equal(
    cacheControlFor(POLICY, NOW + 90_500, NOW),
    'public, max-age=60, s-maxage=90, stale-while-revalidate=30',
  );
  assert.equal(
    cacheControlFor(POLICY, NOW - 5_000, NOW),
    'public, max-age=0, s-maxage=0, stale-while-revalidate=30',
  );
  const headers = {};
  assert.equal(
    answerFromCache(entry, { headers }, page, true, NOW).headers.vary,
    'Accept-Encoding, Cookie',
  );
  assert.equal(
    answerFromCache(entry, { headers }, POLICY, true, NOW).headers.vary,
    'Accept-Encoding',
  );
});

test('Cache-Control follows the clock for an answer worked out once', () => {
  const expiring = { ...entry, expiresAt: NOW + 90_500 };
  const at = (ms: number) => answerFromCache(expiring, { headers: {} }, POLICY, true, ms);
  assert.equal(
    at(NOW).headers['cache-control'],
    'public, max-age=60, s-maxage=90, stale-while-revalidate=30',
  );
  assert.equal(
    at(NOW + 40_000).headers['cache-control'],
    'public, max-age=50, s-maxage=50, stale-while-revalidate=30',
  );
  assert.equal(
    at(NOW + 40_000).headers['cache-control'],
    'public, max-age=50, s-maxage=50, stale-while-revalidate=30',
  );
  assert.equal(
    at(NOW + 95_000).headers['cache-control'],
    'public, max-age=0, s-maxage=0, stale-while-revalidate=30',
  );
});
