/**
 * Feed responses over time: validators and conditional GET, gzip and brotli, HEAD, and that no
 * feed is stale after a write through the API or once a scheduled article's time has come.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { articleKey } from '../../src/events/cache-keys.ts';
import { appendEvent } from '../../src/events/outbox.ts';
import { type Author, makeAuthor, postArticle, snapshot } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import {
  headerOf,
  rawRequest,
  readXml,
  rssParser,
  socketRequest,
  toSecond,
} from './feed-readers.ts';

let server: TestServer;
let fresh: Author;
let other: Author;
let anchorId: number;

const SCOPES = ['/feed/fresh', '/feed/tag/fresh', '/feed'];
const SUFFIXES = ['', '.atom', '.json'];
const ALL = SCOPES.flatMap((scope) => SUFFIXES.map((suffix) => scope + suffix));

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'siteadmin');
  fresh = await makeAuthor(server, 'fresh');
  other = await makeAuthor(server, 'other');
  const anchor = await postArticle(server, fresh, {
    title: 'Anchor',
    body_markdown: 'Always here.',
    published: true,
    tags: ['fresh'],
  });
  anchorId = anchor.id;
});
after(() => server.close());

/** Time moves between writes, so that second-precision dates tell them apart. */
const later = () => server.clock.advance(60_000);

interface Item {
  url: string;
  title: string;
  html: string;
  /** To the second, as the API writes `published_at`. */
  published: string;
}

/** The items of a feed, whatever its format, read back from the served document. */
async function items(path: string): Promise<Item[]> {
  const res = await server.client().get(path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  if (path.endsWith('.json')) {
    return JSON.parse(res.text).items.map((i: any) => ({
      url: i.url,
      title: i.title,
      html: i.content_html,
      published: toSecond(i.date_published),
    }));
  }
  if (path.endsWith('.atom')) {
    return (readXml(res.text).feed.entry ?? []).map((e: any) => ({
      url: e.id,
      title: e.title['#text'],
      html: e.content['#text'],
      published: toSecond(e.published),
    }));
  }
  const feed = await rssParser.parseString(res.text);
  return feed.items.map((i) => ({
    url: i.link ?? '',
    title: i.title ?? '',
    html: i.content ?? '',
    published: toSecond(i.pubDate ?? ''),
  }));
}

interface Validators {
  etag: string;
  lastModified: string;
}

/** Fetches every feed (warming its cache) and returns each one's identity validators. */
async function validators(): Promise<Map<string, Validators>> {
  const out = new Map<string, Validators>();
  for (const path of ALL) {
    const res = await rawRequest(server.url, path);
    assert.equal(res.status, 200, path);
    out.set(path, {
      etag: String(res.headers.etag),
      lastModified: String(res.headers['last-modified']),
    });
  }
  return out;
}

/**
 * After a write: every feed has a new ETag, and a client holding the old copy gets the new one
 * (200) whether it revalidates with If-None-Match or with If-Modified-Since alone.
 */
async function assertAllChanged(before: Map<string, Validators>) {
  for (const path of ALL) {
    const old = before.get(path);
    assert.ok(old);
    const byTag = await rawRequest(server.url, path, { 'if-none-match': old.etag });
    assert.equal(byTag.status, 200, `${path}: If-None-Match with the old ETag`);
    assert.notEqual(byTag.headers.etag, old.etag, path);
    const byDate = await rawRequest(server.url, path, { 'if-modified-since': old.lastModified });
    assert.equal(byDate.status, 200, `${path}: If-Modified-Since with the old Last-Modified`);
  }
}

async function apiView(id: number) {
  const res = await server.client().get(`/api/articles/${id}`);
  assert.equal(res.status, 200);
  return res.json();
}

/** Every feed lists the article exactly as the API shows it. */
async function assertEverywhere(id: number) {
  const api = await apiView(id);
  for (const path of ALL) {
    const found = (await items(path)).filter((i) => i.url === api.url);
    const expected = {
      url: api.url,
      title: api.title,
      html: api.body_html,
      published: api.published_at,
    };
    assert.deepEqual(found, [expected], path);
  }
}

async function assertNowhere(url: string) {
  for (const path of ALL) {
    const urls = (await items(path)).map((i) => i.url);
    assert.ok(!urls.includes(url), `${path} still lists ${url}`);
  }
}

test('validators and caching headers on every format', async () => {
  for (const path of ALL) {
    const res = await rawRequest(server.url, path);
    assert.equal(res.status, 200, path);
    assert.match(String(res.headers.etag), /^"[^"]+"$/, `${path}: a strong ETag`);
    assert.ok(!Number.isNaN(Date.parse(String(res.headers['last-modified']))));
    assert.match(
      String(res.headers['last-modified']),
      /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    assert.match(String(res.headers['cache-control']), /max-age=\d+/);
    assert.equal(res.headers.vary, 'Accept-Encoding');
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(Number(res.headers['content-length']), res.body.length);
  }
});

test('conditional GET: 304 when a validator matches, 200 otherwise; If-None-Match wins', async () => {
  for (const path of ALL) {
    const first = await rawRequest(server.url, path);
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);
    const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
    const cases: [Record<string, string>, number, string][] = [
      [{ 'if-none-match': etag }, 304, 'same ETag'],
      [{ 'if-none-match': `"other", ${etag}` }, 304, 'ETag in a list'],
      [{ 'if-none-match': '*' }, 304, 'any'],
      [{ 'if-none-match': '"not-this-one"' }, 200, 'another ETag'],
      [{ 'if-modified-since': lastModified }, 304, 'not modified since'],
      [
        { 'if-modified-since': new Date(Date.parse(lastModified) + 60_000).toUTCString() },
        304,
        'later',
      ],
      [{ 'if-modified-since': earlier }, 200, 'modified since'],
      [{ 'if-modified-since': 'not a date' }, 200, 'a bad date'],
      [
        { 'if-none-match': '"not-this-one"', 'if-modified-since': lastModified },
        200,
        'INM wins (no match)',
      ],
      [{ 'if-none-match': etag, 'if-modified-since': earlier }, 304, 'INM wins (match)'],
    ];
    for (const [headers, status, what] of cases) {
      const res = await rawRequest(server.url, path, headers);
      assert.equal(res.status, status, `${path}: ${what}`);
      assert.equal(res.headers.etag, etag, `${path}: ${what}`);
      assert.equal(res.headers['cache-control'], first.headers['cache-control']);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      if (status === 304) assert.equal(res.body.length, 0, `${path}: a 304 has no body`);
      else assert.deepEqual(res.body, first.body);
    }
  }
});

test('gzip and brotli by Accept-Encoding: the same document, each with its own ETag', async () => {
  const choices: [string, string | undefined][] = [
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['br;q=1.0, gzip;q=0.5', 'br'],
    ['gzip;q=1.0, br;q=0.2', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['deflate', undefined],
    ['identity', undefined],
  ];
  for (const path of ALL) {
    const plain = await rawRequest(server.url, path);
    const tags = new Set([plain.headers.etag]);
    for (const [accept, expected] of choices) {
      const res = await rawRequest(server.url, path, { 'accept-encoding': accept });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], expected, `${path} with ${accept}`);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.equal(res.headers['content-type'], plain.headers['content-type']);
      assert.equal(Number(res.headers['content-length']), res.body.length);
      const decoded =
        expected === 'gzip'
          ? gunzipSync(res.body)
          : expected === 'br'
            ? brotliDecompressSync(res.body)
            : res.body;
      assert.deepEqual(decoded, plain.body, `${path} with ${accept} decodes to the same bytes`);
      if (expected) assert.ok(res.body.length < plain.body.length, 'it is compressed');
      tags.add(res.headers.etag);
      // Each variant revalidates with its own ETag.
      const again = await rawRequest(server.url, path, {
        'accept-encoding': accept,
        'if-none-match': String(res.headers.etag),
      });
      assert.equal(again.status, 304);
      assert.equal(again.headers.etag, res.headers.etag);
    }
    assert.equal(tags.size, 3, `${path}: identity, gzip and brotli have distinct ETags`);
  }
});

test('each version is built and compressed once, not per request', async () => {
  const path = '/feed/fresh';
  const first = {
    br: await rawRequest(server.url, path, { 'accept-encoding': 'br' }),
    gzip: await rawRequest(server.url, path, { 'accept-encoding': 'gzip' }),
  };
  // Changed behind the application's back: no event names the article, so the copy stays.
  await server.ctx.database.db
    .updateTable('articles')
    .set({ title: 'Changed out of band' })
    .where('id', '=', anchorId)
    .execute();
  for (let i = 0; i < 3; i++) {
    for (const encoding of ['br', 'gzip'] as const) {
      const res = await rawRequest(server.url, path, { 'accept-encoding': encoding });
      assert.equal(res.headers.etag, first[encoding].headers.etag);
      assert.deepEqual(res.body, first[encoding].body, 'byte-identical: the stored copy is sent');
    }
    assert.ok(!(await items(path)).some((item) => item.title === 'Changed out of band'));
  }
  // A write elsewhere (another author's draft) names none of the feed's keys: still the copy.
  later();
  await postArticle(server, other, { title: 'Unrelated draft', body_markdown: 'x' });
  assert.equal(
    (await rawRequest(server.url, path, { 'accept-encoding': 'br' })).headers.etag,
    first.br.headers.etag,
  );
  // An event naming the article drops the copy; the feed is then rebuilt.
  await touch(articleKey(anchorId));
  assert.ok((await items(path)).some((item) => item.title === 'Changed out of band'));
  const rebuilt = await rawRequest(server.url, path, { 'accept-encoding': 'br' });
  assert.notEqual(rebuilt.headers.etag, first.br.headers.etag);
  await server.ctx.database.db
    .updateTable('articles')
    .set({ title: 'Anchor' })
    .where('id', '=', anchorId)
    .execute();
  await touch(articleKey(anchorId));
  assert.equal(
    (await rawRequest(server.url, path, { 'accept-encoding': 'br' })).headers.etag,
    first.br.headers.etag,
    'the same content has the same ETag again',
  );
});

/** Appends an event naming `key` and nothing else, as a change of what it names would. */
async function touch(key: string): Promise<void> {
  await server.ctx.database.transaction((tx) =>
    appendEvent(
      tx,
      { type: 'site.updated', subject: 'test', data: {}, ownerId: null, keys: [key] },
      server.clock.now(),
    ),
  );
}

test('an ETag changes only when its feed does', async () => {
  const start = await validators();
  later();
  await postArticle(server, other, { title: 'A draft elsewhere', body_markdown: 'x' });
  const afterDraft = await validators();
  for (const path of ALL) {
    assert.equal(afterDraft.get(path)?.etag, start.get(path)?.etag, `${path} after a draft`);
  }
  later();
  await postArticle(server, other, {
    title: 'Published elsewhere',
    body_markdown: 'x',
    published: true,
  });
  const afterOther = await validators();
  for (const path of ALL) {
    const same = !path.startsWith('/feed.') && path !== '/feed';
    assert.equal(
      afterOther.get(path)?.etag === start.get(path)?.etag,
      same,
      `${path} after another author published`,
    );
  }
});

test('HEAD answers with the GET headers and no body', async () => {
  for (const path of ALL) {
    for (const encoding of ['identity', 'gzip', 'br']) {
      const get = await rawRequest(server.url, path, { 'accept-encoding': encoding });
      const head = await socketRequest(server.url, 'HEAD', path, { 'Accept-Encoding': encoding });
      assert.match(head.head, /^HTTP\/1\.1 200 /);
      assert.equal(head.afterHead.length, 0, `${path} (${encoding}): HEAD sent body bytes`);
      for (const name of [
        'etag',
        'last-modified',
        'content-type',
        'content-length',
        'content-encoding',
        'vary',
        'cache-control',
      ]) {
        const value = get.headers[name];
        assert.equal(
          headerOf(head.head, name),
          value === undefined ? undefined : String(value),
          `${path} ${name}`,
        );
      }
      const conditional = await socketRequest(server.url, 'HEAD', path, {
        'Accept-Encoding': encoding,
        'If-None-Match': String(get.headers.etag),
      });
      assert.match(conditional.head, /^HTTP\/1\.1 304 /);
      assert.equal(conditional.afterHead.length, 0);
    }
  }
});

let articleId: number;

test('publishing shows the article in every feed at once', async () => {
  later();
  const draft = await postArticle(server, fresh, {
    title: 'Fresh news',
    body_markdown: 'First version.',
    published: false,
    tags: ['fresh'],
  });
  articleId = draft.id;
  const before = await validators();
  await assertNowhere(`${server.url}/fresh/${draft.slug}`);
  later();
  const put = await server.client().put(`/api/articles/${articleId}`, {
    key: fresh.key,
    json: { article: { published: true } },
  });
  assert.equal(put.status, 200);
  await assertEverywhere(articleId);
  await assertAllChanged(before);
});

test('a new title shows in every feed at once', async () => {
  const before = await validators();
  later();
  const put = await server.client().put(`/api/articles/${articleId}`, {
    key: fresh.key,
    json: { article: { title: 'Fresh news, retitled & <improved>' } },
  });
  assert.equal(put.status, 200);
  await assertEverywhere(articleId);
  for (const path of ALL) {
    assert.ok(!(await items(path)).some((i) => i.title === 'Fresh news'), path);
  }
  await assertAllChanged(before);
});

test('a new body shows in every feed at once', async () => {
  const before = await validators();
  later();
  const put = await server.client().put(`/api/articles/${articleId}`, {
    key: fresh.key,
    json: { article: { body_markdown: 'Second version, with `&amp;` & <em>more</em>.' } },
  });
  assert.equal(put.status, 200);
  assert.match(put.json().body_html, /Second version/);
  await assertEverywhere(articleId);
  await assertAllChanged(before);
});

test('unpublishing removes the article from every feed at once', async () => {
  const url = (await apiView(articleId)).url;
  const before = await validators();
  later();
  const put = await server.client().put(`/api/articles/${articleId}`, {
    key: fresh.key,
    json: { article: { published: false } },
  });
  assert.equal(put.status, 200);
  await assertNowhere(url);
  await assertAllChanged(before);
});

test('deleting removes the article from every feed at once', async () => {
  later();
  const put = await server.client().put(`/api/articles/${articleId}`, {
    key: fresh.key,
    json: { article: { published: true } },
  });
  assert.equal(put.status, 200);
  const url = put.json().url;
  await assertEverywhere(articleId);
  const before = await validators();
  later();
  const res = await server.client().delete(`/api/articles/${articleId}`, { key: fresh.key });
  assert.equal(res.status, 204);
  await assertNowhere(url);
  await assertAllChanged(before);
});

test('a scheduled article appears once the clock passes its date, with no write', async () => {
  const at = new Date(server.clock.now().getTime() + 3_600_000);
  const scheduled = await postArticle(server, fresh, {
    title: 'Scheduled for later',
    body_markdown: 'Patience.',
    published: true,
    published_at: at.toISOString(),
    tags: ['fresh'],
  });
  assert.equal((await server.client().get(`/api/articles/${scheduled.id}`)).status, 404);
  server.clock.set(new Date(at.getTime() - 60_000).toISOString());
  await assertNowhere(scheduled.url);
  const before = await validators();
  const rows = await snapshot(server);
  server.clock.set(new Date(at.getTime() + 1000).toISOString());
  await assertEverywhere(scheduled.id);
  await assertAllChanged(before);
  assert.deepEqual(await snapshot(server), rows, 'nothing was written to make it appear');
});

test('a back-dated publication shows in every feed at once, though it is not the newest', async () => {
  later();
  const draft = await postArticle(server, fresh, {
    title: 'From the archive',
    body_markdown: 'Written long ago.',
    published: false,
    tags: ['fresh'],
  });
  const before = await validators();
  later();
  const put = await server.client().put(`/api/articles/${draft.id}`, {
    key: fresh.key,
    json: { article: { published: true, published_at: '2026-01-15T08:00:00Z' } },
  });
  assert.equal(put.status, 200);
  assert.equal(put.json().published_at, '2026-01-15T08:00:00Z');
  await assertEverywhere(draft.id);
  await assertAllChanged(before);
});

test("retagging takes the article out of the old tag's feed at once", async () => {
  later();
  const article = await postArticle(server, fresh, {
    title: 'Tagged twice',
    body_markdown: 'Both tags.',
    published: true,
    tags: ['fresh', 'extra'],
  });
  await assertEverywhere(article.id);
  const before = await validators();
  later();
  const put = await server.client().put(`/api/articles/${article.id}`, {
    key: fresh.key,
    json: { article: { tags: ['extra'] } },
  });
  assert.equal(put.status, 200);
  for (const suffix of SUFFIXES) {
    const path = `/feed/tag/fresh${suffix}`;
    assert.ok(!(await items(path)).some((i) => i.url === article.url), path);
    assert.ok((await items(`/feed/tag/extra${suffix}`)).some((i) => i.url === article.url));
  }
  await assertAllChanged(before);
});
