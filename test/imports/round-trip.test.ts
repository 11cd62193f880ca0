/**
 * Round trips: a DEV author feed imported and served again as Quire's own RSS, and Quire's RSS,
 * Atom and JSON Feed imported into other accounts. Titles, links, dates, tags, text and code
 * must all come back; a second run imports nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readXml } from '../feeds/feed-readers.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type FeedServer, fixture, RSS, startFeedServer } from './feed-server.ts';
import { articlesOf, codeBlocks, importUrl, textOf, toSecond } from './support.ts';

let server: TestServer;
let feeds: FeedServer;

before(async () => {
  // After the newest item of the DEV fixture, so every imported date is already past.
  server = await startTestServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1' },
    now: '2026-06-01T12:00:00.250Z',
  });
  await makeAuthor(server, 'site_admin');
  feeds = await startFeedServer();
});
after(async () => {
  await feeds.close();
  await server.close();
});

/** The language a rendered or DEV code block names, from its classes. */
function languageOf(classes: string[]): string | null {
  for (const name of classes) {
    const m = /^language-(.+)$/.exec(name);
    if (m?.[1]) return m[1];
  }
  // DEV: <pre class="highlight typescript">
  const rest = classes.filter((c) => c !== 'highlight' && c !== 'hljs');
  return rest[0] ?? null;
}

describe('a DEV author feed, imported and served again', () => {
  let mira: Author;
  let source: any[];
  let served: any[];

  before(async () => {
    mira = await makeAuthor(server, 'mira');
    feeds.serve('/feed/miraokafor', { body: fixture('dev-author.xml'), type: RSS });
    const res = await importUrl(server, mira, feeds.url('/feed/miraokafor'), { publish: true });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { total: 3, imported: 3, skipped: 0, failed: [] });
    source = readXml(fixture('dev-author.xml').toString('utf8')).rss.channel.item;
    const out = await server.client().get('/feed/mira');
    assert.equal(out.status, 200);
    served = readXml(out.text).rss.channel.item;
  });

  test('the same items come back, newest first, with the same titles', () => {
    assert.equal(source.length, 3);
    assert.deepEqual(
      served.map((i) => i.title),
      source.map((i) => i.title),
    );
  });

  test('dates survive to the second', () => {
    assert.deepEqual(
      served.map((i) => toSecond(i.pubDate)),
      source.map((i) => toSecond(i.pubDate)),
    );
    assert.equal(toSecond(served[1].pubDate), '2026-05-01T17:45:12Z');
  });

  test('categories survive', () => {
    assert.deepEqual(
      served.map((i) => i.category ?? []),
      source.map((i) => i.category ?? []),
    );
  });

  test('the body reads the same', () => {
    for (const [i, item] of source.entries()) {
      assert.equal(textOf(served[i].description), textOf(item.description), item.title);
    }
  });

  test('code blocks keep their exact text and their language', () => {
    const before = source.flatMap((i) => codeBlocks(i.description));
    const after = served.flatMap((i) => codeBlocks(i.description));
    assert.equal(before.length, 3);
    assert.deepEqual(
      after.map((b) => b.text),
      before.map((b) => b.text),
    );
    assert.deepEqual(
      after.map((b) => languageOf(b.classes)),
      ['typescript', 'shell', 'plaintext'],
    );
    assert.deepEqual(
      before.map((b) => languageOf(b.classes)),
      ['typescript', 'shell', 'plaintext'],
    );
    assert.equal(after[0]?.dataLang, 'TypeScript');
  });
});

describe("Quire's own feeds, imported into other accounts", () => {
  let alice: Author;
  let originals: any[];
  const TITLE_128 = 'Long titles survive the trip whole: '
    .concat('every word of this one counts toward the limit of one hundred and twenty-eight ')
    .concat('characters exactly')
    .slice(0, 128);

  before(async () => {
    alice = await makeAuthor(server, 'alice');
    const tick = () => server.clock.advance(61_500);
    const posts = [
      {
        title: 'Hello from Quire',
        body_markdown: 'A first post with a list:\n\n- one\n- two\n- three\n',
        tags: ['intro', 'meta'],
      },
      {
        title: 'Python __init__ and *args, kept as written',
        body_markdown: [
          'Before the code.',
          '',
          '```python',
          'class Point:',
          '    def __init__(self, *args, **kwargs):',
          '        self._xy = args  # snake_case_stays',
          '',
          '\tpass',
          '```',
          '',
          'After the code.',
          '',
        ].join('\n'),
        tags: ['python'],
      },
      {
        title: 'Flags at a glance',
        body_markdown: [
          '| Flag | Meaning |',
          '| --- | --- |',
          '| `--publish` | publish at once |',
          '| `--canonical` | point back to the original |',
          '',
        ].join('\n'),
        tags: ['cli', 'reference'],
      },
      {
        title: `Tom & Jerry <3 "quotes" — ünïcödé 🎉`,
        body_markdown:
          'See [the docs](https://docs.example.org/a?b=1&c=2) and this picture:\n\n![A cat](https://images.example.org/cat.png)\n',
        tags: [],
      },
      {
        title: TITLE_128,
        body_markdown: 'Short body, long title. Inline `code_with_underscores` too.\n',
        tags: ['titles'],
      },
    ];
    for (const post of posts) {
      await postArticle(server, alice, { ...post, published: true });
      tick();
    }
    originals = await articlesOf(server, alice);
    assert.equal(originals.length, 5);
    assert.equal(TITLE_128.length, 128);
  });

  for (const [format, suffix] of [
    ['RSS', ''],
    ['Atom', '.atom'],
    ['JSON Feed', '.json'],
  ] as const) {
    describe(format, () => {
      let bob: Author;
      let imported: any[];

      before(async () => {
        bob = await makeAuthor(server, `bob_${suffix.slice(1) || 'rss'}`);
        const res = await importUrl(server, bob, `${server.url}/feed/alice${suffix}`, {
          publish: true,
          canonical: true,
        });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json(), { total: 5, imported: 5, skipped: 0, failed: [] });
        imported = await articlesOf(server, bob);
      });

      const counterpart = (original: any) => {
        const found = imported.filter((b) => b.canonical_url === original.url);
        assert.equal(found.length, 1, `one import points back to ${original.url}`);
        return found[0];
      };

      test('every link: canonical_url of each import is the original URL', () => {
        assert.deepEqual(
          imported.map((b) => b.canonical_url).sort(),
          originals.map((a) => a.url).sort(),
        );
      });

      test('every title', () => {
        for (const a of originals) assert.equal(counterpart(a).title, a.title);
      });

      test('every date, to the second', () => {
        for (const a of originals) {
          const b = counterpart(a);
          assert.equal(b.published, true);
          assert.equal(toSecond(b.published_at), toSecond(a.published_at), a.title);
        }
      });

      test('tags, text, code and tables', () => {
        for (const a of originals) {
          const b = counterpart(a);
          assert.deepEqual(b.tags, a.tags, a.title);
          assert.equal(textOf(b.body_html), textOf(a.body_html), a.title);
          assert.deepEqual(
            codeBlocks(b.body_html).map((c) => [c.text, languageOf(c.classes)]),
            codeBlocks(a.body_html).map((c) => [c.text, languageOf(c.classes)]),
            a.title,
          );
        }
        const table = counterpart(originals[2]);
        assert.match(table.body_html, /<table>[\s\S]*<th>Flag<\/th>[\s\S]*<\/table>/);
        const code = counterpart(originals[1]);
        assert.match(code.body_markdown, /```python\n[\s\S]*\n\tpass\n```/);
      });

      test('a second run imports nothing and skips everything', async () => {
        const again = await importUrl(server, bob, `${server.url}/feed/alice${suffix}`, {
          publish: true,
          canonical: true,
        });
        assert.deepEqual(again.json(), { total: 5, imported: 0, skipped: 5, failed: [] });
        assert.equal((await articlesOf(server, bob)).length, 5);
      });
    });
  }
});
