/**
 * What the W3C feed validator checks that Quire could get wrong: no relative URL in any item's
 * HTML, in RSS, Atom and JSON Feed alike, with nothing else in the HTML changed and nothing the
 * sanitizer would refuse brought in.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Parser as HtmlParser } from 'htmlparser2';
import { sanitize } from '../../src/render/sanitize.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { jsonFeedErrors, readXml, rssParser } from './feed-readers.ts';

let server: TestServer;
let author: Author;
let relative: { id: number; url: string; slug: string; body_html: string };
let plain: { id: number; url: string; body_html: string };

const BODY = [
  '## Intro',
  '',
  '[about](/about), [up](../elsewhere?a=1&b=2), [here](#intro) and [page two](?page=2).',
  '',
  '![a picture](img.png "A picture")',
  '',
  '<a href="pics/a b.png">raw link</a> <img src="/static/x.png" alt="x">',
  '',
  '[absolute](https://example.com/x?y=1&z=2), [mail](mailto:someone@example.com).',
  '',
  '```html',
  '<a href="/in-code">not a link</a>',
  '```',
  '',
].join('\n');

before(async () => {
  server = await startTestServer();
  author = await makeAuthor(server, 'rel_author');
  plain = await postArticle(server, author, {
    title: 'Only absolute links',
    body_markdown: '[abs](https://example.com/) and ![pic](https://example.com/p.png)',
    published: true,
  });
  server.clock.advance(60_000);
  relative = await postArticle(server, author, {
    title: 'Relative links',
    body_markdown: BODY,
    published: true,
    tags: ['links'],
  });
});
after(() => server.close());

/** Every URL-valued attribute in some HTML, as [attribute, value]. */
function urlAttributes(html: string): [string, string][] {
  const found: [string, string][] = [];
  const parser = new HtmlParser({
    onattribute(name, value) {
      if (['href', 'src', 'srcset', 'poster', 'cite'].includes(name)) found.push([name, value]);
    },
  });
  parser.end(html);
  return found;
}

/** The item HTML of each entry, newest first, from the feed in one format. */
async function itemHtml(path: string, format: 'rss' | 'atom' | 'json'): Promise<string[]> {
  const suffix = { rss: '', atom: '.atom', json: '.json' }[format];
  const res = await server.client().get(`${path}${suffix}`);
  assert.equal(res.status, 200);
  if (format === 'json') {
    const doc = JSON.parse(res.text);
    assert.deepEqual(jsonFeedErrors(doc), []);
    return doc.items.map((item: { content_html: string }) => item.content_html);
  }
  const viaRssParser = (await rssParser.parseString(res.text)).items.map((i) => i.content);
  const doc = readXml(res.text);
  const viaXml =
    format === 'rss'
      ? doc.rss.channel.item.map((i: { description: string }) => i.description)
      : doc.feed.entry.map((e: { content: { '#text': string } }) => e.content['#text']);
  assert.deepEqual(viaRssParser, viaXml, 'the two parsers disagree');
  return viaXml;
}

test('item HTML carries no relative URL, in every format of every feed', async () => {
  for (const path of ['/feed/rel_author', '/feed/tag/links', '/feed']) {
    for (const format of ['rss', 'atom', 'json'] as const) {
      const urls = (await itemHtml(path, format)).flatMap(urlAttributes);
      assert.ok(urls.length >= 9, `${path} ${format}: the linking articles are in the feed`);
      for (const [name, value] of urls) {
        assert.ok(URL.canParse(value), `${path} ${format}: ${name}="${value}" is relative`);
        assert.match(new URL(value).protocol, /^(https?|mailto):$/, value);
      }
    }
  }
});

test('each relative URL resolves against the article URL; the rest of the HTML is unchanged', async () => {
  const base = server.url;
  const article = relative.url;
  assert.equal(article, `${base}/rel_author/${relative.slug}`);
  const api = relative.body_html;
  // What the sanitizer stored: relative values, the fragment already namespaced.
  assert.deepEqual(urlAttributes(api), [
    ['href', '/about'],
    ['href', '../elsewhere?a=1&b=2'],
    ['href', '#user-content-intro'],
    ['href', '?page=2'],
    ['src', 'img.png'],
    ['href', 'pics/a b.png'],
    ['src', '/static/x.png'],
    ['href', 'https://example.com/x?y=1&z=2'],
    ['href', 'mailto:someone@example.com'],
  ]);
  const expected = api
    .replace('href="/about"', `href="${base}/about"`)
    .replace('href="../elsewhere?a=1&amp;b=2"', `href="${base}/elsewhere?a=1&amp;b=2"`)
    .replace('href="#user-content-intro"', `href="${article}#user-content-intro"`)
    .replace('href="?page=2"', `href="${article}?page=2"`)
    .replace('src="img.png"', `src="${base}/rel_author/img.png"`)
    .replace('href="pics/a b.png"', `href="${base}/rel_author/pics/a%20b.png"`)
    .replace('src="/static/x.png"', `src="${base}/static/x.png"`);
  assert.notEqual(expected, api);
  for (const format of ['rss', 'atom', 'json'] as const) {
    const [newest, older] = await itemHtml('/feed/rel_author', format);
    assert.equal(newest, expected, format);
    assert.equal(older, plain.body_html, `${format}: HTML without relative URLs is left as is`);
  }
  // Code that shows a link is text, and stays text.
  assert.ok(expected.includes('<span class="hljs-string">"/in-code"</span>'));
});

test('resolved HTML is what the sanitizer would let through unchanged', async () => {
  const [html] = await itemHtml('/feed/rel_author', 'rss');
  assert.ok(html);
  assert.equal(sanitize(relative.body_html), relative.body_html, 'the sanitizer is idempotent');
  assert.equal(sanitize(html), html);
});
