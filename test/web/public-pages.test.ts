/**
 * The pages readers see: tag pages, an article's metadata for search engines and link previews,
 * the page cache (ETag, 304, fresh on the next request after any change, never shared with a
 * signed-in person) and the security headers every page carries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CONTENT_SECURITY_POLICY } from '../../src/http/security-headers.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { signInWeb } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let article: { id: number; path: string; url: string };

const HOSTILE = 'Ends </script><script>alert(1)</script> & "quotes"';

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'pages_ada');
  article = await postArticle(server, ada, {
    title: 'Reading query plans',
    body_markdown: 'Plans read **inside out**.',
    published: true,
    tags: ['postgres', 'performance'],
    main_image: 'https://images.example/plan.png',
    description: 'How to read a plan',
  });
  await postArticle(server, ada, {
    title: 'A draft about postgres',
    body_markdown: 'Not yet.',
    published: false,
    tags: ['postgres'],
  });
});
after(() => server.close());

async function page(path: string, headers: Record<string, string> = {}) {
  return server.client().get(path, { headers });
}

describe('tag page', () => {
  test('lists the published articles carrying the tag, links its feed, and not drafts', async () => {
    const res = await page('/t/postgres');
    assert.equal(res.status, 200);
    assert.match(res.text, /<h1>#postgres<\/h1>/);
    assert.match(res.text, /Reading query plans/);
    assert.doesNotMatch(res.text, /A draft about postgres/);
    assert.match(res.text, /<a href="\/feed\/tag\/postgres" class="feed-link">/);
    assert.match(
      res.text,
      /<link rel="alternate" type="application\/rss\+xml" title="#postgres \(RSS\)" href="\/feed\/tag\/postgres">/,
    );
  });

  test('a tag no published article carries, or that cannot be a tag, is a 404 page', async () => {
    for (const path of ['/t/nosuchtag', '/t/not-a-tag', `/t/${'x'.repeat(31)}`]) {
      const res = await page(path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    }
  });
});

describe('article metadata', () => {
  test('canonical link, OpenGraph, Twitter card and a JSON-LD Article', async () => {
    const res = await page(`/${ada.username}/${article.path.split('/').pop()}`);
    assert.equal(res.status, 200);
    const url = `${server.url}/${ada.username}/${article.path.split('/').pop()}`;
    assert.match(res.text, new RegExp(`<link rel="canonical" href="${url}">`));
    assert.match(res.text, /<meta property="og:type" content="article">/);
    assert.match(res.text, /<meta property="og:title" content="Reading query plans">/);
    assert.match(
      res.text,
      /<meta property="og:image" content="https:\/\/images.example\/plan.png">/,
    );
    assert.match(res.text, /<meta property="article:tag" content="postgres">/);
    assert.match(res.text, /<meta name="twitter:card" content="summary_large_image">/);
    const ld = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(res.text);
    assert.ok(ld?.[1], 'a JSON-LD block');
    const data = JSON.parse(ld[1]);
    assert.equal(data['@type'], 'Article');
    assert.equal(data.headline, 'Reading query plans');
    assert.equal(data.author.name, 'pages_ada');
    assert.equal(data.author.url, `${server.url}/${ada.username}`);
    assert.equal(data.keywords, 'postgres, performance');
    assert.ok(Date.parse(data.datePublished));
  });

  test('a hostile title stays text: escaped in the page, and cannot close the JSON-LD script', async () => {
    const hostile = await postArticle(server, ada, {
      title: HOSTILE,
      body_markdown: 'Body.',
      published: true,
    });
    const res = await page(new URL(hostile.url).pathname);
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.text, /<script>alert\(1\)<\/script>/);
    assert.match(
      res.text,
      /<h1>Ends &#60;\/script&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62; &#38; &#34;quotes&#34;<\/h1>/,
    );
    const scripts = res.text.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(
      scripts.map((s) => /type="application\/ld\+json"/.test(s) || /src="\/static\//.test(s)),
      scripts.map(() => true),
      'only the JSON-LD block and the site script',
    );
    const ld = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(res.text);
    assert.equal(JSON.parse(ld?.[1] ?? '{}').headline, HOSTILE);
  });
});

describe('page cache', () => {
  test('a public page has a strong ETag and answers 304 to it', async () => {
    const first = await page('/');
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]+"$/);
    assert.equal(
      first.headers.get('cache-control'),
      'public, max-age=0, s-maxage=60, stale-while-revalidate=30',
    );
    assert.equal(first.headers.get('vary'), 'Accept-Encoding, Cookie');
    assert.equal(first.headers.get('set-cookie'), null, 'a shared page sets no cookie');
    const again = await page('/', { 'if-none-match': etag ?? '' });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
  });

  test('made-up query strings share the page, so they cannot grow the cache', async () => {
    const plain = await page('/');
    const noise = await page('/?utm_source=x&page=1&z=' + 'q'.repeat(50));
    assert.equal(noise.status, 200);
    assert.equal(noise.headers.get('etag'), plain.headers.get('etag'));
    const second = await page('/?page=2');
    assert.notEqual(second.headers.get('etag'), plain.headers.get('etag'));
    // A broken page number is refused, even while page 1 is cached and served by the fast path.
    const nonsense = await page('/?page=nonsense');
    assert.equal(nonsense.status, 422);
    assert.equal(nonsense.headers.get('etag'), null);
  });

  test('gzip and brotli by Accept-Encoding, each with its own validator', async () => {
    const br = await page('/', { 'accept-encoding': 'br' });
    const gz = await page('/', { 'accept-encoding': 'gzip' });
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.notEqual(br.headers.get('etag'), gz.headers.get('etag'));
  });

  test('an edit shows on the next request on every page that lists the article', async () => {
    const paths = ['/', `/${ada.username}`, '/t/postgres', new URL(article.url).pathname];
    const before = new Map<string, string>();
    for (const path of paths) {
      const res = await page(path);
      assert.match(res.text, /Reading query plans/, path);
      before.set(path, res.headers.get('etag') ?? '');
    }
    const res = await server.client().put(`/api/articles/${article.id}`, {
      key: ada.key,
      json: { article: { title: 'Reading query plans, renamed' } },
    });
    assert.equal(res.status, 200, res.text);
    for (const path of paths) {
      const stale = await page(path, { 'if-none-match': before.get(path) ?? '' });
      assert.equal(stale.status, 200, `${path} is not answered 304 after the edit`);
      assert.match(stale.text, /Reading query plans, renamed/, path);
    }
  });

  test('an unpublished article leaves the pages, and its own page is gone', async () => {
    const gone = await postArticle(server, ada, {
      title: 'Here for a moment',
      body_markdown: 'Soon gone.',
      published: true,
      tags: ['postgres'],
    });
    const path = new URL(gone.url).pathname;
    assert.match((await page('/t/postgres')).text, /Here for a moment/);
    assert.equal((await page(path)).status, 200);
    const res = await server.client().put(`/api/articles/${gone.id}`, {
      key: ada.key,
      json: { article: { published: false } },
    });
    assert.equal(res.status, 200, res.text);
    assert.doesNotMatch((await page('/t/postgres')).text, /Here for a moment/);
    assert.doesNotMatch((await page('/')).text, /Here for a moment/);
    assert.equal((await page(path)).status, 404);
  });

  test('a scheduled article appears when its time comes, with no event in between', async () => {
    const at = new Date(server.clock.now().getTime() + 3_600_000).toISOString();
    await postArticle(server, ada, {
      title: 'Published in an hour',
      body_markdown: 'Later.',
      published: true,
      published_at: at,
    });
    assert.doesNotMatch((await page('/')).text, /Published in an hour/);
    server.clock.advance(3_600_000 + 1000);
    assert.match((await page('/')).text, /Published in an hour/);
  });

  test('a signed-in person gets their own page, never the shared one', async () => {
    await page('/');
    const client = await signInWeb(server, ada.username);
    const res = await client.get('/');
    assert.equal(res.status, 200);
    assert.match(res.text, /action="\/signout"/);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    assert.equal(res.headers.get('etag'), null);
    const anonymous = await page('/');
    assert.doesNotMatch(anonymous.text, /action="\/signout"/);
  });

  test('a request with a session cookie, even a stale one, is never answered from the cache', async () => {
    const cached = await page('/');
    assert.match(cached.headers.get('cache-control') ?? '', /^public, .*s-maxage=/);
    const res = await page('/', { cookie: 'quire_session=stale.value' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    assert.equal(res.headers.get('etag'), null);
  });
});

describe('security headers', () => {
  test('pages carry the CSP, nosniff, frame and referrer policies; no HSTS over http', async () => {
    for (const path of ['/', '/enter', '/t/postgres', '/no/such/page']) {
      const res = await page(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.equal(csp, CONTENT_SECURITY_POLICY, path);
      for (const directive of [
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
      ]) {
        assert.ok(csp.split('; ').includes(directive), `${path}: ${directive}`);
      }
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin', path);
      assert.equal(res.headers.get('strict-transport-security'), null, path);
    }
  });

  test('pages of a site served over https also pin browsers to https (HSTS)', async () => {
    const secure = await startTestServer({ env: { QUIRE_BASE_URL: 'https://quire.example' } });
    try {
      const res = await secure.client().get('/enter');
      assert.match(res.headers.get('strict-transport-security') ?? '', /^max-age=31536000/);
    } finally {
      await secure.close();
    }
  });

  test('pages hold no inline script, no event handler attributes and no style attributes', async () => {
    for (const path of ['/', '/enter', '/signup', `/${ada.username}`, '/t/postgres']) {
      const text = (await page(path)).text;
      for (const tag of text.match(/<script[^>]*>/g) ?? []) {
        assert.match(tag, /src="\/static\/quire\.[\w-]+\.js"|type="application\/ld\+json"/, path);
      }
      assert.doesNotMatch(text, /\son[a-z]+="/i, path);
      assert.doesNotMatch(text, /\sstyle="/i, path);
    }
  });
});
