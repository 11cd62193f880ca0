/**
 * The dashboard's search of an author's own articles, over HTTP as a browser without script
 * uses it: drafts, scheduled and withheld articles found with their state and a highlighted
 * excerpt, never another author's, never for a visitor; title matches first; a pager; a refused
 * query as a 422 page; queries of operators alone as an empty result.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suspendAccount, userById } from '../../src/modules/users/users.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { signInWeb } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DAY = 86_400_000;

let server: TestServer;
let ada: Author;
let bob: Author;
let adaWeb: HttpClient;
let bobWeb: HttpClient;

before(async () => {
  server = await startTestServer({ now: '2026-05-01T12:00:00.000Z' });
  ada = await makeAuthor(server, 'sown_ada');
  bob = await makeAuthor(server, 'sown_bob');
  const later = new Date(server.clock.now().getTime() + 3 * DAY).toISOString();
  await postArticle(server, ada, {
    title: 'Quokka facts',
    body_markdown: 'All about the small marsupial.',
    published: true,
    tags: ['wildlife'],
  });
  server.clock.advance(60_000);
  await postArticle(server, ada, {
    title: 'Garden notes',
    body_markdown: 'A quokka came to the garden, eating the sorrel.',
    published: false,
    tags: ['wildlife', 'garden'],
  });
  server.clock.advance(60_000);
  await postArticle(server, ada, {
    title: 'A piece for later',
    body_markdown: 'The quokka story goes out next week.',
    published: true,
    published_at: later,
    tags: ['zoology'],
  });
  server.clock.advance(60_000);
  await postArticle(server, ada, {
    title: 'Other animals',
    body_markdown: 'Wallabies, and a quokka once.',
    published: true,
    tags: ['wildlife'],
  });
  await postArticle(server, bob, {
    title: 'Bob keeps a draft',
    body_markdown: 'A quokka in bobsecret words.',
    published: false,
    tags: ['wildlife'],
  });
  // 25 of Ada's drafts about wombats: two pages of 20.
  for (let i = 0; i < 25; i++) {
    server.clock.advance(1000);
    await postArticle(server, ada, {
      title: `Wombat draft ${i}`,
      body_markdown: `Wombats dig burrows, note ${i}.`,
      published: false,
    });
  }
  adaWeb = await signInWeb(server, ada.username);
  bobWeb = await signInWeb(server, bob.username);
});
after(() => server.close());

/** The titles of the results, in order, each with its state as shown. */
function found(page: string): Array<[string, string]> {
  const items = page.matchAll(
    /<h3 class="dash-title"><a href="[^"]*">([^<]*)<\/a> <span class="badge dash-state">(\w+)<\/span><\/h3>/g,
  );
  return [...items].map((m) => [m[1] ?? '', m[2] ?? '']);
}

const search = (client: HttpClient, q: string, page?: number) =>
  client.get(
    `/dashboard/search?${new URLSearchParams({ q, ...(page && { page: String(page) }) }).toString()}`,
  );

test('the author finds their drafts, scheduled and published articles, title matches first', async () => {
  const res = await search(adaWeb, 'quokka');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'private, no-store');
  assert.match(res.text, /<meta name="robots" content="noindex">/);
  // The title match first, though the others are newer; then newest first, a scheduled article
  // by when it goes out and a draft by when it was written.
  assert.deepEqual(found(res.text), [
    ['Quokka facts', 'Published'],
    ['A piece for later', 'Scheduled'],
    ['Other animals', 'Published'],
    ['Garden notes', 'Draft'],
  ]);
  assert.match(res.text, /<h1 class="search-heading">Your articles matching “quokka”<\/h1>/);
  assert.match(res.text, /<input type="search" id="own-search-q" name="q" value="quokka"/);
  const garden =
    /<li class="dash-item" id="article-\d+">\s*<h3 class="dash-title"><a href="[^"]*">Garden notes[\s\S]*?<\/li>/.exec(
      res.text,
    )?.[0];
  assert.ok(garden);
  assert.match(garden, /<p class="excerpt">(A )?<mark>quokka<\/mark> came to the garden/);
  assert.match(garden, /<a href="\/sown_ada\/garden-notes-[\w-]+\/edit">Edit/);
  assert.doesNotMatch(garden, />View</, 'a draft has no public page');
  assert.doesNotMatch(res.text, /Bob keeps a draft/);
});

test('a body word and tag: find a draft or a scheduled article', async () => {
  assert.deepEqual(found((await search(adaWeb, 'sorrel')).text), [['Garden notes', 'Draft']]);
  assert.deepEqual(found((await search(adaWeb, 'tag:garden quokka')).text), [
    ['Garden notes', 'Draft'],
  ]);
  // The title match first with a tag too, and with an excluded one.
  const titled = [
    ['Quokka facts', 'Published'],
    ['Other animals', 'Published'],
    ['Garden notes', 'Draft'],
  ];
  assert.deepEqual(found((await search(adaWeb, 'quokka tag:wildlife')).text), titled);
  assert.deepEqual(
    found((await search(adaWeb, 'quokka tag:wildlife -tag:zoology -nothing')).text),
    titled,
  );
  assert.deepEqual(found((await search(adaWeb, 'quokka tag:zoology')).text), [
    ['A piece for later', 'Scheduled'],
  ]);
  assert.deepEqual(found((await search(adaWeb, 'quokka -tag:wildlife')).text), [
    ['A piece for later', 'Scheduled'],
  ]);
  assert.deepEqual(found((await search(adaWeb, '"next week" -sorrel')).text), [
    ['A piece for later', 'Scheduled'],
  ]);
  assert.deepEqual(found((await search(adaWeb, 'marsup*')).text), [['Quokka facts', 'Published']]);
  assert.deepEqual(found((await search(adaWeb, 'sor*')).text), [['Garden notes', 'Draft']]);
});

test("another author's articles are never found; each author finds their own", async () => {
  const res = await search(adaWeb, 'bobsecret');
  assert.equal(res.status, 200);
  assert.deepEqual(found(res.text), []);
  assert.match(res.text, /<p class="empty">None of your articles match “bobsecret”.<\/p>/);
  assert.deepEqual(found((await search(adaWeb, `quokka author:${bob.username}`)).text), []);
  // A long prefix reads the index's matches first on SQLite: still only the author's own.
  assert.deepEqual(found((await search(adaWeb, 'bobsec*')).text), []);
  assert.deepEqual(found((await search(bobWeb, 'bobsec*')).text), [['Bob keeps a draft', 'Draft']]);
  assert.deepEqual(found((await search(bobWeb, 'quokka')).text), [['Bob keeps a draft', 'Draft']]);
});

test('a visitor is sent to sign in; the public search still shows no draft', async () => {
  const res = await server.client().get('/dashboard/search?q=quokka');
  assert.equal(res.status, 303);
  assert.equal(
    res.headers.get('location'),
    `/enter?next=${encodeURIComponent('/dashboard/search?q=quokka')}`,
  );
  const pub = await server.client().get('/search?q=quokka');
  assert.equal(pub.status, 200);
  assert.match(pub.text, /Quokka facts/);
  assert.match(pub.text, /Other animals/);
  assert.doesNotMatch(pub.text, /Garden notes|A piece for later|Bob keeps a draft/);
});

test('the dashboard has the search box', async () => {
  const res = await adaWeb.get('/dashboard');
  assert.match(
    res.text,
    /<form method="get" action="\/dashboard\/search" role="search" class="search-form">\s*<label for="own-search-q">Search your articles<\/label>\s*<input type="search" id="own-search-q" name="q" value="" maxlength="256">/,
  );
  const blank = await adaWeb.get('/dashboard/search');
  assert.equal(blank.status, 200);
  assert.match(blank.text, /<h1>Search your articles<\/h1>/);
  assert.match(blank.text, /<p class="empty">Type words to find your articles/);
});

test('a pager goes through the results, keeping the query', async () => {
  const html = (text: string) => text.replaceAll('&#61;', '=').replaceAll('&#38;', '&');
  const first = await search(adaWeb, 'wombats');
  assert.equal(found(first.text).length, 20);
  assert.deepEqual(found(first.text)[0], ['Wombat draft 24', 'Draft']);
  assert.match(
    html(first.text),
    /<a rel="next" href="\/dashboard\/search\?q=wombats&page=2">Next page<\/a>/,
  );
  assert.doesNotMatch(first.text, /rel="prev"/);
  const second = await search(adaWeb, 'wombats', 2);
  assert.equal(found(second.text).length, 5);
  assert.deepEqual(found(second.text).at(-1), ['Wombat draft 0', 'Draft']);
  assert.match(
    html(second.text),
    /<a rel="prev" href="\/dashboard\/search\?q=wombats">Previous page<\/a>/,
  );
  assert.doesNotMatch(second.text, /rel="next"/);
  const third = await search(adaWeb, 'wombats', 3);
  assert.match(third.text, /<p class="empty">No more results.<\/p>/);
  assert.equal((await adaWeb.get('/dashboard/search?q=wombats&page=0')).status, 422);
});

test('an overlong query is a 422 page that says why and keeps it in the box', async () => {
  const q = `${'x'.repeat(300)}<i>`;
  const res = await search(adaWeb, q);
  assert.equal(res.status, 422);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.equal(res.headers.get('cache-control'), 'private, no-store');
  assert.match(res.text, /A search can be at most 256 characters long\./);
  assert.match(res.text, new RegExp(`name="q" value="${'x'.repeat(300)}&#60;i&#62;"`));
  assert.doesNotMatch(res.text, /<i>/);
  assert.match(res.text, /<h1>Search your articles<\/h1>/);
});

test('queries of operators alone, or of punctuation, fail nothing; tags alone list', async () => {
  for (const q of [
    '-quokka',
    'tag:wildlife',
    '-tag:wildlife',
    'author:sown_ada',
    '*',
    '"',
    '""',
    '-""*',
    'x*',
    '"unclosed quokka',
    'NEAR(quokka) OR {title}:quokka ^',
    "'); drop table articles; --",
    '\u0000 \u0002quokka\u0003',
  ]) {
    const res = await search(adaWeb, q);
    assert.equal(res.status, 200, `${q}: ${res.status}`);
  }
  // Tags or authors alone list the author's articles that carry them, newest first.
  assert.deepEqual(found((await search(adaWeb, 'tag:garden')).text), [['Garden notes', 'Draft']]);
  assert.deepEqual(found((await search(adaWeb, 'tag:wildlife -tag:garden')).text), [
    ['Other animals', 'Published'],
    ['Quokka facts', 'Published'],
  ]);
  assert.deepEqual(found((await search(adaWeb, 'tag:wildlife author:sown_bob')).text), []);
  assert.deepEqual(found((await search(bobWeb, 'tag:wildlife')).text), [
    ['Bob keeps a draft', 'Draft'],
  ]);
  assert.deepEqual(found((await search(adaWeb, '-quokka')).text), []);
  // An unclosed quote searches its words; engine syntax is words too.
  assert.equal(found((await search(adaWeb, '"unclosed quokka')).text).length, 0);
  assert.equal(found((await search(adaWeb, '"garden quokka')).text).length, 1);
});

test('a suspended author still finds their withheld articles, marked so', async () => {
  const admin = await makeAuthor(server, 'sown_admin', { admin: true });
  const carol = await makeAuthor(server, 'sown_carol');
  await postArticle(server, carol, {
    title: 'Carol on quokkas',
    body_markdown: 'A quokka, withheld soon.',
    published: true,
  });
  const adminRow = await userById(server.ctx, admin.id);
  assert.ok(adminRow);
  await suspendAccount(server.ctx, adminRow, carol.id);
  const carolWeb = await signInWeb(server, carol.username);
  const res = await search(carolWeb, 'quokka');
  assert.deepEqual(found(res.text), [['Carol on quokkas', 'Withheld']]);
  assert.match(res.text, /withheld from readers while your account is suspended/);
  assert.doesNotMatch((await server.client().get('/search?q=quokka')).text, /Carol on quokkas/);
});
