/**
 * The response cache, alone: what a prepared entry holds, which entry a lookup finds (expiry),
 * which entries an invalidation drops (exactly those built from the keys it names, even while a
 * build is under way), one build however many ask at once, the hits and misses counted, and
 * which entry leaves first when the bytes run out.
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

const built = (
  body: string,
  expiresAt = Number.POSITIVE_INFINITY,
  keys: string[] = ['site'],
): BuildResult => ({
  representation: { body, type: 'text/html; charset=utf-8', lastModified: MODIFIED },
  expiresAt,
  keys,
});

/** Counts lookups and builds, and makes builds that say which call they were. */
function harness(maxBytes?: number) {
  const hits: string[] = [];
  const misses: string[] = [];
  const lookups: CacheLookups = { hit: (key) => hits.push(key), miss: (key) => misses.push(key) };
  const cache = new ResponseCache({ lookups, ...(maxBytes !== undefined && { maxBytes }) });
  let builds = 0;
  const build =
    (body = 'page', expiresAt?: number, keys?: string[]) =>
    async (): Promise<BuildResult> => {
      builds++;
      return built(`${body} #${builds}`, expiresAt, keys);
    };
  return { cache, hits, misses, build, builds: () => builds };
}

/** A cache answer once every encoding of its entry is made (and weighed). */
async function settled<T extends { entry: { compressed: Promise<void> } } | null>(
  answer: Promise<T>,
): Promise<T> {
  const got = await answer;
  await got?.entry.compressed;
  return got;
}

type Found = { identity: Buffer } | { entry: { identity: Buffer } } | null | undefined;
const bodyOf = (found: Found) =>
  (found && 'entry' in found ? found.entry : found)?.identity.toString();

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
      keys: ['site', 'article:1', 'site'],
    },
    42,
  );
  assert.equal(entry.version, 42);
  assert.deepEqual(entry.keys, ['site', 'article:1'], 'each key once');
  const gzipped = entry.gzip as Buffer;
  const brotlied = entry.br as Buffer;
  assert.equal(entry.bytes, entry.identity.length + gzipped.length + brotlied.length);
  assert.equal(entry.expiresAt, 1234);
  assert.equal(entry.type, 'text/html; charset=utf-8');
  assert.deepEqual(entry.headers, { link: '<x>' });
  assert.deepEqual(entry.identity, Buffer.from(body, 'utf8'));
  assert.equal(gunzipSync(gzipped).toString('utf8'), body);
  assert.equal(brotliDecompressSync(brotlied).toString('utf8'), body);
  assert.ok(brotlied.length < entry.identity.length, 'brotli makes it smaller');
  assert.match(entry.tag, /^[A-Za-z0-9_-]{27}$/);

  // The tag depends on the bytes only, so every node computes the same one.
  const other = await prepare(
    {
      representation: { body, type: 'text/plain', lastModified: new Date(0) },
      expiresAt: 0,
      keys: [],
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

test('an entry is found until it expires', async () => {
  const { cache, build } = harness();
  const answer = await cache.get('feed:/feed', 5, NOW, build('feed', NOW + HOUR));
  assert.equal(answer?.hit, false, 'built for this request');
  assert.equal(bodyOf(answer), 'feed #1');
  const entry = answer?.entry;
  assert.equal(cache.lookup('feed:/feed', NOW), entry);
  assert.equal(cache.lookup('feed:/feed', NOW + HOUR - 1), entry, 'a moment before expiry');
  assert.equal(cache.lookup('feed:/feed', NOW + HOUR), undefined, 'at its expiry');
  assert.equal(cache.lookup('feed:/other', NOW), undefined, 'another key');
  const again = await cache.get('feed:/feed', 6, NOW, build('feed'));
  assert.equal(bodyOf(again), 'feed #2', 'rebuilt once it expired');
  assert.equal((await cache.get('feed:/feed', 7, NOW, build('feed')))?.hit, true);
});

test('an invalidation drops exactly the entries built from the keys it names', async () => {
  const { cache, build } = harness();
  await cache.get('page:/a', 1, NOW, build('a', undefined, ['site', 'article:1', 'user:1']));
  await cache.get('page:/b', 1, NOW, build('b', undefined, ['site', 'article:2', 'user:2']));
  await cache.get('page:/', 1, NOW, build('home', undefined, ['site', 'home', 'article:1']));
  await cache.get('page:/t/js', 1, NOW, build('js', undefined, ['site', 'tag:js', 'article:2']));

  cache.invalidate(['article:1'], 2);
  assert.equal(cache.lookup('page:/a', NOW), undefined, 'its page');
  assert.equal(cache.lookup('page:/', NOW), undefined, 'a list showing it');
  assert.ok(cache.lookup('page:/b', NOW), 'another article stays');
  assert.ok(cache.lookup('page:/t/js', NOW), 'a list without it stays');

  cache.invalidate(['tag:rust', 'user:9'], 3);
  assert.ok(cache.lookup('page:/b', NOW), 'keys nothing was built from drop nothing');
  assert.equal(cache.size, 2);

  cache.invalidate(['site'], 4);
  assert.equal(cache.size, 0, 'every page shows the site');
  assert.equal(cache.bytes, 0);
});

test('an invalidation of everything (null) drops every entry', async () => {
  const { cache, build } = harness();
  await cache.get('a', 1, NOW, build('a', undefined, ['x']));
  await cache.get('b', 1, NOW, build('b', undefined, []));
  cache.invalidate(null, 2);
  assert.equal(cache.size, 0);
});

test('a build under way when one of its keys changes is answered but not kept', async () => {
  const { cache, build, builds } = harness();
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow = (keys: string[]) => async () => {
    await gate;
    return build('slow', undefined, keys)();
  };
  const changed = cache.get('page:/a', 1, NOW, slow(['article:1']));
  const unrelated = cache.get('page:/b', 1, NOW, slow(['article:2']));
  cache.invalidate(['article:1'], 2);
  release();
  assert.equal((await changed)?.hit, false, 'the waiting request gets an answer');
  await unrelated;
  assert.equal(cache.lookup('page:/a', NOW), undefined, 'what it read may be older than event 2');
  assert.ok(cache.lookup('page:/b', NOW), 'a build of other keys is kept');
  await cache.get('page:/a', 2, NOW, build('a', undefined, ['article:1']));
  assert.ok(cache.lookup('page:/a', NOW), 'built again after the change, it is kept');
  assert.equal(builds(), 3);
});

test('lookups count hits only; get counts its misses, a request waiting on a build included', async () => {
  const { cache, hits, misses, build } = harness();
  assert.equal(cache.lookup('feed:a', NOW), undefined);
  assert.deepEqual([hits, misses], [[], []], 'a lookup miss is left to the get that follows');
  const both = await Promise.all([
    cache.get('feed:a', 1, NOW, build()),
    cache.get('feed:a', 1, NOW, build()),
  ]);
  assert.deepEqual(
    both.map((a) => a?.hit),
    [false, false],
  );
  assert.deepEqual(misses, ['feed:a', 'feed:a']);
  assert.ok(cache.lookup('feed:a', NOW));
  await cache.get('feed:a', 1, NOW, build());
  assert.deepEqual(hits, ['feed:a', 'feed:a']);
  assert.deepEqual(misses, ['feed:a', 'feed:a']);
});

test('requests that arrive together share one build', async () => {
  const { cache, build, builds } = harness();
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow = build('slow');
  const waiting = async () => {
    await gate;
    return slow();
  };
  const asked = Array.from({ length: 5 }, () => cache.get('feed:x', 1, NOW, waiting));
  release();
  const answers = await Promise.all(asked);
  assert.equal(builds(), 1);
  for (const a of answers) assert.equal(a?.entry, answers[0]?.entry, 'the very same entry');
});

test('a build that finds nothing caches nothing; one that fails is tried afresh next time', async () => {
  const { cache, build, builds } = harness();
  assert.equal(await cache.get('page:/gone', 1, NOW, async () => null), null);
  assert.equal(cache.lookup('page:/gone', NOW), undefined);

  const failing = async (): Promise<BuildResult> => {
    throw new Error('render failed');
  };
  const both = [cache.get('page:/x', 1, NOW, failing), cache.get('page:/x', 1, NOW, build())];
  for (const asked of both) await assert.rejects(asked, /render failed/);
  assert.equal(builds(), 0, 'the second request waited on the first build');
  assert.equal(bodyOf(await cache.get('page:/x', 1, NOW, build())), 'page #1');
});

test('when the bytes run out, the entry used least recently leaves first', async () => {
  const probe = await prepare(built('a #1'), 1);
  // Room for two entries of this size, not three.
  const { cache, build } = harness(probe.bytes * 2 + probe.bytes / 2);
  await settled(cache.get('a', 1, NOW, build('a')));
  await settled(cache.get('b', 1, NOW, build('b')));
  assert.ok(cache.lookup('a', NOW), 'a hit on a makes b the least recently used');
  await settled(cache.get('c', 1, NOW, build('c')));
  assert.ok(cache.lookup('a', NOW));
  assert.equal(cache.lookup('b', NOW), undefined, 'b leaves');
  assert.ok(cache.lookup('c', NOW));
  assert.ok(cache.bytes <= probe.bytes * 2.5, `${cache.bytes} bytes held`);
});

test('an entry used while the cache fills stays; the older ones leave', async () => {
  // Bodies of one length, so that each entry weighs the same.
  const body = (i: number) => `entry ${String(i).padStart(2, '0')}`;
  const make = (i: number) => async () => built(body(i));
  const probe = await prepare(built(body(0)), 1);
  const { cache } = harness(probe.bytes * 10 + probe.bytes / 2);
  for (let i = 0; i < 10; i++) await settled(cache.get(`e${i}`, 1, NOW, make(i)));
  for (let i = 10; i < 15; i++) {
    assert.ok(cache.lookup('e0', NOW), 'e0 is used between every new entry');
    await settled(cache.get(`e${i}`, 1, NOW, make(i)));
  }
  assert.equal(cache.size, 10);
  assert.ok(cache.lookup('e0', NOW), 'e0 stays');
  for (let i = 1; i <= 5; i++) assert.equal(cache.lookup(`e${i}`, NOW), undefined, `e${i} left`);
  for (let i = 6; i < 15; i++) assert.ok(cache.lookup(`e${i}`, NOW), `e${i} stays`);
});

test('an entry larger than the whole cache is answered but not kept', async () => {
  const { cache, build } = harness(100);
  const answer = await cache.get('big', 1, NOW, build('x'.repeat(1000)));
  assert.ok(answer);
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
});

test('clear drops every entry', async () => {
  const { cache, build } = harness();
  await cache.get('a', 1, NOW, build());
  await cache.get('b', 1, NOW, build());
  cache.clear();
  assert.equal(cache.lookup('a', NOW), undefined);
  assert.equal(cache.lookup('b', NOW), undefined);
});

test('a soft key lets the entries that show its count live the lag longer, not past it', async () => {
  let now = NOW;
  const cache = new ResponseCache({ countLagMs: 30_000, now: () => now });
  const list = async (): Promise<BuildResult> => ({
    ...built('home', NOW + HOUR, ['site', 'home', 'article:1']),
    softKeys: ['discussion:1'],
  });
  const page = async (): Promise<BuildResult> =>
    built('article one', Number.POSITIVE_INFINITY, ['site', 'article:1', 'discussion:1']);
  await cache.get('page:/', 1, now, list);
  await cache.get('page:/ada/one', 1, now, page);

  cache.invalidate(['discussion:1'], 2);
  assert.equal(cache.lookup('page:/ada/one', now), undefined, 'the page that depends on it goes');
  assert.ok(cache.lookup('page:/', now), 'the list that shows the count stays');
  // Further changes do not push the end later.
  now += 20_000;
  cache.invalidate(['discussion:1'], 3);
  assert.ok(cache.lookup('page:/', now));
  now = NOW + 30_000;
  assert.equal(cache.lookup('page:/', now), undefined, 'gone once the lag has passed');
  // Soft keys are not sent as Surrogate-Key: the entry's keys hold the hard ones only.
  const again = await cache.get('page:/', 3, now, list);
  assert.deepEqual(again?.entry.keys, ['site', 'home', 'article:1']);
  assert.deepEqual(again?.entry.softKeys, ['discussion:1']);
  assert.equal(again?.entry.expiresAt, NOW + HOUR);
});

test('a build that read a count before it changed is kept, with the lag as its end', async () => {
  const now = NOW;
  const cache = new ResponseCache({ countLagMs: 30_000, now: () => now });
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const building = cache.get('page:/', 1, now, async () => {
    await gate;
    return { ...built('home', NOW + HOUR, ['site', 'home']), softKeys: ['discussion:1'] };
  });
  cache.invalidate(['discussion:1'], 2);
  release();
  const answer = await building;
  assert.equal(answer?.entry.expiresAt, NOW + 30_000);
  assert.ok(cache.lookup('page:/', now), 'kept');
});

test('a build answers once its own encoding is made; the other follows, waited for and weighed', async () => {
  const cache = new ResponseCache();
  const body = Array.from({ length: 400 }, (_, i) => `<p>Paragraph ${i * 7919}</p>`).join('\n');
  let builds = 0;
  const build = async (): Promise<BuildResult> => {
    builds++;
    return built(body);
  };
  const first = await cache.get('page:/', 1, NOW, build, 'br');
  assert.ok(first?.entry.br, 'the encoding asked for is there');
  assert.equal(first?.entry.gzip, null, 'the other is still being made');
  assert.ok(cache.lookup('page:/', NOW, 'br'));
  assert.equal(cache.lookup('page:/', NOW, 'gzip'), undefined, 'a gzip request goes on to get()');

  const second = await cache.get('page:/', 1, NOW, build, 'gzip');
  assert.equal(second?.hit, true);
  assert.equal(builds, 1, 'built once');
  const gzipped = second?.entry.gzip as Buffer;
  assert.equal(gunzipSync(gzipped).toString('utf8'), body);
  assert.ok(cache.lookup('page:/', NOW, 'gzip'));
  const entry = second?.entry;
  assert.equal(
    cache.bytes,
    (entry?.identity.length ?? 0) + gzipped.length + (entry?.br?.length ?? 0),
    'the cache weighs both encodings once both are made',
  );
});

test('at most four builds run at once; the next waits for one to end, and a failed one frees its turn', async () => {
  const cache = new ResponseCache();
  let running = 0;
  let most = 0;
  const releases: Array<() => void> = [];
  const build =
    (fail = false) =>
    async (): Promise<BuildResult> => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      if (fail) throw new Error('no such page');
      return built('page');
    };
  const answers = [0, 1, 2, 3, 4, 5].map((i) =>
    cache.get(`k${i}`, 1, NOW, build(i === 0)).catch((error: Error) => error.message),
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(running, 4, 'four build; two wait');
  releases.shift()?.(); // the failing one
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(running, 4, 'its turn went to the next');
  while (releases.length > 0) {
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const results = await Promise.all(answers);
  assert.equal(results[0], 'no such page');
  assert.equal(results.filter((r) => typeof r === 'object' && r !== null).length, 5);
  assert.equal(most, 4);
});
