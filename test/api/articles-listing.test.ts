/**
 * The public and personal lists of the API: /api/articles and its filters, /latest, the /me
 * lists, /api/tags and /api/users. Drafts and scheduled articles never show up in public.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ann: Author;
let ben: Author;
let cat: Author;

type Json = Record<string, any>;

/** What the test knows about each visible article, to compute the expected lists. */
interface Known {
  id: number;
  user: string;
  tags: string[];
  publishedAt: string;
  seriesId: number | null;
}
const visible: Known[] = [];
const drafts: Json[] = [];
const scheduled: Json[] = [];
let t0: number;

const MINUTE = 60_000;
const DAY = 86_400_000;

async function publish(author: Author, fields: Json): Promise<Json> {
  const json = await postArticle(server, author, { published: true, ...fields });
  visible.push({
    id: json.id,
    user: author.username,
    tags: json.tags,
    publishedAt: new Date(json.published_at).toISOString(),
    seriesId: json.collection_id,
  });
  server.clock.advance(MINUTE);
  return json;
}

const get = async (path: string, key?: string): Promise<Json[]> => {
  const res = await server.client().get(path, key ? { key } : {});
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.json();
};
const ids = (list: Json[]) => list.map((a) => a.id);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
/** Newest publication first, then the higher id, as a list of ids. */
const newestFirst = (list: Known[]) =>
  [...list]
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || b.id - a.id)
    .map((k) => k.id);

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'list_admin'); // the first account becomes admin; not used below
  ann = await makeAuthor(server, 'list_ann');
  ben = await makeAuthor(server, 'list_ben');
  cat = await makeAuthor(server, 'list_cat');
  t0 = server.clock.now().getTime();

  await publish(ann, { title: 'A1', tags: ['javascript', 'webdev'] });
  await publish(ann, { title: 'A2', tags: ['rust', 'javascript'], series: 'Ann Series' });
  await publish(ben, { title: 'B1', tags: ['javascript', 'rust', 'python'] });
  await publish(ben, { title: 'B2', tags: ['python'] });
  // Created now, dated ten days back.
  await publish(ben, {
    body_markdown: `---\ntitle: Old one\ntags: history, javascript\ndate: ${new Date(t0 - 10 * DAY).toISOString()}\n---\nOld.`,
  });
  await publish(ann, { title: 'A3', tags: 'alpha1, alpha2, alpha3, alpha4', series: 'Ann Series' });
  await publish(ann, { title: 'A4', tags: 'alpha5, alpha6, alpha7, alpha8' });
  for (let i = 1; i <= 3; i++) {
    drafts.push(
      await postArticle(server, ann, {
        title: `Draft ${i}`,
        tags: ['secrettag', 'javascript'],
        series: 'Ann Series',
      }),
    );
    server.clock.advance(MINUTE);
  }
  for (let i = 1; i <= 2; i++) {
    scheduled.push(
      await postArticle(server, ben, {
        title: `Scheduled ${i}`,
        published: true,
        published_at: new Date(t0 + 365 * DAY).toISOString(),
        tags: ['futuretag', 'javascript'],
      }),
    );
  }
});
after(() => server.close());

const hiddenIds = () => [...drafts, ...scheduled].map((a) => a.id);

test('GET /api/articles lists exactly the visible articles, in the index shape', async () => {
  const list = await get('/api/articles');
  assert.deepEqual(sorted(ids(list)), sorted(visible.map((k) => k.id)));
  for (const id of hiddenIds()) assert.ok(!ids(list).includes(id), `hidden article ${id} listed`);
  for (const a of list) {
    assert.equal(a.type_of, 'article');
    assert.ok(Array.isArray(a.tag_list));
    assert.equal(typeof a.tags, 'string');
    assert.equal(a.body_markdown, undefined);
    assert.equal(a.published, undefined);
  }
});

test('GET /api/articles/latest is newest first, by publication date', async () => {
  const list = await get('/api/articles/latest');
  assert.deepEqual(ids(list), newestFirst(visible));
  const old = visible.find((k) => k.publishedAt === new Date(t0 - 10 * DAY).toISOString());
  assert.equal(ids(list).at(-1), old?.id, 'the backdated article comes last');
  for (let i = 1; i < list.length; i++) {
    assert.ok(list[i - 1]!.published_at >= list[i]!.published_at, 'not newest first');
  }
});

test('page and per_page walk through the list without gaps or repeats', async () => {
  const all = newestFirst(visible);
  const walked: number[] = [];
  for (let page = 1; page <= 4; page++) {
    const chunk = await get(`/api/articles/latest?per_page=2&page=${page}`);
    assert.ok(chunk.length <= 2);
    walked.push(...ids(chunk));
  }
  assert.deepEqual(walked, all.slice(0, 8));
  assert.deepEqual(await get('/api/articles?per_page=3&page=100'), []);
  const pages: number[] = [];
  for (let page = 1; page <= 3; page++)
    pages.push(...ids(await get(`/api/articles?per_page=3&page=${page}`)));
  assert.equal(new Set(pages).size, pages.length, 'no repeats across pages');
  assert.deepEqual(sorted(pages), sorted(all));
});

test('tag, tags (any of) and tags_exclude filter by normalized tag names', async () => {
  const having = (...tags: string[]) => visible.filter((k) => tags.some((t) => k.tags.includes(t)));
  const lacking = (...tags: string[]) =>
    visible.filter((k) => !tags.some((t) => k.tags.includes(t)));
  const idsOf = (list: Known[]) => sorted(list.map((k) => k.id));

  assert.deepEqual(
    sorted(ids(await get('/api/articles?tag=javascript'))),
    idsOf(having('javascript')),
  );
  assert.deepEqual(
    sorted(ids(await get('/api/articles?tag=JavaScript'))),
    idsOf(having('javascript')),
  );
  assert.deepEqual(sorted(ids(await get('/api/articles?tag=python'))), idsOf(having('python')));
  assert.deepEqual(await get('/api/articles?tag=secrettag'), [], 'drafts stay hidden');
  assert.deepEqual(await get('/api/articles?tag=futuretag'), [], 'scheduled ones too');
  assert.deepEqual(await get('/api/articles?tag=nosuchtag'), []);

  assert.deepEqual(
    sorted(ids(await get('/api/articles?tags=python,webdev'))),
    idsOf(having('python', 'webdev')),
  );
  assert.equal(having('python', 'webdev').length, 3);
  assert.deepEqual(
    sorted(ids(await get('/api/articles?tags_exclude=javascript'))),
    idsOf(lacking('javascript')),
  );
  assert.deepEqual(
    sorted(ids(await get('/api/articles?tags_exclude=javascript,alpha1'))),
    idsOf(lacking('javascript', 'alpha1')),
  );
  const jsNotRust = having('javascript').filter((k) => !k.tags.includes('rust'));
  assert.deepEqual(
    sorted(ids(await get('/api/articles?tag=javascript&tags_exclude=rust'))),
    idsOf(jsNotRust),
  );
  assert.equal(jsNotRust.length, 2);
});

test('username filters by author; state=all returns all of them, not one page', async () => {
  const by = (name: string) => sorted(visible.filter((k) => k.user === name).map((k) => k.id));
  assert.deepEqual(sorted(ids(await get('/api/articles?username=list_ann'))), by('list_ann'));
  assert.deepEqual(sorted(ids(await get('/api/articles?username=List_Ben'))), by('list_ben'));
  assert.deepEqual(await get('/api/articles?username=nobody_here'), []);
  assert.deepEqual(
    sorted(ids(await get('/api/articles?username=list_ann&state=all'))),
    by('list_ann'),
    'state=all does not add drafts',
  );

  for (let i = 0; i < 31; i++) await publish(cat, { title: `Cat ${i}` });
  assert.equal((await get('/api/articles?username=list_cat')).length, 30, 'one page of 30');
  assert.equal((await get('/api/articles')).length, 30, 'the default page is 30');
  const everything = await get('/api/articles?username=list_cat&state=all');
  assert.deepEqual(sorted(ids(everything)), by('list_cat'), 'state=all: all 31');
  assert.equal((await get('/api/articles?username=list_cat&state=all&per_page=5')).length, 5);
});

test('collection_id lists a series oldest first, without drafts', async () => {
  const seriesId = visible.find((k) => k.seriesId !== null)?.seriesId;
  assert.ok(seriesId);
  assert.equal(drafts[0]?.collection_id, seriesId, 'the drafts are in the series');
  const members = visible.filter((k) => k.seriesId === seriesId);
  assert.equal(members.length, 2);
  const list = await get(`/api/articles?collection_id=${seriesId}`);
  assert.deepEqual(ids(list), newestFirst(members).reverse());
  assert.deepEqual(await get('/api/articles?collection_id=999999'), []);
});

test('the /me lists need a key and show the caller’s own articles', async () => {
  for (const path of [
    '/api/articles/me',
    '/api/articles/me/published',
    '/api/articles/me/unpublished',
    '/api/articles/me/all',
  ]) {
    assert.equal((await server.client().get(path)).status, 401, path);
    assert.equal((await server.client().get(path, { key: 'bogus' })).status, 401, path);
  }
  const annPublished = newestFirst(visible.filter((k) => k.user === 'list_ann'));
  assert.deepEqual(ids(await get('/api/articles/me', ann.key)), annPublished);
  assert.deepEqual(ids(await get('/api/articles/me/published', ann.key)), annPublished);
  const unpublished = await get('/api/articles/me/unpublished', ann.key);
  assert.deepEqual(sorted(ids(unpublished)), sorted(ids(drafts)));
  for (const a of unpublished) assert.equal(a.published, false);

  const all = await get('/api/articles/me/all', ann.key);
  assert.deepEqual(sorted(ids(all)), sorted([...annPublished, ...ids(drafts)]));
  assert.deepEqual(sorted(ids(all.slice(0, drafts.length))), sorted(ids(drafts)), 'drafts first');
  assert.ok(all.slice(drafts.length).every((a) => a.published === true));
  for (const a of all) {
    assert.equal(typeof a.body_markdown, 'string');
    assert.ok(Array.isArray(a.tag_list));
  }
  assert.equal((await get('/api/articles/me/all?per_page=2', ann.key)).length, 2);

  const benAll = await get('/api/articles/me/all', ben.key);
  for (const s of scheduled) {
    const own = benAll.find((a) => a.id === s.id);
    assert.ok(own, 'the author lists a scheduled article');
    assert.equal(own.published, true);
  }
  assert.ok(!ids(benAll).some((id) => ids(drafts).includes(id)), "no one else's drafts");
  const benDrafts = await get('/api/articles/me/unpublished', ben.key);
  assert.deepEqual(benDrafts, []);
});

test('GET /api/tags: by number of visible articles, 10 per page by default', async () => {
  const counts = new Map<string, number>();
  for (const k of visible) for (const t of k.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
  const everyTag = new Set([...counts.keys(), 'secrettag', 'futuretag']);
  assert.ok(everyTag.size > 10);

  const firstPage = await get('/api/tags');
  assert.equal(firstPage.length, 10);
  assert.equal(firstPage[0]?.name, 'javascript');
  const all = await get('/api/tags?per_page=100');
  const names = all.map((t) => t.name);
  assert.deepEqual(
    names.slice(0, 10),
    firstPage.map((t) => t.name),
  );
  for (const name of counts.keys()) assert.ok(names.includes(name), `${name} missing`);
  for (let i = 1; i < names.length; i++) {
    const prev = counts.get(names[i - 1]) ?? 0;
    const cur = counts.get(names[i]) ?? 0;
    assert.ok(prev >= cur, `${names[i - 1]} (${prev}) before ${names[i]} (${cur})`);
  }
  // Tags of drafts and scheduled articles alone are not listed to anyone.
  for (const hidden of ['secrettag', 'futuretag'])
    assert.ok(!names.includes(hidden), `${hidden} listed`);
  assert.equal(names.length, counts.size);
  const second = await get('/api/tags?page=2');
  assert.deepEqual(
    second.map((t) => t.name),
    names.slice(10, 20),
  );
  for (const t of all) {
    assert.equal(typeof t.id, 'number');
    assert.ok('bg_color_hex' in t && 'text_color_hex' in t);
  }
});

test('GET /api/users by id, by username, by profile URL, and /me', async () => {
  const byId = await server.client().get(`/api/users/${ann.id}`);
  assert.equal(byId.status, 200);
  const user = byId.json();
  assert.equal(user.type_of, 'user');
  assert.equal(user.id, ann.id);
  assert.equal(user.username, 'list_ann');
  assert.equal(user.joined_at, 'Mar 1, 2026');
  assert.equal(user.email, undefined, 'no email in public');
  assert.deepEqual((await server.client().get('/api/users/list_ann')).json(), user);
  assert.deepEqual((await server.client().get('/api/users/LIST_ANN')).json(), user);
  assert.equal((await server.client().get('/api/users/999999')).status, 404);
  assert.equal((await server.client().get('/api/users/nobody_here')).status, 404);

  for (const url of [
    'list_ann',
    `${server.url}/list_ann`,
    `${server.url}/list_ann/`,
    'https://dev.to/List_Ann',
  ]) {
    const res = await server.client().get(`/api/users/by_username?url=${encodeURIComponent(url)}`);
    assert.equal(res.status, 200, url);
    assert.deepEqual(res.json(), user, url);
  }
  const missing = await server.client().get('/api/users/by_username?url=nobody_here');
  assert.equal(missing.status, 404);

  assert.equal((await server.client().get('/api/users/me')).status, 401);
  const me = await server.client().get('/api/users/me', { key: ben.key });
  assert.equal(me.status, 200);
  assert.equal(me.json().id, ben.id);
  assert.equal(me.json().username, 'list_ben');
  assert.equal(me.json().email, 'list_ben@example.test');
  assert.equal(me.json().role, 'user');
});

test('top=N keeps the articles published in the last N days', async () => {
  server.clock.set(new Date(t0 + 20 * DAY));
  const recent = await publish(ben, { title: 'Recent', tags: ['javascript'] });
  const since = (days: number) => {
    const from = new Date(server.clock.now().getTime() - days * DAY).toISOString();
    return sorted(visible.filter((k) => k.publishedAt >= from).map((k) => k.id));
  };
  assert.deepEqual(sorted(ids(await get('/api/articles?top=7&per_page=1000'))), [recent.id]);
  assert.deepEqual(since(7), [recent.id]);
  const month = sorted(ids(await get('/api/articles?top=25&per_page=1000')));
  assert.deepEqual(month, since(25));
  assert.ok(month.length > 1 && month.length < visible.length, 'the old one drops out');
  assert.deepEqual(
    sorted(ids(await get('/api/articles?top=40&per_page=1000'))),
    sorted(visible.map((k) => k.id)),
  );
  assert.deepEqual(sorted(ids(await get('/api/articles?top=7&tag=javascript&per_page=1000'))), [
    recent.id,
  ]);
});

test('scheduled articles join the lists and tag counts when their time comes', async () => {
  const rank = async (name: string) =>
    (await get('/api/tags?per_page=100')).findIndex((t) => t.name === name);
  const webdev = await rank('webdev');
  assert.ok(webdev >= 0);
  const before = await rank('futuretag');
  assert.ok(before === -1 || before > webdev, 'futuretag counted too early');
  server.clock.set(new Date(t0 + 366 * DAY));
  assert.ok((await rank('futuretag')) < (await rank('webdev')), 'two articles now beat one');
  const list = ids(await get('/api/articles?per_page=1000'));
  for (const s of scheduled) assert.ok(list.includes(s.id));
  const futuretag = await get('/api/articles?tag=futuretag');
  assert.deepEqual(sorted(ids(futuretag)), sorted(ids(scheduled)));
  for (const d of drafts) assert.ok(!list.includes(d.id), 'drafts never do');
});

test('per_page is clamped to 1000', async () => {
  const have = visible.filter((k) => k.user === 'list_cat').length;
  const queue = Array.from({ length: 1001 - have }, (_, i) => i);
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      await postArticle(server, cat, { title: `Bulk ${i}`, published: true });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const total = 1001 - have + visible.length + scheduled.length;

  assert.equal((await get('/api/articles?per_page=5000')).length, 1000);
  assert.equal((await get('/api/articles?per_page=1000&page=2')).length, total - 1000);
  assert.equal(
    (await get('/api/articles?per_page=5000&page=2')).length,
    total - 1000,
    'the page offset uses the clamped size',
  );
  assert.equal((await get('/api/articles?username=list_cat&state=all')).length, 1000);
  assert.equal((await get('/api/articles?username=list_cat&per_page=2000')).length, 1000);
  assert.equal((await get('/api/articles/me/all?per_page=5000', cat.key)).length, 1000);
});

test('the site pagers’ one-row look-ahead cannot be asked for through the API', async () => {
  const res = await server.client().get('/api/articles?per_page=2&peek=1');
  assert.equal(res.status, 200);
  assert.equal(res.json().length, 2);
});
