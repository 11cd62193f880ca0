/**
 * Forem's rules for one article, through the HTTP API: front matter over JSON, byte-exact bodies,
 * field limits, slugs, publication dates and scheduling, reading time, descriptions, series, the
 * index/show shapes, and who may change what.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import type { Response } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let admin: Author;
let alice: Author;
let bob: Author;

before(async () => {
  server = await startTestServer();
  admin = await makeAuthor(server, 'rules_admin'); // the first account: an administrator
  alice = await makeAuthor(server, 'rules_alice');
  bob = await makeAuthor(server, 'rules_bob');
});
after(() => server.close());

type Json = Record<string, any>;

const create = (author: Author | null, article: Json) =>
  server.client().post('/api/articles', { json: { article }, ...(author && { key: author.key }) });
const update = (author: Author | null, id: number, article: Json) =>
  server
    .client()
    .put(`/api/articles/${id}`, { json: { article }, ...(author && { key: author.key }) });
const remove = (author: Author | null, id: number) =>
  server.client().delete(`/api/articles/${id}`, author ? { key: author.key } : {});
const show = (id: number, author?: Author) =>
  server.client().get(`/api/articles/${id}`, author ? { key: author.key } : {});

async function created(author: Author, article: Json): Promise<Json> {
  const res = await create(author, article);
  assert.equal(res.status, 201, res.text);
  return res.json();
}

async function updated(author: Author, id: number, article: Json): Promise<Json> {
  const res = await update(author, id, article);
  assert.equal(res.status, 200, res.text);
  return res.json();
}

/** A 422 whose `errors` name `field`. */
function assertInvalid(res: Response, field: string) {
  assert.equal(res.status, 422, res.text);
  const body = res.json();
  assert.ok(Array.isArray(body.errors), `no errors list in ${res.text}`);
  assert.ok(
    body.errors.some((e: { field: string }) => e.field === field),
    `no error for ${field} in ${res.text}`,
  );
}

const ids = (list: Json[]) => list.map((a) => a.id);

async function publicIds(query = ''): Promise<number[]> {
  const res = await server.client().get(`/api/articles?per_page=1000${query}`);
  assert.equal(res.status, 200);
  return ids(res.json());
}

const minutes = (n: number) => n * 60_000;
const isoIn = (ms: number) => new Date(server.clock.now().getTime() + ms).toISOString();
const seconds = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

test('front matter keys override the JSON fields', async () => {
  const date = isoIn(-minutes(90));
  const body = [
    '---',
    'title: Front Matter Title',
    'published: true',
    'description: Described in front matter',
    'tags: frontmatter, yaml',
    'canonical_url: https://fm.example.com/original',
    'cover_image: https://fm.example.com/cover.png',
    'series: Front Matter Series',
    `date: ${date}`,
    '---',
    '',
    'The body text.',
    '',
  ].join('\n');
  const article = await created(alice, {
    title: 'JSON Title',
    published: false,
    description: 'Described in JSON',
    tags: 'json, fields',
    canonical_url: 'https://json.example.com/original',
    main_image: 'https://json.example.com/cover.png',
    series: 'JSON Series',
    published_at: isoIn(-minutes(600)),
    body_markdown: body,
  });
  assert.equal(article.title, 'Front Matter Title');
  assert.equal(article.description, 'Described in front matter');
  assert.deepEqual(article.tags, ['frontmatter', 'yaml']);
  assert.equal(article.tag_list, 'frontmatter, yaml');
  assert.equal(article.canonical_url, 'https://fm.example.com/original');
  assert.equal(article.cover_image, 'https://fm.example.com/cover.png');
  assert.equal(article.published_at, seconds(date));
  assert.equal(article.body_markdown, body);
  assert.ok(article.collection_id, 'the article joined a series');
  const series = await server.ctx.database.db
    .selectFrom('series')
    .selectAll()
    .where('id', '=', article.collection_id)
    .executeTakeFirstOrThrow();
  assert.equal(series.name, 'Front Matter Series');
  assert.equal(series.user_id, alice.id);
  assert.ok((await publicIds()).includes(article.id), 'front matter published it');

  // `published_at` as a front matter key, tags as a YAML list, and `published: false` winning.
  const draftBody = [
    '---',
    'published: false',
    'tags: [Alpha, "#beta"]',
    `published_at: ${isoIn(-minutes(5))}`,
    '---',
    'Draft text.',
  ].join('\n');
  const draft = await created(alice, {
    title: 'Kept from JSON',
    published: true,
    tags: ['gamma'],
    body_markdown: draftBody,
  });
  assert.equal(draft.title, 'Kept from JSON', 'JSON fields stay where front matter is silent');
  assert.deepEqual(draft.tags, ['alpha', 'beta']);
  assert.equal(draft.published_at, null, 'front matter kept it a draft');
  assert.ok(!(await publicIds()).includes(draft.id));

  const datedBody = `---\npublished: true\npublished_at: ${isoIn(-minutes(30))}\n---\nDated.`;
  const dated = await created(alice, { title: 'Dated by published_at', body_markdown: datedBody });
  assert.equal(dated.published_at, seconds(isoIn(-minutes(30))));

  // Front matter wins on PUT as well.
  const changed = await updated(alice, draft.id, {
    title: 'JSON title on update',
    body_markdown: '---\ntitle: FM title on update\ntags: delta\n---\nNew text.',
  });
  assert.equal(changed.title, 'FM title on update');
  assert.deepEqual(changed.tags, ['delta']);
});

test('JSON fields alone set every attribute (tags as a string or an array, main_image)', async () => {
  const at = isoIn(-minutes(45));
  const article = await created(bob, {
    title: 'Only JSON',
    published: true,
    description: 'JSON description',
    tags: ['#Node', ' node ', 'TypeScript'],
    canonical_url: 'http://json.example.com/post',
    main_image: 'https://json.example.com/main.png',
    series: 'JSON Only Series',
    published_at: at,
    body_markdown: 'No front matter here.',
  });
  assert.equal(article.title, 'Only JSON');
  assert.equal(article.description, 'JSON description');
  assert.deepEqual(article.tags, ['node', 'typescript']);
  assert.equal(article.canonical_url, 'http://json.example.com/post');
  assert.equal(article.cover_image, 'https://json.example.com/main.png');
  assert.equal(article.published_at, seconds(at));
  assert.ok(article.collection_id);

  const stringTags = await created(bob, { title: 'String tags', tags: 'one, Two,#three' });
  assert.deepEqual(stringTags.tags, ['one', 'two', 'three']);
  assert.equal(stringTags.tag_list, 'one, two, three');
});

test('body_markdown is stored and returned byte for byte', async () => {
  const body = [
    '---\r\n',
    'title: "Crlf \u00e9t\u00e9 \u{1F389}"\r\n',
    'published: true\r\n',
    '---\r\n',
    '\r\n',
    'Trailing spaces make a break:   \r\n',
    'Emoji \u{1F469}\u200D\u{1F4BB} \u{1F1EB}\u{1F1F7} \u{1F44D}\u{1F3FD}, CJK \u4E2D\u6587, Hebrew \u05E2\u05D1\u05E8\u05D9\u05EA,',
    ' combining e\u0301, nbsp\u00A0here, line\u2028separator, tab\tend\t\r\n',
    '\r\n',
    '```\r\n  indented code  \r\n```\r\n',
    'last line without newline   ',
  ].join('');
  const article = await created(alice, { body_markdown: body });
  assert.equal(article.title, 'Crlf \u00e9t\u00e9 \u{1F389}', 'CRLF front matter is read');
  assert.equal(article.body_markdown, body);
  assert.equal((await show(article.id)).json().body_markdown, body);
  const path = await server.client().get(`/api/articles${article.path}`);
  assert.equal(path.json().body_markdown, body);
  const mine = await server.client().get('/api/articles/me/all', { key: alice.key });
  assert.equal(mine.json().find((a: Json) => a.id === article.id).body_markdown, body);
  const row = await server.ctx.database.db
    .selectFrom('articles')
    .select('body_markdown')
    .where('id', '=', article.id)
    .executeTakeFirstOrThrow();
  assert.equal(Buffer.compare(Buffer.from(row.body_markdown), Buffer.from(body)), 0);

  const edited = `${body}\r\n\r\nMore \u{1F680}  \r\n`;
  assert.equal((await updated(alice, article.id, { body_markdown: edited })).body_markdown, edited);
  assert.equal((await show(article.id)).json().body_markdown, edited);
});

test('title is required and at most 128 characters', async () => {
  const before = await snapshot(server);
  assertInvalid(await create(alice, { body_markdown: 'No title anywhere.' }), 'title');
  assertInvalid(await create(alice, { title: '   ' }), 'title');
  assertInvalid(await create(alice, { title: 'x'.repeat(129) }), 'title');
  assertInvalid(
    await create(alice, { body_markdown: `---\ntitle: ${'y'.repeat(129)}\n---\n` }),
    'title',
  );
  assert.deepEqual(await snapshot(server), before, 'refused requests stored nothing');

  const ok = await created(alice, { title: 'x'.repeat(128) });
  assert.equal(ok.title, 'x'.repeat(128));
  const emoji = '\u{1F642}'.repeat(128);
  assert.equal((await created(alice, { title: emoji })).title, emoji, 'characters, not bytes');

  assertInvalid(await update(alice, ok.id, { title: 'z'.repeat(129) }), 'title');
  assertInvalid(await update(alice, ok.id, { title: '' }), 'title');
  assert.equal((await show(ok.id, alice)).json().title, 'x'.repeat(128));
});

test('tags: at most 4, normalized, alphanumeric, at most 30 characters', async () => {
  const normalized = await created(alice, {
    title: 'Tag normalization',
    tags: ' #JavaScript , webdev,  JAVASCRIPT, #webdev ,, ',
  });
  assert.deepEqual(normalized.tags, ['javascript', 'webdev']);
  assert.equal(normalized.tag_list, 'javascript, webdev');
  const stored = await server.ctx.database.db
    .selectFrom('article_tags')
    .innerJoin('tags', 'tags.id', 'article_tags.tag_id')
    .select('tags.name')
    .where('article_tags.article_id', '=', normalized.id)
    .orderBy('article_tags.position')
    .execute();
  assert.deepEqual(
    stored.map((t) => t.name),
    ['javascript', 'webdev'],
  );

  const dupes = await created(alice, {
    title: 'Six given, four after normalization',
    tags: ['a1', 'A1', '#a1', 'b2', 'c3', 'd4'],
  });
  assert.deepEqual(dupes.tags, ['a1', 'b2', 'c3', 'd4']);
  const thirty = 't'.repeat(30);
  assert.deepEqual((await created(alice, { title: '30', tags: [thirty] })).tags, [thirty]);

  const before = await snapshot(server);
  assertInvalid(await create(alice, { title: 'Symbols', tags: 'c++' }), 'tags');
  assertInvalid(await create(alice, { title: 'Symbols', tags: ['c#'] }), 'tags');
  assertInvalid(await create(alice, { title: 'Hyphen', tags: 'web-dev' }), 'tags');
  assertInvalid(await create(alice, { title: 'Unicode', tags: 'caf\u00e9' }), 'tags');
  assertInvalid(await create(alice, { title: 'Long', tags: ['u'.repeat(31)] }), 'tags');
  assertInvalid(await create(alice, { title: 'Five', tags: 'a, b, c, d, e' }), 'tags');
  assertInvalid(
    await create(alice, {
      title: 'Five in front matter',
      body_markdown: '---\ntags: a, b, c, d, e\n---\n',
    }),
    'tags',
  );
  assertInvalid(await update(alice, normalized.id, { tags: ['a', 'b', 'c', 'd', 'e'] }), 'tags');
  assertInvalid(await update(alice, normalized.id, { tags: 'c++' }), 'tags');
  assert.deepEqual(await snapshot(server), before, 'refused requests changed nothing');
});

test('body_markdown: at most 819200 bytes of UTF-8; the HTTP body at most 2 MiB', async () => {
  // Two bytes per character: far below the limit in characters, exactly at it in bytes.
  const atLimit = '\u00e9'.repeat(409_600);
  assert.equal(Buffer.byteLength(atLimit), 819_200);
  const ok = await created(alice, { title: 'At the limit', body_markdown: atLimit });
  assert.equal((await show(ok.id, alice)).json().body_markdown, atLimit);

  const before = await snapshot(server);
  const over = `${atLimit}a`;
  assertInvalid(
    await create(alice, { title: 'One byte over', body_markdown: over }),
    'body_markdown',
  );
  assertInvalid(await update(alice, ok.id, { body_markdown: over }), 'body_markdown');
  const ascii = 'a'.repeat(819_201);
  assertInvalid(
    await create(alice, { title: 'ASCII over', body_markdown: ascii }),
    'body_markdown',
  );

  const huge = await create(alice, {
    title: 'Above the HTTP limit',
    body_markdown: 'b'.repeat(2 * 1024 * 1024 + 1),
  });
  assert.equal(huge.status, 413);
  assert.equal(huge.json().status, 413);
  assert.deepEqual(await snapshot(server), before);
});

test('canonical_url and cover_image must be absolute http(s) URLs', async () => {
  const before = await snapshot(server);
  for (const bad of [
    'ftp://example.com/a',
    'javascript:alert(1)',
    '/relative/path',
    'example.com',
  ]) {
    assertInvalid(await create(alice, { title: 'URL', canonical_url: bad }), 'canonical_url');
    assertInvalid(await create(alice, { title: 'URL', main_image: bad }), 'cover_image');
    assertInvalid(await create(alice, { title: 'URL', cover_image: bad }), 'cover_image');
  }
  assertInvalid(
    await create(alice, {
      body_markdown: '---\ntitle: FM\ncover_image: javascript:alert(1)\n---\n',
    }),
    'cover_image',
  );
  assertInvalid(
    await create(alice, {
      body_markdown: '---\ntitle: FM\ncanonical_url: ftp://x.example/\n---\n',
    }),
    'canonical_url',
  );
  assert.deepEqual(await snapshot(server), before);

  const ok = await created(alice, {
    title: 'Good URLs',
    canonical_url: 'http://example.com/a',
    main_image: 'https://example.com/a.png',
  });
  assert.equal(ok.canonical_url, 'http://example.com/a');
  assert.equal(ok.cover_image, 'https://example.com/a.png');
  assertInvalid(
    await update(alice, ok.id, { canonical_url: 'javascript:void(0)' }),
    'canonical_url',
  );
  assert.equal((await show(ok.id, alice)).json().canonical_url, 'http://example.com/a');
});

test('slugs: title plus a random suffix, unique per author, fixed once published', async () => {
  const title = 'Hello, World! \u00dcber Caf\u00e9 2026';
  const pattern = /^hello-world-uber-cafe-2026-[a-z0-9]{4}$/;
  const slugs = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const a = await created(alice, { title, published: true });
    assert.match(a.slug, pattern);
    assert.equal(a.path, `/rules_alice/${a.slug}`);
    assert.equal(a.url, `${server.url}/rules_alice/${a.slug}`);
    slugs.add(a.slug);
  }
  assert.equal(slugs.size, 5, 'one author never gets the same slug twice');
  const other = await created(bob, { title, published: true });
  assert.match(other.slug, pattern, 'another author may use the same base');

  const draft = await created(alice, { title: 'Draft working title' });
  assert.match(draft.slug, /^draft-working-title-temp-slug-/);
  const stillDraft = await updated(alice, draft.id, { title: 'Renamed draft' });
  assert.match(stillDraft.slug, /-temp-slug-/, 'a draft keeps a temporary slug');

  const published = await updated(alice, draft.id, { title: 'Final Title', published: true });
  assert.match(published.slug, /^final-title-[a-z0-9]{4}$/, 'first publication sets the slug');
  const byPath = await server.client().get(`/api/articles/rules_alice/${published.slug}`);
  assert.equal(byPath.status, 200);
  assert.equal(byPath.json().id, draft.id);
  assert.equal(
    (await server.client().get(`/api/articles/rules_alice/${draft.slug}`)).status,
    404,
    'the temporary slug is gone',
  );

  const renamed = await updated(alice, draft.id, { title: 'A completely new title' });
  assert.equal(renamed.slug, published.slug, 'a published slug never changes');
  const off = await updated(alice, draft.id, { published: false });
  assert.equal(off.slug, published.slug);
  const on = await updated(alice, draft.id, { published: true, title: 'Yet another title' });
  assert.equal(on.slug, published.slug, 'republishing keeps the slug');
});

test('published_at is set once and never moves', async () => {
  const first = server.clock.now().toISOString();
  const article = await created(alice, { title: 'Set once', published: true });
  assert.equal(article.published_at, seconds(first));

  server.clock.advance(minutes(60));
  const off = await updated(alice, article.id, { published: false });
  assert.ok(!(await publicIds()).includes(article.id));
  server.clock.advance(minutes(60));
  const on = await updated(alice, article.id, { published: true });
  assert.equal(on.published_at, seconds(first), 'republishing keeps the first date');
  assert.equal(off.published_at ?? seconds(first), seconds(first));

  const later = isoIn(-minutes(1));
  const fm = await updated(alice, article.id, {
    body_markdown: `---\npublished: true\ndate: ${later}\n---\nNew date in front matter.`,
  });
  assert.equal(fm.published_at, seconds(first), 'a later front matter date is ignored');
  const future = await updated(alice, article.id, { published_at: isoIn(minutes(600)) });
  assert.equal(future.published_at, seconds(first), 'a JSON date is ignored too');
  assert.ok((await publicIds()).includes(article.id), 'and it stays visible');
  const row = await server.ctx.database.db
    .selectFrom('articles')
    .select('published_at')
    .where('id', '=', article.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.published_at, first);
});

test('a future date schedules the article: hidden from others until the clock passes it', async () => {
  const when = isoIn(2 * 86_400_000);
  const article = await created(alice, {
    body_markdown: `---\ntitle: Scheduled post\npublished: true\ndate: ${when}\ntags: scheduledtag\n---\nLater.`,
  });
  assert.equal(article.published_at, seconds(when));
  assert.match(article.slug, /^scheduled-post-[a-z0-9]{4}$/);
  const publicPage = `/rules_alice/${article.slug}`;

  const hidden = async () => {
    assert.ok(!(await publicIds()).includes(article.id), 'not in /api/articles');
    const latest = await server.client().get('/api/articles/latest?per_page=1000');
    assert.ok(!ids(latest.json()).includes(article.id), 'not in /api/articles/latest');
    assert.ok(!(await publicIds('&tag=scheduledtag')).includes(article.id));
    assert.equal((await show(article.id)).status, 404);
    assert.equal((await show(article.id, bob)).status, 404, 'another user does not see it');
    assert.equal((await server.client().get(`/api/articles${publicPage}`)).status, 404);
    assert.equal((await server.client().get(publicPage)).status, 404, 'no public page');
    assert.equal((await update(bob, article.id, { title: 'Hijack' })).status, 404);
  };
  await hidden();
  assert.equal((await show(article.id, alice)).status, 200, 'the author sees it');
  const mine = await server.client().get('/api/articles/me/all', { key: alice.key });
  const own = mine.json().find((a: Json) => a.id === article.id);
  assert.ok(own, 'the author lists it');
  assert.equal(own.published, true);

  server.clock.set(new Date(new Date(when).getTime() - 1000));
  await hidden();

  server.clock.set(new Date(new Date(when).getTime() + minutes(1)));
  assert.ok((await publicIds()).includes(article.id), 'visible once its time has come');
  assert.ok((await publicIds('&tag=scheduledtag')).includes(article.id));
  assert.equal((await show(article.id)).status, 200);
  assert.equal((await server.client().get(publicPage)).status, 200);
});

test('reading_time_minutes is ceil(words / 275), front matter excluded', async () => {
  const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
  const cases: Array<[number, number]> = [
    [1, 1],
    [275, 1],
    [276, 2],
    [550, 2],
    [551, 3],
  ];
  for (const [count, expected] of cases) {
    const a = await created(alice, { title: `Reading ${count}`, body_markdown: words(count) });
    assert.equal(a.reading_time_minutes, expected, `${count} words`);
  }
  const fm = await created(alice, {
    body_markdown: `---\ntitle: Front matter words\ndescription: ${words(20)}\n---\n${words(275)}`,
  });
  assert.equal(fm.reading_time_minutes, 1, 'front matter is not read');
  const grown = await updated(alice, fm.id, { body_markdown: words(276) });
  assert.equal(grown.reading_time_minutes, 2, 'recomputed when the body changes');
});

test('description: derived from the text unless given; explicit ones survive body changes', async () => {
  const short = await created(alice, { title: 'Short', body_markdown: 'Just a short intro.' });
  assert.equal(short.description, 'Just a short intro.');

  const long =
    'Quire keeps articles in Markdown and renders them once, at write time, so that every reader gets the same page quickly and safely.';
  const derived = await created(alice, { title: 'Long', body_markdown: long });
  assert.ok(derived.description.length <= 103, derived.description);
  assert.ok(derived.description.length >= 60, derived.description);
  assert.ok(derived.description.endsWith('...'), derived.description);
  assert.ok(long.startsWith(derived.description.slice(0, -3)), derived.description);

  const explicit = await created(alice, {
    title: 'Explicit',
    description: 'Chosen words',
    body_markdown: 'Body text one.',
  });
  assert.equal(explicit.description, 'Chosen words');

  const rederived = await updated(alice, derived.id, { body_markdown: 'A brand new opening.' });
  assert.equal(rederived.description, 'A brand new opening.', 'automatic ones follow the body');
  const kept = await updated(alice, explicit.id, { body_markdown: 'Body text two.' });
  assert.equal(kept.description, 'Chosen words', 'explicit ones stay');
  const retitled = await updated(alice, explicit.id, { title: 'Explicit, renamed' });
  assert.equal(retitled.description, 'Chosen words');
  const replaced = await updated(alice, rederived.id, { description: 'Now explicit' });
  assert.equal(replaced.description, 'Now explicit');
  const afterBody = await updated(alice, rederived.id, { body_markdown: 'Third opening.' });
  assert.equal(afterBody.description, 'Now explicit');
});

test('series: one collection_id per author and name; collection_id lists it oldest first', async () => {
  const a = await created(alice, { title: 'Rust 1', series: 'Learning Rust', published: true });
  server.clock.advance(minutes(5));
  const b = await created(alice, { title: 'Rust 2', series: 'Learning Rust', published: true });
  server.clock.advance(minutes(5));
  // Created last but dated earliest: the list follows publication dates.
  const c = await created(alice, {
    body_markdown: `---\ntitle: Rust 0\nseries: Learning Rust\npublished: true\ndate: ${isoIn(-86_400_000)}\n---\nPrequel.`,
  });
  const draft = await created(alice, { title: 'Rust draft', series: 'Learning Rust' });
  const otherSeries = await created(alice, {
    title: 'Go 1',
    series: 'Learning Go',
    published: true,
  });
  const bobs = await created(bob, { title: 'Bob Rust', series: 'Learning Rust', published: true });

  assert.ok(a.collection_id);
  assert.equal(b.collection_id, a.collection_id);
  assert.equal(c.collection_id, a.collection_id);
  assert.equal(draft.collection_id, a.collection_id);
  assert.notEqual(otherSeries.collection_id, a.collection_id);
  assert.ok(bobs.collection_id);
  assert.notEqual(bobs.collection_id, a.collection_id, 'series belong to their author');

  const res = await server.client().get(`/api/articles?collection_id=${a.collection_id}`);
  assert.equal(res.status, 200);
  assert.deepEqual(ids(res.json()), [c.id, a.id, b.id]);
  assert.deepEqual(
    ids((await server.client().get(`/api/articles?collection_id=${bobs.collection_id}`)).json()),
    [bobs.id],
  );

  const left = await updated(alice, b.id, { series: null });
  assert.equal(left.collection_id, null);
  assert.deepEqual(
    ids((await server.client().get(`/api/articles?collection_id=${a.collection_id}`)).json()),
    [c.id, a.id],
  );
});

test("index and show shapes differ as Forem's do", async () => {
  const article = await created(bob, {
    title: 'Shapes',
    published: true,
    tags: ['shapes', 'forem'],
    body_markdown: 'Shape body.',
  });
  assert.equal(article.tag_list, 'shapes, forem');
  assert.deepEqual(article.tags, ['shapes', 'forem']);

  for (const path of [`/api/articles/${article.id}`, `/api/articles${article.path}`]) {
    const one = (await server.client().get(path)).json();
    assert.equal(one.tag_list, 'shapes, forem', path);
    assert.deepEqual(one.tags, ['shapes', 'forem'], path);
    assert.equal(one.body_markdown, 'Shape body.');
    assert.match(one.body_html, /<p>Shape body\.<\/p>/);
  }

  const listed = (await server.client().get('/api/articles?username=rules_bob&per_page=1000'))
    .json()
    .find((a: Json) => a.id === article.id);
  assert.deepEqual(listed.tag_list, ['shapes', 'forem']);
  assert.equal(listed.tags, 'shapes, forem');
  assert.equal(listed.body_html, undefined, 'lists carry no body');
  assert.equal(listed.body_markdown, undefined);
  const mine = (await server.client().get('/api/articles/me/all', { key: bob.key }))
    .json()
    .find((a: Json) => a.id === article.id);
  assert.deepEqual(mine.tag_list, ['shapes', 'forem']);
  assert.equal(mine.tags, 'shapes, forem');
});

test('only the owner or an admin may change an article', async () => {
  const published = await created(alice, { title: 'Owned', published: true, tags: 'owned' });
  const draft = await created(alice, { title: 'Owned draft', tags: 'owned' });

  const before = await snapshot(server);
  assert.equal((await update(bob, published.id, { title: 'Mine now' })).status, 403);
  assert.equal((await remove(bob, published.id)).status, 403);
  assert.equal((await show(draft.id, bob)).status, 404);
  assert.equal((await update(bob, draft.id, { title: 'Mine now' })).status, 404);
  assert.equal((await remove(bob, draft.id)).status, 404);
  assert.equal(
    (await server.client().get(`/api/articles${draft.path}`, { key: bob.key })).status,
    404,
  );
  assert.equal((await update(null, published.id, { title: 'Anonymous' })).status, 401);
  assert.equal((await remove(null, published.id)).status, 401);
  assert.equal((await create(null, { title: 'Anonymous' })).status, 401);
  const badKey = await server.client().put(`/api/articles/${published.id}`, {
    key: 'not-a-real-key',
    json: { article: { title: 'x' } },
  });
  assert.equal(badKey.status, 401);
  for (const res of [
    await show(999_999),
    await update(alice, 999_999, { title: 'Nothing' }),
    await remove(alice, 999_999),
  ]) {
    assert.equal(res.status, 404);
  }
  assert.deepEqual(await snapshot(server), before, 'refused requests changed nothing');

  assert.equal((await show(draft.id, admin)).status, 200, 'an admin sees drafts');
  const byAdmin = await updated(admin, published.id, { title: 'Edited by an admin' });
  assert.equal(byAdmin.title, 'Edited by an admin');
  assert.equal(byAdmin.user.username, 'rules_alice', 'the author stays the author');
  assert.equal(
    (await updated(admin, draft.id, { title: 'Admin draft edit' })).title,
    'Admin draft edit',
  );
  assert.equal((await remove(admin, draft.id)).status, 204);
  assert.equal((await show(draft.id, alice)).status, 404);

  const gone = await remove(alice, published.id);
  assert.equal(gone.status, 204);
  assert.equal(gone.text, '');
  assert.equal((await show(published.id, alice)).status, 404);
  assert.equal((await server.client().get(`/api/articles${published.path}`)).status, 404);
  assert.equal((await remove(alice, published.id)).status, 404);
  assert.equal((await update(alice, published.id, { title: 'Back?' })).status, 404);
  const leftovers = await server.ctx.database.db
    .selectFrom('article_tags')
    .select('article_id')
    .where('article_id', 'in', [published.id, draft.id])
    .execute();
  assert.deepEqual(leftovers, [], 'their tag links went with them');
});
