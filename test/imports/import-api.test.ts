/**
 * POST /api/feeds/import end to end: every feed format from a real HTTP server, autodiscovery,
 * how items become articles (Markdown, URLs, titles, tags, dates, drafts, canonical links), the
 * summary, and idempotency, including articles the author deleted (Forem bugs #137, #175).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { splitFrontMatter } from '../../src/render/front-matter.ts';
import { assertProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import {
  ATOM,
  type FeedServer,
  fixture,
  HTML,
  JSON_FEED,
  RSS,
  rssFeed,
  rssItem,
  startFeedServer,
} from './feed-server.ts';
import {
  articlesByTitle,
  articlesOf,
  attributes,
  codeBlocks,
  importUrl,
  textOf,
} from './support.ts';

let server: TestServer;
let feeds: FeedServer;

before(async () => {
  server = await startTestServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1' },
    now: '2026-06-01T12:00:00.000Z',
  });
  await makeAuthor(server, 'site_admin');
  feeds = await startFeedServer();
});
after(async () => {
  await feeds.close();
  await server.close();
});

const PYTHON = `class Greeter:
    def __init__(self, name):
        self._name = name  # keep __dunder__ and snake_case_names

\tdef greet(self, *args, **kwargs):
        return f"Hello, {self._name}!"  # <b>not markup</b> & not_emphasis_
`;
const LONG_TITLE =
  'Importing a decade of posts from an old blog into Quire without losing code blocks, tables, images or the dates that readers remember them by';
const CUT_TITLE =
  'Importing a decade of posts from an old blog into Quire without losing code blocks, tables, images or the dates that readers';
const ITEM_LINK = 'https://blog.example.com/posts/mapping.html';
const MAPPING_HTML = `<p>Intro with a <a href="/about">relative link</a>, an <a href="https://other.example.org/x?a=1&amp;b=2">absolute one</a> and <code>inline_code</code>.</p>
<p><img src="img/diagram.png" alt="A diagram"></p>
<pre><code class="language-python">${PYTHON.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</code></pre>
<table><thead><tr><th>Flag</th><th>Meaning</th></tr></thead>
<tbody><tr><td><code>--publish</code></td><td>publish at once</td></tr>
<tr><td><code>--canonical</code></td><td>point back here</td></tr></tbody></table>`;
const MAPPING_FEED = rssFeed([
  rssItem({
    title: LONG_TITLE,
    link: ITEM_LINK,
    guid: 'mapping-1',
    date: 'Wed, 11 Mar 2026 14:30:45 +0100',
    categories: ['Web Development', 'C++', 'node.js', '#JavaScript', 'Café', 'rust'],
    html: MAPPING_HTML,
  }),
]);

describe('formats', () => {
  let reader: Author;
  before(async () => {
    reader = await makeAuthor(server, 'formats');
  });

  const cases = [
    {
      file: 'rss-091.xml',
      type: RSS,
      titles: ['Ferry timetable changes for spring', 'Lighthouse open day'],
    },
    {
      file: 'dev-author.xml',
      type: RSS,
      titles: [
        'Narrowing unions in TypeScript without a single cast',
        'What a 3 a.m. Postgres migration taught me about lock_timeout',
        'Tabs & spaces: how our team called a truce',
      ],
    },
    {
      file: 'rdf-10.xml',
      type: 'application/rdf+xml',
      titles: ['A fume extractor from a PC fan', 'Rebuilding a bench power supply'],
    },
    {
      file: 'atom-xhtml.xml',
      type: ATOM,
      titles: ['Watering schedules as cron jobs', 'Soil < 10 °C: wait', 'Seed catalogue links'],
    },
    {
      file: 'json-feed-1.0.json',
      type: 'application/json',
      titles: ['Rain on a tin roof', 'Harbour gulls (guest link)'],
    },
    {
      file: 'json-feed-1.1.json',
      type: JSON_FEED,
      titles: ['Constant folding in forty lines', 'SSA by hand'],
    },
    {
      file: 'windows-1252.xml',
      type: 'application/xml',
      titles: ['Preise für 2026: Espresso 2,40 €'],
    },
  ];

  for (const c of cases) {
    test(`${c.file} imports every item`, async () => {
      const path = `/formats/${c.file}`;
      feeds.serve(path, { body: fixture(c.file), type: c.type });
      const before = new Set((await articlesOf(server, reader)).map((a) => a.id));
      const res = await importUrl(server, reader, feeds.url(path), {
        publish: true,
        canonical: true,
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json(), {
        total: c.titles.length,
        imported: c.titles.length,
        skipped: 0,
        failed: [],
      });
      const added = (await articlesOf(server, reader)).filter((a) => !before.has(a.id));
      assert.deepEqual(added.map((a) => a.title).sort(), [...c.titles].sort());
      for (const a of added) assert.equal(a.published, true);
    });
  }

  test('Atom: xml:base and relative links become absolute against the feed URL', async () => {
    const articles = await articlesByTitle(server, reader);
    const watering = articles.get('Watering schedules as cron jobs');
    assert.ok(watering);
    assert.equal(watering.canonical_url, feeds.url('/garden/2026/03/watering-cron.html'));
    assert.deepEqual(attributes(watering.body_html, 'a', 'href'), [feeds.url('/garden/cron.html')]);
    assert.deepEqual(
      codeBlocks(watering.body_html).map((b) => b.text),
      ['0 6 * * * /usr/local/bin/water --zone=tomatoes --litres=2\n'],
    );
    assert.equal(watering.published_at, '2026-03-29T16:20:00Z');
    // An entry with only <updated> is dated by it.
    assert.equal(articles.get('Soil < 10 °C: wait')?.published_at, '2026-03-12T09:00:00Z');
    assert.deepEqual(watering.tags, ['automation', 'garden']);
  });

  test('RDF: dc:date and dc:subject are kept; JSON Feed 1.1 code keeps its language', async () => {
    const articles = await articlesByTitle(server, reader);
    const fume = articles.get('A fume extractor from a PC fan');
    assert.equal(fume.published_at, '2026-02-14T20:05:00Z');
    assert.deepEqual(fume.tags, ['electronics', 'workshop']);
    assert.equal(fume.canonical_url, 'https://tinkerlog.example.com/2026/02/solder-fumes/');
    const folding = articles.get('Constant folding in forty lines');
    assert.match(folding.body_markdown, /\n```rust\nfn fold\(e: Expr\) -> Expr \{ e \}\n```\n/);
    assert.equal(folding.published_at, '2026-05-04T06:30:00Z');
    const preise = articles.get('Preise für 2026: Espresso 2,40 €');
    assert.match(textOf(preise.body_html), /Naïve Frage: warum kostet der Café crème mehr\?/);
  });
});

describe('autodiscovery', () => {
  test('an HTML page is followed to the first feed it advertises', async () => {
    const finder = await makeAuthor(server, 'finder');
    feeds.serve('/lamplight/', { body: fixture('page-with-alternates.html'), type: HTML });
    // The page's <base href="/journal/"> makes its first alternate /journal/feed.xml.
    feeds.serve('/journal/feed.xml', { body: fixture('dev-author.xml'), type: RSS });
    const seenBefore = feeds.requests.length;
    const res = await importUrl(server, finder, feeds.url('/lamplight/'));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { total: 3, imported: 3, skipped: 0, failed: [] });
    assert.deepEqual(
      feeds.requests.slice(seenBefore).map((r) => r.path),
      ['/lamplight/', '/journal/feed.xml'],
    );
    assert.equal((await articlesOf(server, finder)).length, 3);
  });

  test('a page whose advertised feed is itself a page is refused, importing nothing', async () => {
    const finder = await makeAuthor(server, 'finder_two');
    feeds.serve('/loop/', {
      body: '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/loop/feed"></head></html>',
      type: HTML,
    });
    feeds.serve('/loop/feed', { body: fixture('page-with-alternates.html'), type: HTML });
    const res = await importUrl(server, finder, feeds.url('/loop/'));
    const body = assertProblem(res, { status: 422, code: 'validation_failed', field: 'url' });
    assert.match(body.detail, /HTML page, not a feed/);
    assert.equal((await articlesOf(server, finder)).length, 0);
  });
});

describe('mapping an item onto an article', () => {
  let drafter: Author;
  let publisher: Author;
  let draft: any;
  let published: any;

  before(async () => {
    drafter = await makeAuthor(server, 'drafter');
    publisher = await makeAuthor(server, 'publisher');
    feeds.serve('/mapping.xml', { body: MAPPING_FEED, type: RSS });
    const first = await importUrl(server, drafter, feeds.url('/mapping.xml'));
    assert.equal(first.status, 200, first.text);
    const second = await importUrl(server, publisher, feeds.url('/mapping.xml'), {
      publish: true,
      canonical: true,
    });
    assert.equal(second.status, 200, second.text);
    [draft] = await articlesOf(server, drafter);
    [published] = await articlesOf(server, publisher);
    assert.ok(draft && published);
  });

  test('without --publish the article is a draft that keeps the date in its front matter', async () => {
    assert.equal(draft.published, false);
    assert.equal(draft.published_at, null);
    const { data } = splitFrontMatter(draft.body_markdown);
    assert.ok(data);
    assert.equal(new Date(String(data.date)).toISOString(), '2026-03-11T13:30:45.000Z');
    assert.equal(data.published, false);
    const publicList = await server.client().get('/api/articles?username=drafter');
    assert.deepEqual(publicList.json(), [], 'a draft is not public');
  });

  test('with --publish, published_at is the item date, and the article is public', async () => {
    assert.equal(published.published, true);
    assert.equal(published.published_at, '2026-03-11T13:30:45Z');
    const publicList = await server.client().get('/api/articles?username=publisher');
    assert.deepEqual(
      publicList.json().map((a: { id: number }) => a.id),
      [published.id],
    );
  });

  test('--canonical points canonical_url at the item link; without it the article is its own', () => {
    assert.equal(published.canonical_url, ITEM_LINK);
    assert.equal(draft.canonical_url, draft.url);
    assert.notEqual(draft.canonical_url, ITEM_LINK);
  });

  test('the title is cut at 128 characters on a word boundary', () => {
    assert.ok(CUT_TITLE.length <= 128 && LONG_TITLE.startsWith(`${CUT_TITLE} `));
    assert.ok(LONG_TITLE.length > 128);
    assert.equal(draft.title, CUT_TITLE);
    assert.equal(published.title, CUT_TITLE);
  });

  test('categories become at most 4 tags under the tag rules, in feed order', () => {
    assert.deepEqual(published.tags, ['webdevelopment', 'c', 'nodejs', 'javascript']);
    assert.deepEqual(draft.tags, ['webdevelopment', 'c', 'nodejs', 'javascript']);
  });

  test('code blocks keep every character and their language', () => {
    for (const article of [draft, published]) {
      assert.ok(
        article.body_markdown.includes(`\`\`\`python\n${PYTHON}\`\`\``),
        article.body_markdown,
      );
      const [block, ...rest] = codeBlocks(article.body_html);
      assert.equal(rest.length, 0);
      assert.ok(block);
      assert.equal(block.text, PYTHON);
      assert.ok(block.classes.includes('language-python'), block.classes.join(' '));
    }
  });

  test('tables, images and links survive, with relative URLs made absolute', () => {
    const html: string = published.body_html;
    assert.deepEqual(attributes(html, 'img', 'src'), [
      'https://blog.example.com/posts/img/diagram.png',
    ]);
    assert.deepEqual(attributes(html, 'img', 'alt'), ['A diagram']);
    assert.deepEqual(attributes(html, 'a', 'href').slice(0, 2), [
      'https://blog.example.com/about',
      'https://other.example.org/x?a=1&b=2',
    ]);
    assert.match(published.body_markdown, /\| *Flag *\| *Meaning *\|/);
    const cells = /<table>[\s\S]*<\/table>/.exec(html)?.[0] ?? '';
    assert.equal(
      textOf(cells),
      'Flag Meaning --publish publish at once --canonical point back here',
    );
    assert.match(cells, /<th>Flag<\/th>/);
    assert.match(cells, /<td><code>--publish<\/code><\/td>/);
    assert.match(html, /<code>inline_code<\/code>/);
  });
});

describe('idempotency', () => {
  test('a second run skips everything and writes nothing', async () => {
    const author = await makeAuthor(server, 'twice');
    feeds.serve('/twice.xml', { body: fixture('dev-author.xml'), type: RSS });
    const first = await importUrl(server, author, feeds.url('/twice.xml'), { publish: true });
    assert.deepEqual(first.json(), { total: 3, imported: 3, skipped: 0, failed: [] });
    const state = await snapshot(server);
    const second = await importUrl(server, author, feeds.url('/twice.xml'), { publish: true });
    assert.equal(second.status, 200);
    assert.deepEqual(second.json(), { total: 3, imported: 0, skipped: 3, failed: [] });
    assert.deepEqual(await snapshot(server), state);
  });

  test('items are known by guid, else by link, whatever else changes', async () => {
    const author = await makeAuthor(server, 'keyed');
    const path = '/keyed.xml';
    feeds.serve(path, {
      type: RSS,
      body: rssFeed([
        rssItem({ title: 'With a guid', guid: 'g-1', link: 'https://k.example/a' }),
        rssItem({ title: 'Link only', link: 'https://k.example/b' }),
      ]),
    });
    assert.deepEqual((await importUrl(server, author, feeds.url(path))).json(), {
      total: 2,
      imported: 2,
      skipped: 0,
      failed: [],
    });
    feeds.serve(path, {
      type: RSS,
      body: rssFeed([
        rssItem({ title: 'With a guid, retitled', guid: 'g-1', link: 'https://k.example/moved' }),
        rssItem({ title: 'Link only, retitled', link: 'https://k.example/b' }),
        rssItem({ title: 'Same link, its own guid', guid: 'g-2', link: 'https://k.example/b' }),
      ]),
    });
    assert.deepEqual((await importUrl(server, author, feeds.url(path))).json(), {
      total: 3,
      imported: 1,
      skipped: 2,
      failed: [],
    });
    assert.deepEqual(
      (await articlesOf(server, author)).map((a) => a.title),
      ['With a guid', 'Link only', 'Same link, its own guid'],
    );
  });

  test('a repeated item inside one feed is imported once', async () => {
    const author = await makeAuthor(server, 'repeats');
    feeds.serve('/repeats.xml', {
      type: RSS,
      body: rssFeed([
        rssItem({ title: 'Once', guid: 'r-1' }),
        rssItem({ title: 'Once again', guid: 'r-1' }),
      ]),
    });
    assert.deepEqual((await importUrl(server, author, feeds.url('/repeats.xml'))).json(), {
      total: 2,
      imported: 1,
      skipped: 1,
      failed: [],
    });
    assert.deepEqual(
      (await articlesOf(server, author)).map((a) => a.title),
      ['Once'],
    );
  });

  test('an imported article the author deleted never comes back (Forem #137, #175)', async () => {
    const author = await makeAuthor(server, 'deleter');
    feeds.serve('/deleter.xml', { body: fixture('dev-author.xml'), type: RSS });
    await importUrl(server, author, feeds.url('/deleter.xml'), { publish: true });
    const before = await articlesByTitle(server, author);
    const victim = before.get('Tabs & spaces: how our team called a truce');
    assert.ok(victim);
    const del = await server.client().delete(`/api/articles/${victim.id}`, { key: author.key });
    assert.equal(del.status, 204, del.text);
    for (let run = 0; run < 2; run++) {
      const again = await importUrl(server, author, feeds.url('/deleter.xml'), { publish: true });
      assert.deepEqual(again.json(), { total: 3, imported: 0, skipped: 3, failed: [] });
    }
    const after = await articlesByTitle(server, author);
    assert.equal(after.size, 2);
    assert.equal(after.has(victim.title), false);
  });

  test('two imports of one feed at the same time import each item once', async () => {
    const author = await makeAuthor(server, 'racer');
    feeds.serve('/racer.xml', { body: fixture('dev-author.xml'), type: RSS });
    const results = await Promise.all(
      [0, 1, 2].map(() => importUrl(server, author, feeds.url('/racer.xml'), { publish: true })),
    );
    const summaries = results.map((r) => {
      assert.equal(r.status, 200, r.text);
      return r.json();
    });
    assert.equal(
      summaries.reduce((n, s) => n + s.imported, 0),
      3,
    );
    assert.equal(
      summaries.reduce((n, s) => n + s.skipped, 0),
      6,
    );
    assert.equal((await articlesOf(server, author)).length, 3);
  });

  test('another account importing the same feed gets its own copies', async () => {
    const one = await makeAuthor(server, 'copy_one');
    const two = await makeAuthor(server, 'copy_two');
    feeds.serve('/shared.xml', { body: fixture('rdf-10.xml'), type: RSS });
    for (const author of [one, two]) {
      const res = await importUrl(server, author, feeds.url('/shared.xml'));
      assert.deepEqual(res.json(), { total: 2, imported: 2, skipped: 0, failed: [] });
    }
  });
});

describe('the summary', () => {
  test('items that cannot become articles are listed with a reason; the rest import', async () => {
    const author = await makeAuthor(server, 'partial');
    const deep = `${'<div>'.repeat(600)}too deep${'</div>'.repeat(600)}`;
    feeds.serve('/partial.xml', {
      type: RSS,
      body: rssFeed([
        rssItem({ title: 'Fine', guid: 'p-1', html: '<p>ok</p>' }),
        rssItem({ title: 'Nested to death', guid: 'p-3', html: deep }),
        rssItem({ title: 'Nested without guid or link', html: deep }),
      ]),
    });
    const res = await importUrl(server, author, feeds.url('/partial.xml'));
    assert.equal(res.status, 200, res.text);
    const summary = res.json();
    assert.equal(summary.total, 3);
    assert.equal(summary.imported, 1);
    assert.equal(summary.skipped, 0);
    assert.deepEqual(
      summary.failed.map((f: { item: string }) => f.item),
      ['Nested to death', 'Nested without guid or link'],
    );
    for (const failure of summary.failed)
      assert.match(failure.reason, /nested more than \d+ elements deep/);
    assert.deepEqual(
      (await articlesOf(server, author)).map((a) => a.title),
      ['Fine'],
    );
  });

  test('the import needs an API key', async () => {
    const state = await snapshot(server);
    const res = await server
      .client()
      .post('/api/feeds/import', { json: { url: feeds.url('/mapping.xml') } });
    assertProblem(res, { status: 401, code: 'unauthorized' });
    assert.deepEqual(await snapshot(server), state);
  });
});
