/**
 * GET /api/search on a small fixed corpus: a golden set of queries whose answers must be the same
 * article sets on SQLite and PostgreSQL, a title match ranked above a body-only one, nothing that
 * is not public and live ever found, writes (edits, unpublishes, deletes, bulk imports) seen by
 * the next search, the excerpt escaped with only <mark> added, and hostile queries answered as
 * searches, never a 5xx.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { insertArticlesIn, prepareArticle } from '../../src/modules/articles/articles.service.ts';
import { suspendAccount, userById } from '../../src/modules/users/users.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ada: Author;
let bob: Author;
/** Corpus articles by key, as the API created them. */
const ids = new Map<string, number>();

const CORPUS: Array<{
  key: string;
  by: 'ada' | 'bob';
  title: string;
  description?: string;
  tags: string[];
  body: string;
}> = [
  {
    key: 'rust',
    by: 'ada',
    title: 'Rust ownership explained',
    tags: ['rust', 'beginners'],
    body: 'Borrowing and lifetimes make memory safety possible without a garbage collector.',
  },
  {
    key: 'go',
    by: 'bob',
    title: 'Garbage collection in Go',
    tags: ['go', 'performance'],
    body: 'The Go runtime uses a concurrent mark and sweep collector. Rust has no such thing.',
  },
  {
    key: 'cafe',
    by: 'ada',
    title: 'A café in Paris',
    tags: ['travel'],
    body: 'We drank coffee at a small café near the river. The croissants were good.',
  },
  {
    key: 'parser',
    by: 'bob',
    title: 'Writing a parser by hand',
    description: 'Recursive descent, step by step',
    tags: ['compilers', 'rust'],
    body: 'A tokenizer turns text into tokens; the parser builds a tree. Error recovery matters.',
  },
  {
    key: 'testing',
    by: 'ada',
    title: 'Testing databases',
    tags: ['testing', 'sqlite', 'postgres'],
    body: 'Run every test on SQLite and PostgreSQL. Full text search differs between engines.',
  },
  {
    key: 'leaks',
    by: 'bob',
    title: 'Memory leaks in JavaScript',
    tags: ['javascript', 'performance'],
    body: 'Closures can hold memory longer than expected. The garbage collector cannot free what is reachable.',
  },
  {
    key: 'ranking',
    by: 'ada',
    title: 'Notes on search ranking',
    description: 'Why titles weigh more',
    tags: ['search'],
    body: 'Ranking puts a title match first; bm25 and ts_rank_cd both weight columns.',
  },
  {
    key: 'scripts',
    by: 'bob',
    title: 'Words in many scripts',
    tags: ['i18n'],
    body: 'Йогурт и кефир. नमस्ते दुनिया. 안녕하세요 세계. Ελληνικά κείμενα. Ünïcödé Straße.',
  },
  {
    key: 'tokens',
    by: 'ada',
    title: 'Tags with digits',
    tags: ['web3', '3d', '2024', 'x86'],
    body: 'Wallets, meshes, a year and an instruction set.',
  },
];

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'srch_ada');
  bob = await makeAuthor(server, 'srch_bob');
  for (const a of CORPUS) {
    const json = await postArticle(server, a.by === 'ada' ? ada : bob, {
      title: a.title,
      body_markdown: a.body,
      published: true,
      tags: a.tags,
      ...(a.description && { description: a.description }),
    });
    ids.set(a.key, json.id);
  }
  server.clock.advance(60_000);
});
after(() => server.close());

const search = (q: string, extra = '') =>
  server.client().get(`/api/search?q=${encodeURIComponent(q)}${extra}`);

/** The ids found for `q`, in order. */
async function found(q: string, extra = ''): Promise<number[]> {
  const res = await search(q, extra);
  assert.equal(res.status, 200, `${q}: ${res.text}`);
  return res.json<Array<{ id: number }>>().map((a) => a.id);
}

const keysOf = (list: number[]) =>
  list.map((id) => [...ids].find(([, v]) => v === id)?.[0] ?? `#${id}`).sort();

const GOLDEN: Array<[string, string[]]> = [
  ['garbage', ['go', 'leaks', 'rust']],
  ['wallets tag:web3 tag:3d tag:2024 tag:x86', ['tokens']],
  ['wallets -tag:x86', []],
  ['wallets -tag:rust', ['tokens']],
  ['tag:2024', ['tokens']],
  ['"garbage collector"', ['leaks', 'rust']],
  ['garbage -rust', ['leaks']],
  ['memory tag:performance', ['leaks']],
  ['author:srch_ada memory', ['rust']],
  ['AUTHOR:SRCH_BOB memory', ['leaks']],
  ['pars*', ['parser']],
  ['cafe', ['cafe']],
  ['CAFÉ Paris', ['cafe']],
  ['collect*', ['go', 'leaks', 'rust']],
  ['"mark and sweep"', ['go']],
  ['"sweep and mark"', []],
  ['-tag:rust garbage', ['go', 'leaks']],
  ['-author:srch_ada collector', ['go', 'leaks']],
  ['tokens tree', ['parser']],
  ['recursive', ['parser']],
  ['sqlite postgresql', ['testing']],
  ['"garbage collector', ['go', 'leaks', 'rust']],
  ['tag:performance', ['go', 'leaks']],
  ['tag:rust -tag:beginners', ['parser']],
  ['author:srch_bob tag:performance', ['go', 'leaks']],
  ['author:srch_ada -tag:travel -tag:search -tag:testing -tag:3d', ['rust']],
  ['-tag:rust', []],
  ['йогурт', ['scripts']],
  ['ЙОГУРТ', ['scripts']],
  ['नमस्ते', ['scripts']],
  ['안녕하세요', ['scripts']],
  ['Ελληνικά', ['scripts']],
  ['unicode', ['scripts']],
  ['straße', ['scripts']],
  ['-garbage', []],
  ['rust', ['go', 'parser', 'rust']],
];

test('the golden queries find the same articles on both databases', async () => {
  for (const [q, expected] of GOLDEN) assert.deepEqual(keysOf(await found(q)), expected, q);
});

test('a tag or an author alone lists their articles, newest first, with the description', async () => {
  assert.deepEqual(await found('tag:performance'), [ids.get('leaks'), ids.get('go')]);
  assert.deepEqual(await found('tag:rust'), [ids.get('parser'), ids.get('rust')]);
  assert.deepEqual(await found('tag:performance', '&per_page=1&page=2'), [ids.get('go')]);
  assert.deepEqual(await found('author:srch_bob'), [
    ids.get('scripts'),
    ids.get('leaks'),
    ids.get('parser'),
    ids.get('go'),
  ]);
  const [parser] = (await search('tag:compilers')).json<Array<{ highlight: string }>>();
  assert.equal(parser?.highlight, 'Recursive descent, step by step');
  assert.deepEqual(await found('tag:nosuchtag'), []);
});

test('answers are articles in the list shape with an escaped excerpt marking the matches', async () => {
  const res = await search('closures');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=0, s-maxage=\d+/);
  // A caller with a key gets an answer of its own, which no cache keeps.
  const keyed = await server.client().get('/api/search?q=closures', { key: ada.key });
  assert.equal(keyed.headers.get('cache-control'), 'no-store');
  assert.equal(keyed.text, res.text);
  const [hit] = res.json();
  assert.equal(hit.id, ids.get('leaks'));
  assert.equal(hit.type_of, 'article');
  assert.deepEqual(hit.tag_list, ['javascript', 'performance']);
  assert.equal(hit.user.username, 'srch_bob');
  assert.equal(hit.path, `/srch_bob/${hit.slug}`);
  assert.equal('body_markdown' in hit, false);
  assert.match(hit.highlight, /<mark>Closures<\/mark> can hold memory/);

  const hostile = await postArticle(server, ada, {
    title: 'Markup in a body',
    // Markup a reader sees as text (inline code), and markup the sanitizer drops.
    body_markdown: 'Before `<script>alert(1)</script>` & <b>bold</b> "xylophone" \u0002 after',
    published: true,
  });
  const [marked] = (await search('xylophone')).json();
  assert.equal(marked.id, hostile.id);
  assert.doesNotMatch(marked.highlight, /<(?!\/?mark>)/, 'no element but <mark>');
  // SQLite shows markup as text; PostgreSQL's excerpt leaves tags out. Neither leaves an element.
  assert.match(marked.highlight, /^Before (&lt;script&gt;)?alert\(1\)(&lt;\/script&gt;)? &amp; /);
  assert.match(marked.highlight, /&quot;<mark>xylophone<\/mark>&quot;/);
  assert.equal(
    marked.highlight.split('<mark>').length,
    marked.highlight.split('</mark>').length,
    'every mark is closed',
  );
  await server.client().delete(`/api/articles/${hostile.id}`, { key: ada.key });
});

test('the text a reader sees is searched: not link targets or a code block language; code is', async () => {
  const article = await postArticle(server, bob, {
    title: 'Tooling notes',
    body_markdown: [
      'Read **the manual** of [our tool](https://example.com/okapi-guide) before `gnuplot` runs.',
      '',
      '```ocelot tapir',
      'fn axolotl() {}',
      '```',
    ].join('\n'),
    published: true,
  });
  server.clock.advance(1000);
  for (const q of ['okapi', 'guide', 'ocelot', 'tapir', 'https'])
    assert.deepEqual(await found(q), [], `${q} is only in a link target or an info string`);
  for (const q of ['gnuplot', 'axolotl', '"the manual"'])
    assert.deepEqual(await found(q), [article.id], `${q} is text a reader sees`);

  const [hit] = (await search('manual')).json();
  assert.match(hit.highlight, /<mark>manual<\/mark> of our tool before gnuplot runs/);
  assert.doesNotMatch(hit.highlight, /\*\*|\]\(|```|okapi/);

  // An edit of the body is searched at once, and the old text no longer is.
  const put = await server.client().put(`/api/articles/${article.id}`, {
    key: bob.key,
    json: {
      article: { body_markdown: 'Now about `capybara` and [a link](https://example.com/axolotl).' },
    },
  });
  assert.equal(put.status, 200);
  assert.deepEqual(await found('capybara'), [article.id]);
  assert.deepEqual(await found('axolotl'), []);
  assert.deepEqual(await found('gnuplot'), []);
});

test('a title match ranks above a body-only match, whatever the order of writing', async () => {
  const body = await postArticle(server, bob, {
    title: 'Animals of Australia',
    body_markdown: 'The kangaroo hops. A kangaroo carries its young. Kangaroo, kangaroo, kangaroo.',
    published: true,
  });
  server.clock.advance(1000);
  const title = await postArticle(server, ada, {
    title: 'Kangaroo facts',
    body_markdown: 'They hop.',
    published: true,
  });
  server.clock.advance(1000);
  assert.deepEqual(await found('kangaroo'), [title.id, body.id]);
  // `garbage` is in the Go article's title and in two bodies.
  assert.equal((await found('garbage'))[0], ids.get('go'));
});

test('pages: per_page and page cut the ranked list without overlap', async () => {
  const all = await found('garbage');
  assert.equal(all.length, 3);
  const first = await found('garbage', '&per_page=2');
  const second = await found('garbage', '&per_page=2&page=2');
  assert.deepEqual([...first, ...second], all);
  assert.deepEqual(await found('garbage', '&per_page=2&page=3'), []);
});

test('drafts, scheduled, unpublished, deleted and withheld articles are never found', async () => {
  const post = (who: Author, title: string, extra: Record<string, unknown> = {}) =>
    postArticle(server, who, { title, body_markdown: 'About the zebra.', ...extra });
  const visible = await post(ada, 'Zebra visible', { published: true });
  await post(ada, 'Zebra draft', { published: false });
  const later = new Date(server.clock.now().getTime() + 86_400_000).toISOString();
  const scheduled = await post(ada, 'Zebra scheduled', { published: true, published_at: later });
  const unpublished = await post(ada, 'Zebra unpublished', { published: true });
  const deleted = await post(ada, 'Zebra deleted', { published: true });
  const carl = await makeAuthor(server, 'srch_carl');
  const withheld = await post(carl, 'Zebra withheld', { published: true });
  server.clock.advance(1000);
  const before = await found('zebra');
  assert.equal(before.length, 4);
  assert.ok(before.includes(withheld.id), 'found while its author is in good standing');

  const put = await server.client().put(`/api/articles/${unpublished.id}`, {
    key: ada.key,
    json: { article: { published: false } },
  });
  assert.equal(put.status, 200);
  assert.equal(
    (await server.client().delete(`/api/articles/${deleted.id}`, { key: ada.key })).status,
    204,
  );
  const admin = await makeAuthor(server, 'srch_admin', { admin: true });
  await suspendAccount(server.ctx, (await userById(server.ctx, admin.id))!, carl.id);
  assert.deepEqual(await found('zebra'), [visible.id]);
  assert.deepEqual(await found('"zebra withheld"'), []);

  // A scheduled article is found once its time comes, with no write.
  server.clock.advance(2 * 86_400_000);
  assert.deepEqual((await found('zebra')).sort(), [visible.id, scheduled.id].sort());
});

test('an edit is found at once, under its new words and tags only', async () => {
  const article = await postArticle(server, bob, {
    title: 'Quokka sightings',
    body_markdown: 'Seen on an island.',
    published: true,
    tags: ['animals'],
  });
  server.clock.advance(1000);
  assert.deepEqual(await found('quokka tag:animals'), [article.id]);
  const res = await server.client().put(`/api/articles/${article.id}`, {
    key: bob.key,
    json: { article: { title: 'Wombat sightings', tags: ['burrows'] } },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await found('quokka'), []);
  assert.deepEqual(await found('wombat tag:burrows'), [article.id]);
  assert.deepEqual(await found('wombat tag:animals'), []);
});

test('articles imported in bulk are found', async () => {
  const author = (await userById(server.ctx, bob.id))!;
  const prepared = ['Narwhal one', 'Narwhal two', 'Narwhal three'].map((title) =>
    prepareArticle({ title, body_markdown: 'Imported.', published: true, tags: ['sea'] }),
  );
  const rows = await server.ctx.database.transaction((tx) =>
    insertArticlesIn(server.ctx, tx, author, prepared),
  );
  server.clock.advance(1000);
  assert.deepEqual((await found('narwhal tag:sea')).sort(), rows.map((r) => r.id).sort());
});

test('a blank, missing or overlong query is a 422; 256 characters are searched', async () => {
  for (const path of [
    '/api/search?q=',
    '/api/search?q=%20%20%09',
    '/api/search',
    `/api/search?q=${'a'.repeat(257)}`,
  ]) {
    const res = await server.client().get(path);
    assert.equal(res.status, 422, `${path}: ${res.text}`);
  }
  assert.equal((await search(`garbage ${'x'.repeat(248)}`)).status, 200);
  assert.equal((await search('garbage&per_page=0')).status, 200);
  assert.equal((await server.client().get('/api/search?q=a&per_page=101')).status, 422);
});

test('operators, engine syntax and SQL in a query are searched as text, never a 5xx', async () => {
  const cases = [
    '"',
    '""',
    '-""',
    '"unbalanced',
    'garbage"',
    '***',
    '-',
    '- - -',
    '*:*',
    'NEAR(garbage collector)',
    'NEAR(garbage collector, 2)',
    'title:garbage',
    '{title}: garbage',
    '^garbage',
    'garbage OR rust',
    'garbage AND NOT rust',
    'garbage & !rust | (go)',
    "garbage' OR 1=1 --",
    "'; drop table articles; --",
    'a:* & b',
    '\\',
    '"a \\" b"',
    'tag:',
    'author:',
    'tag:no-such-tag',
    "author:Robert'); --",
    '( ) : ^ * " -',
    '\u0000garbage',
    'e\u0301',
    '😀 garbage',
    'x*',
  ];
  for (const q of cases) {
    const res = await search(q);
    assert.equal(res.status, 200, `${JSON.stringify(q)}: ${res.status} ${res.text}`);
    assert.ok(Array.isArray(res.json()), q);
  }
  assert.deepEqual(keysOf(await found('NEAR(garbage collector)')), []);
  assert.deepEqual(keysOf(await found('garbage OR rust')), []);
  // Not a column filter: the words "title garbage" in a row, which no article has.
  assert.deepEqual(keysOf(await found('title:garbage')), []);
  assert.deepEqual(keysOf(await found('*:* ^garbage ( "" -')), ['go', 'leaks', 'rust']);
  const count = await server.ctx.database.db
    .selectFrom('articles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.ok(Number(count.n) > 0, 'the articles are still there');
});

/** Names of the accounts `type=people` finds for `q`, in order. */
async function people(q: string, extra = ''): Promise<string[]> {
  const res = await search(q, `&type=people${extra}`);
  assert.equal(res.status, 200, `${q}: ${res.text}`);
  return res.json<Array<{ username: string }>>().map((p) => p.username);
}

test('people: a prefix of the username or of the name, any case, suspended accounts never', async () => {
  const named = async (username: string, name: string) => {
    const author = await makeAuthor(server, username);
    await server.ctx.database.db
      .updateTable('users')
      .set({ name })
      .where('id', '=', author.id)
      .execute();
    return author;
  };
  await named('ada_l', 'Ada Lovelace');
  await named('lovelace_fan', 'ADA fan club');
  await named('zz_adamant', 'Zed Adams');
  const gone = await named('ada_gone', 'Ada Gone');

  const res = await search('ada', '&type=people');
  assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=0/);
  const [first] = res.json<Array<Record<string, unknown>>>();
  assert.deepEqual(Object.keys(first ?? {}).sort(), [
    'github_username',
    'name',
    'profile_image',
    'profile_image_90',
    'twitter_username',
    'user_id',
    'username',
    'website_url',
  ]);
  assert.equal(first?.name, 'Ada Gone');

  // By username, then by the start of the name only (`Zed Adams` is not `ada...`).
  assert.deepEqual(await people('ada'), ['ada_gone', 'ada_l', 'lovelace_fan']);
  assert.deepEqual(await people('ADA'), ['ada_gone', 'ada_l', 'lovelace_fan']);
  assert.deepEqual(await people('@Ada_L'), ['ada_l']);
  assert.deepEqual(await people('ada lo'), ['ada_l']);
  assert.deepEqual(await people('  Ada   Lov '), ['ada_l']);
  assert.deepEqual(await people('lovelace'), ['lovelace_fan']);
  assert.deepEqual(await people('ada', '&per_page=1&page=2'), ['ada_l']);
  assert.deepEqual(await people('nobody_at_all'), []);
  assert.deepEqual(await people('%'), []);
  assert.deepEqual(await people('_'), []);
  // A control character is a space: "ada l" starts "Ada Lovelace".
  assert.deepEqual(await people('ada\u0000l'), ['ada_l']);
  assert.deepEqual(await people('ada\u0000'), ['ada_gone', 'ada_l', 'lovelace_fan']);
  assert.equal((await search('ada\u0000', '&type=tags')).status, 200);

  const admin = await makeAuthor(server, 'srch_admin2', { admin: true });
  await suspendAccount(server.ctx, (await userById(server.ctx, admin.id))!, gone.id);
  assert.deepEqual(await people('ada'), ['ada_l', 'lovelace_fan']);
  assert.deepEqual(await people('Ada Gone'), []);
});

test('tags: a prefix of the name, any case, most used first, unused ones never', async () => {
  const tag = async (tags: string[], published = true) =>
    postArticle(server, bob, {
      title: `Tagged ${tags.join(' ')}`,
      body_markdown: 'x',
      published,
      tags,
    });
  await tag(['perfume']);
  await tag(['perfume', 'perfect']);
  await tag(['perfume']);
  await tag(['perfectly'], false);
  const res = await search('perf', '&type=tags');
  assert.equal(res.status, 200);
  const found = res.json<Array<{ id: number; name: string; published_count: number }>>();
  // `performance` carries two corpus articles; `perfectly` only a draft.
  assert.deepEqual(
    found.map((t) => `${t.name}:${t.published_count}`),
    ['perfume:3', 'performance:2', 'perfect:1'],
  );
  assert.equal(typeof found[0]?.id, 'number');
  assert.deepEqual(Object.keys(found[0] ?? {}).sort(), ['id', 'name', 'published_count']);
  const names = async (q: string) =>
    (await search(q, '&type=tags')).json<Array<{ name: string }>>().map((t) => t.name);
  assert.deepEqual(await names('#PERFU'), ['perfume']);
  assert.deepEqual(await names('perfume'), ['perfume']);
  assert.deepEqual(await names('perf-'), []);
  assert.deepEqual(await names('zzz'), []);
  assert.deepEqual(await names('perf'), ['perfume', 'performance', 'perfect']);
  assert.equal((await search('perf', '&type=tags&per_page=1&page=2')).json<unknown[]>().length, 1);
});

test('type is one of articles, people and tags; q is checked for each', async () => {
  assert.equal((await search('rust', '&type=posts')).status, 422);
  assert.deepEqual(keysOf(await found('rust', '&type=articles')), ['go', 'parser', 'rust']);
  for (const type of ['people', 'tags']) {
    assert.equal((await search('  ', `&type=${type}`)).status, 422);
    assert.equal((await search('a'.repeat(257), `&type=${type}`)).status, 422);
  }
});
