/**
 * The response cache, alone: what a prepared entry holds, which entry a lookup finds (version and
 * expiry), one build however many ask at once, the hits and misses counted, and which entry
 * leaves first when it is full.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  type BuildResult,
  type CacheLookups,
  prepare,
  ResponseCache,
} from '../../src/http/response-cache.ts';

const MODIFIED = new Date('2026-03-01T12:00:00.999Z');
const NOW = Date.parse('2026-03-01T13:00:00.000Z');
const HOUR = 3_600_000;

const built = (body: string, expiresAt = Number.POSITIVE_INFINITY): BuildResult => ({
  representation: { body, type: 'text/html; charset=utf-8', lastModified: MODIFIED },
  expiresAt,
});

/** Counts lookups and builds, and makes builds that say which call they were. */
function harness(maxEntries?: number) {
  const hits: string[] = [];
  const misses: string[] = [];
  const lookups: CacheLookups = { hit: (key) => hits.push(key), miss: (key) => misses.push(key) };
  const cache = new ResponseCache({ lookups, ...(maxEntries !== undefined && { maxEntries }) });
  let builds = 0;
  const build =
    (body = 'page', expiresAt?: number) =>
    async (): Promise<BuildResult> => {
      builds++;
      return built(`${body} #${builds}`, expiresAt);
    };
  return { cache, hits, misses, build, builds: () => builds };
}

const bodyOf = (entry: { identity: Buffer } | null | undefined) => entry?.identity.toString();

test('a prepared entry: the bytes in three encodings, a strong tag from the bytes alone', async () => {
  const body = 'Caf\u00e9 \u2615 '.repeat(50);
  const entry = await prepare(
    {
      representation: {
        body,
        type: 'text/html; charset=utf-8',
        lastModified: MODIFIED,
        headers: { link: '<x>' },
      },
      expiresAt: 1234,
    },
    42,
  );
  assert.equal(entry.version, 42);
  assert.equal(entry.expiresAt, 1234);
  assert.equal(entry.type, 'text/html; charset=utf-8');
  assert.deepEqual(entry.headers, { link: '<x>' });
  assert.deepEqual(entry.identity, Buffer.from(body, 'utf8'));
  assert.equal(gunzipSync(entry.gzip).toString('utf8'), body);
  assert.equal(brotliDecompressSync(entry.br).toString('utf8'), body);
  assert.ok(entry.br.length < entry.identity.length, 'brotli makes it smaller');
  assert.match(entry.tag, /^[A-Za-z0-9_-]{27}$/);

  // The tag depends on the bytes only, so every node computes the same one.
  const other = await prepare(
    {
      representation: { body, type: 'text/plain', lastModified: new Date(0) },
      expiresAt: 0,
    },
    1,
  );
  assert.equal(other.tag, entry.tag);
  assert.deepEqual(other.headers, {}, 'no extra headers unless given');
  const changed = await prepare(built(`${body}.`), 42);
  assert.notEqual(changed.tag, entry.tag);
});

test('Last-Modified drops the milliseconds: HTTP dates have whole seconds', async () => {
  const entry = await prepare(built('x'), 1);
  assert.equal(entry.lastModified, 'Sun, 01 Mar 2026 12:00:00 GMT');
  assert.equal(entry.lastModifiedMs, Date.parse('2026-03-01T12:00:00.000Z'));
});

test('an entry is found only for its version and until it expires', async () => {
  const { cache, build } = harness();
  const entry = await cache.get('feed:/feed', 5, NOW, build('feed', NOW + HOUR));
  assert.equal(bodyOf(entry), 'feed #1');
  assert.equal(cache.lookup('feed:/feed', 5, NOW), entry);
  assert.equal(cache.lookup('feed:/feed', 5, NOW + HOUR - 1), entry, 'a moment before expiry');
  assert.equal(cache.lookup('feed:/feed', 5, NOW + HOUR), undefined, 'at its expiry');
  assert.equal(cache.lookup('feed:/feed', 6, NOW), undefined, 'a newer version');
  assert.equal(cache.lookup('feed:/feed', 4, NOW), undefined, 'an older version');
  assert.equal(cache.lookup('feed:/other', 5, NOW), undefined, 'another key');
});

test('a stale entry is built again and replaces the old one', async () => {
  const { cache, build } = harness();
  await cache.get('page:/', 1, NOW, build('home', NOW + HOUR));
  const expired = await cache.get('page:/', 1, NOW + HOUR, build('home'));
  assert.equal(bodyOf(expired), 'home #2', 'rebuilt once it expired');
  const newer = await cache.get('page:/', 2, NOW, build('home'));
  assert.equal(bodyOf(newer), 'home #3', 'rebuilt for a new version');
  assert.equal(cache.lookup('page:/', 1, NOW), undefined, 'one entry per key: the old is gone');
  assert.equal(cache.lookup('page:/', 2, NOW), newer);
});

test('lookups count hits only; get counts its misses, a request waiting on a build included', async () => {
  const { cache, hits, misses, build } = harness();
  assert.equal(cache.lookup('feed:a', 1, NOW), undefined);
  assert.deepEqual([hits, misses], [[], []], 'a lookup miss is left to the get that follows');
  await Promise.all([cache.get('feed:a', 1, NOW, build()), cache.get('feed:a', 1, NOW, build())]);
  assert.deepEqual(misses, ['feed:a', 'feed:a']);
  assert.ok(cache.lookup('feed:a', 1, NOW));
  await cache.get('feed:a', 1, NOW, build());
  assert.deepEqual(hits, ['feed:a', 'feed:a']);
  assert.deepEqual(misses, ['feed:a', 'feed:a']);
});

test('requests that arrive together share one build of each version', async () => {
  const { cache, build, builds } = harness();
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow = build('slow');
  const waiting = async () => {
    await gate;
    return slow();
  };
  const asked = Array.from({ length: 5 }, () => cache.get('feed:x', 1, NOW, waiting));
  const otherVersion = cache.get('feed:x', 2, NOW, build('v2'));
  release();
  const entries = await Promise.all(asked);
  assert.equal(builds(), 2, 'one build for version 1, one for version 2');
  for (const entry of entries) assert.equal(entry, entries[0], 'the very same entry');
  assert.equal(bodyOf(await otherVersion), 'v2 #1');
});

test('a build that finds nothing caches nothing; one that fails is tried afresh next time', async () => {
  const { cache, build, builds } = harness();
  assert.equal(await cache.get('page:/gone', 1, NOW, async () => null), null);
  assert.equal(cache.lookup('page:/gone', 1, NOW), undefined);

  const failing = async (): Promise<BuildResult> => {
    throw new Error('render failed');
  };
  const both = [cache.get('page:/x', 1, NOW, failing), cache.get('page:/x', 1, NOW, build())];
  for (const asked of both) await assert.rejects(asked, /render failed/);
  assert.equal(builds(), 0, 'the second request waited on the first build');
  assert.equal(bodyOf(await cache.get('page:/x', 1, NOW, build())), 'page #1');
});

test('when full, the entry stored longest ago leaves first; a hit does not keep it', async () => {
  const { cache, build } = harness(2);
  await cache.get('a', 1, NOW, build('a'));
  await cache.get('b', 1, NOW, build('b'));
  assert.ok(cache.lookup('a', 1, NOW), 'a hit on the oldest');
  await cache.get('c', 1, NOW, build('c'));
  assert.equal(cache.lookup('a', 1, NOW), undefined, 'a was stored first, so it went');
  assert.ok(cache.lookup('b', 1, NOW));
  assert.ok(cache.lookup('c', 1, NOW));
});

test('an entry built again counts as stored anew, so the next to leave is another', async () => {
  const { cache, build } = harness(2);
  await cache.get('a', 1, NOW, build('a'));
  await cache.get('b', 1, NOW, build('b'));
  await cache.get('a', 2, NOW, build('a'));
  await cache.get('c', 2, NOW, build('c'));
  assert.ok(cache.lookup('a', 2, NOW), 'a, rebuilt after b, stays');
  assert.equal(cache.lookup('b', 1, NOW), undefined, 'b leaves');
  assert.ok(cache.lookup('c', 2, NOW));
});

test('clear drops every entry', async () => {
  const { cache, build } = harness();
  await cache.get('a', 1, NOW, build());
  await cache.get('b', 1, NOW, build());
  cache.clear();
  assert.equal(cache.lookup('a', 1, NOW), undefined);
  assert.equal(cache.lookup('b', 1, NOW), undefined);
});
