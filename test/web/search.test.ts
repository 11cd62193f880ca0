/**
 * The search page and what leads to it: tabs that keep the query, results with an escaped excerpt
 * in which only <mark> is markup, a pager, an empty state, a refused query shown as a page that
 * keeps it, the header's search box on every page, and /opensearch.xml.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { setSiteName } from '../../src/modules/site/site.service.ts';
import { pageKeyOf } from '../../src/web/page.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { signInWeb } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'spage_ada');
  await server.ctx.database.db
    .updateTable('users')
    .set({ name: 'Ada <b>Lovelace</b>' })
    .where('id', '=', ada.id)
    .execute();
  await postArticle(server, ada, {
    title: 'Escaping in templates',
    // The markup is inline code: text a reader sees, so text search quotes.
    body_markdown: 'A body with `<script>alert("quokka")</script>` & a quokka in it.',
    published: true,
    tags: ['security'],
  });
  // 25 articles about wombats: two pages of 20.
  for (let i = 0; i < 25; i++) {
    await postArticle(server, ada, {
      title: `Wombat note ${i}`,
      body_markdown: `Wombats dig burrows, note ${i}.`,
      published: true,
      tags: ['wombats'],
    });
    server.clock.advance(1000);
  }
  server.clock.advance(60_000);
});
after(() => server.close());

/** A page's text with the entities ghtml writes in attributes (`&#61;`, `&#38;`) read back. */
async function get(path: string) {
  const res = await server.client().get(path);
  return Object.assign(res, {
    html: res.text.replaceAll('&#61;', '=').replaceAll('&#38;', '&'),
  });
}

test('articles: cards with the excerpt escaped, only <mark> added', async () => {
  const res = await get('/search?q=quokka');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=0, s-maxage=\d+/);
  // Not from the page cache, which keys pages by path and page number alone, but from the
  // cache of search answers, by the query too.
  assert.equal(pageKeyOf('/search?q=quokka', { headers: {} }), null);
  const again = await get('/search?q=quokka');
  assert.equal(again.headers.get('cache-status'), 'quire; hit');
  assert.equal(again.text, res.text);
  assert.match(res.text, /<meta name="robots" content="noindex">/);
  assert.match(res.text, /<h1 class="search-heading">Search results for “quokka”<\/h1>/);
  assert.match(res.text, /<article class="card">[\s\S]*Escaping in templates/);
  const excerpt = /<p class="excerpt">(.*?)<\/p>/s.exec(res.text)?.[1] ?? '';
  assert.match(excerpt, /<mark>quokka<\/mark>/);
  assert.doesNotMatch(excerpt, /<(?!\/?mark>)/, `no element but <mark>: ${excerpt}`);
  assert.doesNotMatch(res.text, /<script>alert/);
  // SQLite shows the markup as text; PostgreSQL's excerpt leaves tags out (and does not mark
  // the word between them).
  assert.match(
    excerpt,
    /(&lt;script&gt;)?alert\(&quot;(<mark>)?quokka(<\/mark>)?&quot;\)(&lt;\/script&gt;)? &amp; a <mark>quokka<\/mark>/,
  );
  assert.match(res.text, /<input type="search" id="search-q" name="q" value="quokka"/);
});

test('tabs link each kind of result, keeping the query; people and tags are listed', async () => {
  const res = await get('/search?q=spage&type=people');
  assert.equal(res.status, 200);
  assert.match(res.html, /<a href="\/search\?q=spage">Articles<\/a>/);
  assert.match(res.html, /<a href="\/search\?q=spage&type=people" aria-current="page">People<\/a>/);
  assert.match(res.html, /<a href="\/search\?q=spage&type=tags">Tags<\/a>/);
  assert.match(res.text, /<a href="\/spage_ada">Ada &#60;b&#62;Lovelace&#60;\/b&#62;<\/a>/);
  assert.match(res.text, /<input type="hidden" name="type" value="people">/);

  const tags = await get('/search?q=WOM&type=tags');
  assert.match(
    tags.text,
    /<a href="\/t\/wombats">#wombats<\/a> <span class="count">25 articles<\/span>/,
  );
  assert.doesNotMatch(tags.text, /#security/);
});

test('a pager goes through the results, keeping the query', async () => {
  const first = await get('/search?q=wombats');
  assert.equal((first.text.match(/<article class="card">/g) ?? []).length, 20);
  assert.match(first.html, /<a rel="next" href="\/search\?q=wombats&page=2">Next page<\/a>/);
  assert.doesNotMatch(first.text, /rel="prev"/);
  const second = await get('/search?q=wombats&page=2');
  assert.equal((second.text.match(/<article class="card">/g) ?? []).length, 5);
  assert.match(second.html, /<a rel="prev" href="\/search\?q=wombats">Previous page<\/a>/);
  assert.doesNotMatch(second.text, /rel="next"/);
});

test('nothing found, and no query yet, are empty states', async () => {
  const none = await get('/search?q=nothingmatchesthis');
  assert.equal(none.status, 200);
  assert.match(none.text, /<p class="empty">No articles match “nothingmatchesthis”.<\/p>/);
  const people = await get('/search?q=zzzz&type=tags');
  assert.match(people.text, /<p class="empty">No tags match “zzzz”.<\/p>/);
  const blank = await get('/search');
  assert.equal(blank.status, 200);
  assert.match(blank.text, /<h1>Search<\/h1>/);
  assert.match(blank.text, /<p class="empty">Type words/);
  assert.equal((await get('/search?q=%20%20')).status, 200);
});

test('an overlong query is a 422 page that says why and keeps it in the box', async () => {
  const q = `${'x'.repeat(300)}<i>`;
  const res = await get(`/search?q=${encodeURIComponent(q)}`);
  assert.equal(res.status, 422);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(res.text, /A search can be at most 256 characters long\./);
  assert.match(res.text, new RegExp(`name="q" value="${'x'.repeat(300)}&#60;i&#62;"`));
  assert.doesNotMatch(res.text, /<i>/);
  assert.match(res.text, /<h1>Search<\/h1>/);
  assert.doesNotMatch(res.text, /class="tabs/);
  // A kind that does not exist shows articles; a broken page number is refused.
  assert.equal((await get('/search?q=wombats&type=nope')).status, 200);
  assert.equal((await get('/search?q=wombats&page=0')).status, 422);
});

test('every page has the search box in its header, and a link to the OpenSearch document', async () => {
  const signedIn = await signInWeb(server, 'spage_ada');
  for (const res of [
    await get('/'),
    await get('/t/wombats'),
    await get('/spage_ada'),
    await signedIn.get('/dashboard'),
  ]) {
    assert.equal(res.status, 200);
    assert.match(
      res.text,
      /<form method="get" action="\/search" role="search" class="site-search">\s*<label for="site-search-q" class="visually-hidden">Search<\/label>\s*<input type="search" id="site-search-q" name="q"/,
    );
    assert.match(
      res.text,
      /<link rel="search" type="application\/opensearchdescription\+xml" title="[^"]*" href="\/opensearch.xml">/,
    );
  }
});

test('/opensearch.xml names the site and the search template', async () => {
  await setSiteName(server.ctx, 'Ada & Friends <Writing> Club');
  const res = await get('/opensearch.xml');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/opensearchdescription\+xml/);
  assert.equal(XMLValidator.validate(res.text), true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(res.text);
  const root = doc.OpenSearchDescription;
  assert.equal(root['@xmlns'], 'http://a9.com/-/spec/opensearch/1.1/');
  // ShortName is cut to OpenSearch's 16 characters.
  assert.equal(root.ShortName, 'Ada & Friends <W');
  assert.equal(root.Description, 'Search Ada & Friends <Writing> Club');
  assert.match(
    res.text,
    /<Description>Search Ada &amp; Friends &lt;Writing&gt; Club<\/Description>/,
  );
  assert.equal(root.Url['@type'], 'text/html');
  assert.equal(root.Url['@template'], `${server.ctx.config.baseUrl}/search?q={searchTerms}`);
});
