/**
 * The feeds Quire serves (RSS 2.0, Atom 1.0, JSON Feed 1.1 for an author, a tag and the site),
 * read back with independent parsers and checked against the API's view of the same articles.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Parser as HtmlParser } from 'htmlparser2';
import { createApiKey } from '../../src/modules/apikeys/apikeys.service.ts';
import { createAccount } from '../../src/modules/users/users.service.ts';
import { setSiteName } from '../../src/modules/site/site.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { jsonFeedErrors, RFC822, readXml, rssParser, rssShape, toSecond } from './feed-readers.ts';

const SITE = `Ben & Jerry's <Quire> "Notes"`;
const NAME = `Zoë "Z" O'Brien & <Co> 🎉`;
const TRICKY_TITLE = `Tom & Jerry <3 "quotes" 'apostrophes' ]]> — ünïcödé 🎉`;
const TRICKY_BODY = [
  'Hello & <b>bold</b> ]]> and <i>emoji</i> 🎉 ünïcödé — “quotes”.',
  '',
  '```html',
  '<a href="x?a=1&amp;b=2">&amp; &lt; &gt; &quot;</a> <![CDATA[ raw ]]>',
  '```',
  '',
  'Inline `&amp;` and `]]>` and `<tag>`.',
  '',
].join('\n');

const TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
} as const;
const SUFFIX = { rss: '', atom: '.atom', json: '.json' } as const;
type Format = keyof typeof TYPES;
const FORMATS: Format[] = ['rss', 'atom', 'json'];

let server: TestServer;
let zoe: Author;
let pager: Author;
/** zoe's visible articles, newest first. */
const zoeIds: number[] = [];
/** pager's articles, newest first. */
const pagerIds: number[] = [];
const hiddenTitles: string[] = [];

const minute = () => server.clock.advance(60_000);

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'siteadmin');
  await setSiteName(server.ctx, SITE);
  const user = await createAccount(server.ctx, {
    username: 'zoe',
    email: 'zoe@example.test',
    password: 'a-long-password',
    name: NAME,
  });
  const { key } = await createApiKey(server.ctx, user, 'test');
  zoe = { id: user.id, username: user.username, key, role: user.role };

  const plain = await postArticle(server, zoe, {
    title: 'A plain one',
    body_markdown: 'Just text.',
    published: true,
  });
  minute();
  const tricky = await postArticle(server, zoe, {
    title: TRICKY_TITLE,
    body_markdown: TRICKY_BODY,
    published: true,
    tags: ['xml', 'escaping'],
    cover_image: 'https://images.example.test/cover.png',
  });
  zoeIds.push(tricky.id, plain.id);
  minute();

  const draft = await postArticle(server, zoe, {
    title: 'Hidden draft',
    body_markdown: 'Not yet.',
    published: false,
    tags: ['draftonly', 'xml'],
  });
  const scheduled = await postArticle(server, zoe, {
    title: 'Hidden scheduled',
    body_markdown: 'Tomorrow.',
    published: true,
    published_at: '2026-03-05T09:00:00Z',
    tags: ['xml'],
  });
  const deleted = await postArticle(server, zoe, {
    title: 'Hidden deleted',
    body_markdown: 'Gone.',
    published: true,
    tags: ['xml'],
  });
  const removed = await server.client().delete(`/api/articles/${deleted.id}`, { key: zoe.key });
  assert.equal(removed.status, 204);
  hiddenTitles.push(draft.title, scheduled.title, deleted.title);

  pager = await makeAuthor(server, 'pager');
  for (let i = 1; i <= 14; i++) {
    minute();
    const a = await postArticle(server, pager, {
      title: `Paged article ${i}`,
      body_markdown: `Number ${i}.`,
      published: true,
      tags: ['paging'],
    });
    pagerIds.unshift(a.id);
  }
  await makeAuthor(server, 'quiet');
});
after(() => server.close());

/** `/feed/zoe?page=2` in a format: `/feed/zoe.atom?page=2`. */
function inFormat(path: string, format: Format): string {
  const [p = '', query] = path.split('?');
  return `${p}${SUFFIX[format]}${query === undefined ? '' : `?${query}`}`;
}

async function fetchFeed(path: string, format: Format) {
  const res = await server.client().get(inFormat(path, format));
  assert.equal(res.status, 200, `${inFormat(path, format)}: ${res.status}`);
  assert.equal(res.headers.get('content-type'), TYPES[format]);
  return res.text;
}

/** The API's single-article view, as an anonymous reader gets it. */
async function apiView(id: number) {
  const res = await server.client().get(`/api/articles/${id}`);
  assert.equal(res.status, 200);
  return res.json();
}

/** Item URLs of a feed in any format, with both parsers agreeing for XML. */
async function itemUrls(path: string, format: Format): Promise<string[]> {
  const text = await fetchFeed(path, format);
  if (format === 'json') return JSON.parse(text).items.map((i: { url: string }) => i.url);
  const parsed = await rssParser.parseString(text);
  const viaRssParser = parsed.items.map((i) => i.link);
  const doc = readXml(text);
  const viaXml =
    format === 'rss'
      ? (doc.rss.channel.item ?? []).map((i: { link: string }) => i.link)
      : (doc.feed.entry ?? []).map((e: { link: { '@_href': string }[] }) => e.link[0]?.['@_href']);
  assert.deepEqual(viaRssParser, viaXml, 'the two parsers disagree');
  return viaXml;
}

/** DEV's per-author RSS, element by element (from /work/shared/reference/dev-feed-sample.xml). */
const DEV_SHAPE = {
  channel: ['title', 'description', 'link', 'image', 'atom:link', 'language', 'item'],
  item: ['title', 'dc:creator', 'pubDate', 'link', 'guid', 'description', 'category'],
};
const REFERENCE = '/work/shared/reference/dev-feed-sample.xml';

test('the per-author RSS has the structure of the reference DEV feed', async () => {
  const runs = (names: string[]) => names.filter((n, i) => n !== names[i - 1]);
  const ours = rssShape(await fetchFeed('/feed/zoe', 'rss'));
  // Repeated elements count once: several categories, and atom:link for self and the hub.
  assert.deepEqual({ channel: runs(ours.channel), item: runs(ours.item) }, DEV_SHAPE);
  // The sample itself lives outside the repository; where it is present, check the summary above.
  if (existsSync(REFERENCE)) {
    const reference = rssShape(readFileSync(REFERENCE, 'utf8'));
    assert.deepEqual({ channel: runs(reference.channel), item: runs(reference.item) }, DEV_SHAPE);
  }
});

test('author RSS read by rss-parser agrees with the API', async () => {
  const xml = await fetchFeed('/feed/zoe', 'rss');
  const feed = await rssParser.parseString(xml);
  const views = await Promise.all(zoeIds.map(apiView));
  const profile = `${server.url}/zoe`;
  assert.equal(feed.title, `${SITE}: ${NAME}`);
  assert.equal(feed.description, `The latest articles on ${SITE} by ${NAME} (@zoe).`);
  assert.equal(feed.link, profile);
  assert.equal(feed.feedUrl, `${server.url}/feed/zoe`);
  // The API's picture is the SVG avatar; RSS images may only be GIF, JPEG or PNG.
  assert.equal(views[0].user.profile_image, `${server.url}/avatar/zoe.svg`);
  assert.deepEqual(feed.image, {
    url: `${server.url}/avatar/zoe.png`,
    title: `${SITE}: ${NAME}`,
    link: profile,
  });
  assert.equal(feed.language, 'en');
  assert.equal(feed.paginationLinks?.next, undefined, 'one page: no next link');
  assert.equal(feed.items.length, views.length);
  feed.items.forEach((item, i) => {
    const api = views[i];
    assert.equal(item.title, api.title);
    assert.equal(item.creator, NAME);
    assert.equal(item.link, api.url);
    assert.equal(item.guid, api.url);
    assert.match(item.pubDate ?? '', RFC822);
    assert.equal(toSecond(item.pubDate ?? ''), api.published_at);
    assert.equal(item.content, api.body_html, 'description is the full sanitized HTML');
    assert.deepEqual(item.categories ?? [], api.tags);
  });
  assert.equal(views[0].title, TRICKY_TITLE);
  assert.deepEqual(views[0].tags, ['xml', 'escaping']);
  assert.match(views[0].body_html, /&amp;amp;/, 'the fixture does carry entities inside code');
});

test('author RSS read as plain XML: namespaces, escaping and exact HTML', async () => {
  const xml = await fetchFeed('/feed/zoe', 'rss');
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
  assert.ok(!xml.includes('<![CDATA['), 'bodies are escaped text, so ]]> cannot end anything');
  const { rss } = readXml(xml);
  assert.equal(rss['@_version'], '2.0');
  assert.equal(rss['@_xmlns:atom'], 'http://www.w3.org/2005/Atom');
  assert.equal(rss['@_xmlns:dc'], 'http://purl.org/dc/elements/1.1/');
  const channel = rss.channel;
  assert.equal(channel.title, `${SITE}: ${NAME}`);
  assert.equal(channel.image.title, `${SITE}: ${NAME}`);
  assert.equal(channel.image.link, `${server.url}/zoe`);
  assert.deepEqual(
    channel['atom:link'].map((l: Record<string, string>) => [l['@_rel'], l['@_type'], l['@_href']]),
    [
      ['self', 'application/rss+xml', `${server.url}/feed/zoe`],
      ['hub', undefined, `${server.url}/websub`],
    ],
  );
  const views = await Promise.all(zoeIds.map(apiView));
  assert.equal(channel.item.length, views.length);
  channel.item.forEach((item: any, i: number) => {
    const api = views[i];
    assert.equal(item.title, api.title);
    assert.equal(item['dc:creator'], NAME);
    assert.equal(item.pubDate, new Date(api.published_at).toUTCString().replace('GMT', '+0000'));
    assert.equal(item.link, api.url);
    assert.equal(item.guid, api.url);
    assert.equal(item.description, api.body_html);
    assert.deepEqual(item.category ?? [], api.tags);
  });
});

test('author Atom read by both parsers agrees with the API', async () => {
  const xml = await fetchFeed('/feed/zoe', 'atom');
  const views = await Promise.all(zoeIds.map(apiView));
  const self = `${server.url}/feed/zoe.atom`;

  const parsed = await rssParser.parseString(xml);
  assert.equal(parsed.title, `${SITE}: ${NAME}`);
  assert.equal(parsed.link, `${server.url}/zoe`);
  assert.equal(parsed.feedUrl, self);
  assert.equal(parsed.items.length, views.length);
  parsed.items.forEach((item, i) => {
    const api = views[i];
    assert.equal(item.title, api.title);
    assert.equal(item.link, api.url);
    assert.equal(item.id, api.url);
    assert.equal(toSecond(item.pubDate ?? ''), api.published_at);
    assert.equal(item.author, NAME);
    assert.equal(item.content, api.body_html);
    assert.equal(item.summary, api.description);
    assert.deepEqual(
      (item.categoryNodes ?? []).map((c) => c.$.term),
      api.tags,
    );
  });

  const { feed } = readXml(xml);
  assert.equal(feed['@_xmlns'], 'http://www.w3.org/2005/Atom');
  assert.equal(feed['@_xml:lang'], 'en');
  // RFC 4287's required feed elements.
  assert.equal(feed.id, self);
  assert.equal(feed.title, `${SITE}: ${NAME}`);
  assert.equal(feed.subtitle, `The latest articles on ${SITE} by ${NAME} (@zoe).`);
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  assert.match(feed.updated, rfc3339);
  const links = feed.link.map((l: Record<string, string>) => [
    l['@_rel'],
    l['@_type'],
    l['@_href'],
  ]);
  assert.deepEqual(links, [
    ['alternate', 'text/html', `${server.url}/zoe`],
    ['self', 'application/atom+xml', self],
    ['hub', undefined, `${server.url}/websub`],
  ]);
  assert.equal(feed.entry.length, views.length);
  feed.entry.forEach((entry: any, i: number) => {
    const api = views[i];
    assert.equal(entry.id, api.url);
    assert.equal(entry.title['#text'], api.title);
    assert.equal(entry.title['@_type'], 'text');
    assert.equal(entry.link[0]['@_href'], api.url);
    assert.equal(entry.link[0]['@_rel'], 'alternate');
    assert.match(entry.published, rfc3339);
    assert.match(entry.updated, rfc3339);
    assert.equal(toSecond(entry.published), api.published_at);
    assert.ok(entry.updated >= entry.published);
    assert.equal(entry.author.name, NAME);
    assert.equal(entry.author.uri, `${server.url}/zoe`);
    assert.equal(entry.content['@_type'], 'html');
    assert.equal(entry.content['#text'], api.body_html);
    assert.deepEqual(
      (entry.category ?? []).map((c: any) => c['@_term']),
      api.tags,
    );
  });
  assert.ok(
    feed.entry.every((e: { updated: string }) => e.updated <= feed.updated),
    'the feed is at least as new as its newest entry',
  );
});

test('author JSON Feed is valid JSON Feed 1.1 and agrees with the API', async () => {
  const text = await fetchFeed('/feed/zoe', 'json');
  const doc = JSON.parse(text);
  assert.deepEqual(jsonFeedErrors(doc), []);
  const views = await Promise.all(zoeIds.map(apiView));

  assert.equal(doc.version, 'https://jsonfeed.org/version/1.1');
  assert.equal(doc.title, `${SITE}: ${NAME}`);
  assert.equal(doc.description, `The latest articles on ${SITE} by ${NAME} (@zoe).`);
  assert.equal(doc.home_page_url, `${server.url}/zoe`);
  assert.equal(doc.feed_url, `${server.url}/feed/zoe.json`);
  assert.equal(doc.icon, `${server.url}/avatar/zoe.png`);
  assert.equal(doc.favicon, doc.icon);
  assert.equal(doc.language, 'en');
  assert.equal('next_url' in doc, false, 'one page: no next_url');
  assert.deepEqual(doc.hubs, [{ type: 'WebSub', url: `${server.url}/websub` }]);
  assert.equal(new Set(doc.items.map((i: { id: string }) => i.id)).size, doc.items.length);
  assert.equal(doc.items.length, views.length);
  doc.items.forEach((item: any, i: number) => {
    const api = views[i];
    assert.equal(typeof item.id, 'string');
    assert.equal(item.id, api.url);
    assert.equal(item.url, api.url);
    assert.equal(item.title, api.title);
    assert.equal(item.content_html, api.body_html);
    assert.equal(item.summary, api.description);
    assert.equal(toSecond(item.date_published), api.published_at);
    assert.ok(Date.parse(item.date_modified) >= Date.parse(item.date_published));
    assert.deepEqual(item.tags, api.tags);
    assert.deepEqual(item.authors, [{ name: NAME, url: `${server.url}/zoe` }]);
    assert.equal(item.image, api.cover_image ?? undefined);
  });
});

test('the JSON Feed schema itself refuses what the spec forbids', async () => {
  const good = JSON.parse(await fetchFeed('/feed/zoe', 'json'));
  const variant = (change: (doc: any) => void) => {
    const doc = structuredClone(good);
    change(doc);
    return jsonFeedErrors(doc);
  };
  assert.deepEqual(
    variant(() => {}),
    [],
  );
  assert.deepEqual(
    variant((d) => (d._quire = { any: 'thing' })),
    [],
    'extensions are allowed',
  );
  const refused: [string, (doc: any) => void][] = [
    ['no version', (d) => delete d.version],
    ['version 1.0', (d) => (d.version = 'https://jsonfeed.org/version/1')],
    ['no title', (d) => delete d.title],
    ['no items', (d) => delete d.items],
    ['an unknown member', (d) => (d.next_page = 'x')],
    ['an item without id', (d) => delete d.items[0].id],
    ['a numeric id', (d) => (d.items[0].id = 42)],
    [
      'an item without content',
      (d) => {
        delete d.items[0].content_html;
        delete d.items[0].content_text;
      },
    ],
    ['a date without offset', (d) => (d.items[0].date_published = '2026-03-01T12:00:00')],
    ['a relative URL', (d) => (d.items[0].url = '/zoe/x')],
    ['an empty author', (d) => (d.items[0].authors = [{}])],
    ['tags that are not strings', (d) => (d.items[0].tags = [1])],
    ['an attachment without type', (d) => (d.items[0].attachments = [{ url: 'https://a.test/x' }])],
  ];
  for (const [what, change] of refused) {
    assert.notDeepEqual(variant(change), [], `the schema accepts ${what}`);
  }
});

test('tag and site feeds list exactly the visible articles, in every format', async () => {
  const views = await Promise.all(zoeIds.map(apiView));
  const tricky = views[0];
  for (const format of FORMATS) {
    assert.deepEqual(await itemUrls('/feed/tag/xml', format), [tricky.url], `tag ${format}`);
    assert.deepEqual(await itemUrls('/feed/tag/escaping', format), [tricky.url]);
    const site = await itemUrls('/feed', format);
    assert.equal(site.length, 12);
    const pagerViews = await Promise.all(pagerIds.slice(0, 12).map(apiView));
    assert.deepEqual(
      site,
      pagerViews.map((v) => v.url),
      `site ${format}: newest first`,
    );
  }
  const tagJson = JSON.parse(await fetchFeed('/feed/tag/xml', 'json'));
  assert.deepEqual(jsonFeedErrors(tagJson), []);
  assert.equal(tagJson.home_page_url, `${server.url}/t/xml`);
  assert.equal(tagJson.feed_url, `${server.url}/feed/tag/xml.json`);
  assert.equal(tagJson.items[0].content_html, tricky.body_html);
  const siteJson = JSON.parse(await fetchFeed('/feed', 'json'));
  assert.deepEqual(jsonFeedErrors(siteJson), []);
  assert.equal(siteJson.title, SITE);
  assert.equal(siteJson.home_page_url, `${server.url}/`);

  const tagRss = await rssParser.parseString(await fetchFeed('/feed/tag/xml', 'rss'));
  assert.equal(tagRss.items[0]?.content, tricky.body_html);
  assert.equal(tagRss.feedUrl, `${server.url}/feed/tag/xml`);
  const tagAtom = readXml(await fetchFeed('/feed/tag/xml', 'atom'));
  assert.equal(tagAtom.feed.entry[0].content['#text'], tricky.body_html);

  // /rss is the site feed under another name: the same bytes.
  assert.equal(await fetchFeed('/rss', 'rss'), await fetchFeed('/feed', 'rss'));
});

test('drafts, scheduled and deleted articles appear in no feed', async () => {
  const paths = ['/feed/zoe', '/feed/tag/xml', '/feed', '/feed?page=2'];
  for (const path of paths) {
    for (const format of FORMATS) {
      const text = await fetchFeed(path, format);
      for (const title of hiddenTitles) {
        assert.ok(!text.includes(title), `${inFormat(path, format)} shows "${title}"`);
      }
    }
  }
  assert.deepEqual(
    await itemUrls('/feed/zoe', 'json'),
    (await Promise.all(zoeIds.map(apiView))).map((v) => v.url),
  );
  // A tag only a draft carries does not exist for readers.
  for (const format of FORMATS) {
    const res = await server.client().get(`/feed/tag/draftonly${SUFFIX[format]}`);
    assert.equal(res.status, 404);
  }
});

test('an unknown user or tag is a 404, a bad page a 422; a quiet author has an empty feed', async () => {
  const client = server.client();
  for (const [path, status] of [
    ['/feed/nobody', 404],
    ['/feed/tag/nosuchtag', 404],
    ['/feed/zoe?page=0', 422],
    ['/feed/zoe?page=x', 422],
  ] as const) {
    for (const format of FORMATS) {
      const res = await client.get(inFormat(path, format));
      assert.equal(res.status, status, inFormat(path, format));
    }
  }
  const rss = await rssParser.parseString(await fetchFeed('/feed/quiet', 'rss'));
  assert.equal(rss.items.length, 0);
  const json = JSON.parse(await fetchFeed('/feed/quiet', 'json'));
  assert.deepEqual(jsonFeedErrors(json), []);
  assert.deepEqual(json.items, []);
  assert.equal(readXml(await fetchFeed('/feed/quiet', 'atom')).feed.entry, undefined);
});

test('12 articles a page, older ones on ?page=2, next links only while more exist', async () => {
  const expected = await Promise.all(pagerIds.map(apiView));
  const urls = expected.map((v) => v.url);
  for (const path of ['/feed/pager', '/feed/tag/paging']) {
    for (const format of FORMATS) {
      assert.deepEqual(await itemUrls(path, format), urls.slice(0, 12), `${path} ${format}`);
      assert.deepEqual(await itemUrls(`${path}?page=2`, format), urls.slice(12));
      assert.deepEqual(await itemUrls(`${path}?page=3`, format), []);
    }
    const next = `${server.url}${path}`;
    const rss1 = readXml(await fetchFeed(path, 'rss')).rss.channel['atom:link'];
    const rssNext = rss1.find((l: Record<string, string>) => l['@_rel'] === 'next');
    assert.equal(rssNext?.['@_href'], `${next}?page=2`);
    assert.equal(rssNext?.['@_type'], 'application/rss+xml');
    assert.equal(
      (await rssParser.parseString(await fetchFeed(path, 'rss'))).paginationLinks?.next,
      `${next}?page=2`,
    );
    const atom1 = readXml(await fetchFeed(path, 'atom')).feed.link;
    const atomNext = atom1.find((l: Record<string, string>) => l['@_rel'] === 'next');
    assert.equal(atomNext?.['@_href'], `${next}.atom?page=2`);
    assert.equal(atomNext?.['@_type'], 'application/atom+xml');
    const json1 = JSON.parse(await fetchFeed(path, 'json'));
    assert.deepEqual(jsonFeedErrors(json1), []);
    assert.equal(json1.next_url, `${next}.json?page=2`);

    const page2 = `${path}?page=2`;
    const rss2 = readXml(await fetchFeed(page2, 'rss')).rss.channel['atom:link'];
    assert.deepEqual(
      rss2.map((l: Record<string, string>) => [l['@_rel'], l['@_href']]),
      [['self', `${next}?page=2`]],
    );
    const atom2 = readXml(await fetchFeed(page2, 'atom')).feed;
    assert.ok(!atom2.link.some((l: Record<string, string>) => l['@_rel'] === 'next'));
    assert.equal(
      atom2.link.find((l: Record<string, string>) => l['@_rel'] === 'self')['@_href'],
      `${next}.atom?page=2`,
    );
    assert.ok(!atom2.link.some((l: Record<string, string>) => l['@_rel'] === 'hub'));
    const json2 = JSON.parse(await fetchFeed(page2, 'json'));
    assert.equal('next_url' in json2, false);
    assert.equal('hubs' in json2, false, 'a later page cannot be subscribed to');
    assert.equal(json2.feed_url, `${next}.json?page=2`);
  }
  // The site feed has 16 visible articles: the two of zoe are the oldest.
  const zoeViews = await Promise.all(zoeIds.map(apiView));
  for (const format of FORMATS) {
    assert.deepEqual(await itemUrls('/feed?page=2', format), [
      ...urls.slice(12),
      ...zoeViews.map((v) => v.url),
    ]);
  }
});

/** The <link rel="alternate"> tags of an HTML page, as [type, href]. */
async function alternates(path: string): Promise<string[][]> {
  const res = await server.client().get(path);
  assert.equal(res.status, 200);
  const found: string[][] = [];
  const parser = new HtmlParser({
    onopentag(name, attrs) {
      if (name === 'link' && attrs.rel === 'alternate')
        found.push([attrs.type ?? '', attrs.href ?? '']);
    },
  });
  parser.write(res.text);
  parser.end();
  return found;
}

const feedTriple = (path: string) => [
  ['application/rss+xml', path],
  ['application/atom+xml', `${path}.atom`],
  ['application/feed+json', `${path}.json`],
];

test('every page links its feeds for autodiscovery, and each link is served as its type', async () => {
  const tricky = await apiView(zoeIds[0] ?? 0);
  const home = await alternates('/');
  assert.deepEqual(home, feedTriple('/feed'));
  const profile = await alternates('/zoe');
  assert.deepEqual(profile.sort(), [...feedTriple('/feed/zoe'), ...feedTriple('/feed')].sort());
  const article = await alternates(tricky.path);
  assert.deepEqual(article.sort(), [...feedTriple('/feed/zoe'), ...feedTriple('/feed')].sort());
  for (const [type, href] of [...profile, ...home]) {
    const res = await server.client().get(href ?? '');
    assert.equal(res.status, 200, href);
    assert.equal(res.headers.get('content-type')?.split(';')[0], type, href);
  }
});

test('first pages name the WebSub hub and themselves in Link; later pages only themselves', async () => {
  const hub = `<${server.url}/websub>; rel="hub"`;
  for (const path of ['/feed/zoe', '/feed/tag/xml', '/feed', '/rss']) {
    for (const format of FORMATS) {
      if (path === '/rss' && format !== 'rss') continue;
      const self = `${server.url}${inFormat(path === '/rss' ? '/feed' : path, format)}`;
      const res = await server.client().get(inFormat(path, format));
      assert.equal(res.headers.get('link'), `${hub}, <${self}>; rel="self"`, path);
    }
  }
  const page2 = await server.client().get('/feed/pager.atom?page=2');
  assert.equal(page2.headers.get('link'), `<${server.url}/feed/pager.atom?page=2>; rel="self"`);
});
