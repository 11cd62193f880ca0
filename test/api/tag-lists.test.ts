/**
 * A tag's list and its count follow every write of an article: created, retagged, edited,
 * unpublished, published again, scheduled, deleted, and changed by several requests at once.
 * After each step the tag lists and /api/tags' counts match what the articles say, and every
 * article-tag row carries its article's publication state.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { listTagsByPopularity } from '../../src/modules/articles/articles.service.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let ann: Author;

type Json = Record<string, any>;

const DAY = 86_400_000;

/** What the test knows of each article it wrote. */
interface Known {
  tags: string[];
  published: boolean;
  publishedAt: string | null;
}
const known = new Map<number, Known>();
const everyTag = new Set<string>();

before(async () => {
  server = await startTestServer();
  ann = await makeAuthor(server, 'tag_ann');
});
after(() => server.close());

function remember(json: Json): Json {
  const tags: string[] = Array.isArray(json.tags) ? json.tags : json.tag_list;
  for (const tag of tags) everyTag.add(tag);
  known.set(json.id, {
    tags,
    published: json.published_at !== null && json.published !== false,
    publishedAt: json.published_at ? new Date(json.published_at).toISOString() : null,
  });
  return json;
}

async function create(fields: Json): Promise<Json> {
  const json = await postArticle(server, ann, fields);
  server.clock.advance(60_000);
  return remember(json);
}

async function update(id: number, fields: Json): Promise<Json> {
  const res = await server
    .client()
    .put(`/api/articles/${id}`, { key: ann.key, json: { article: fields } });
  assert.equal(res.status, 200, res.text);
  server.clock.advance(60_000);
  const json = res.json();
  // A single article says whether it is published only through published_at and the lists.
  const before = known.get(id);
  remember({ ...json, published: fields.published ?? before?.published });
  return json;
}

async function remove(id: number): Promise<void> {
  const res = await server.client().delete(`/api/articles/${id}`, { key: ann.key });
  assert.equal(res.status, 204, res.text);
  known.delete(id);
}

const visibleNow = () => {
  const now = server.clock.now().toISOString();
  return [...known].filter(
    ([, k]) => k.published && k.publishedAt !== null && k.publishedAt <= now,
  );
};

/** The tag lists, the tags' counts and the stored rows all agree with the articles. */
async function check(step: string): Promise<void> {
  const visible = visibleNow();
  for (const tag of everyTag) {
    const expected = visible
      .filter(([, k]) => k.tags.includes(tag))
      .sort(
        ([a, x], [b, y]) =>
          (y.publishedAt as string).localeCompare(x.publishedAt as string) || b - a,
      )
      .map(([id]) => id);
    const res = await server.client().get(`/api/articles?tag=${tag}&per_page=1000`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.json().map((a: Json) => a.id),
      expected,
      `${step}: the list of #${tag}`,
    );
  }
  const counts = new Map<string, number>();
  for (const [, k] of visible)
    for (const tag of k.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  const expectedCounts = [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([name, articles]) => ({ name, articles }));
  const listed = await listTagsByPopularity(
    server.ctx.database.db,
    server.clock.now().toISOString(),
    1000,
    0,
  );
  assert.deepEqual(
    listed.map(({ name, articles }) => ({ name, articles })),
    expectedCounts,
    `${step}: the tags' counts`,
  );
  const api = await server.client().get('/api/tags?per_page=1000');
  assert.deepEqual(
    api.json().map((t: Json) => t.name),
    expectedCounts.map((t) => t.name),
    `${step}: /api/tags`,
  );

  // The stored copies, against the articles themselves.
  const db = server.ctx.database.db;
  const { rows: stale } = await sql<{ article_id: number }>`
    select t.article_id from article_tags t join articles a on a.id = t.article_id
    where t.published <> a.published
       or coalesce(t.published_at, '') <> coalesce(a.published_at, '')`.execute(db);
  assert.deepEqual(stale, [], `${step}: tag rows out of step with their article`);
  const { rows: miscounted } = await sql<{ name: string }>`
    select name from tags where published_count <> (
      select count(*) from article_tags t join articles a on a.id = t.article_id
      where t.tag_id = tags.id and a.published = 1)`.execute(db);
  assert.deepEqual(miscounted, [], `${step}: tags whose stored count is wrong`);
}

test('every kind of write keeps tag lists and counts right', async () => {
  const first = await create({ title: 'One', published: true, tags: ['apple', 'berry'] });
  await check('created published');
  const draft = await create({ title: 'Two', tags: ['apple', 'cherry'] });
  await check('created a draft');
  const later = new Date(server.clock.now().getTime() + 2 * DAY).toISOString();
  const scheduled = await create({
    title: 'Three',
    published: true,
    published_at: later,
    tags: ['berry', 'cherry'],
  });
  await check('created scheduled');

  await update(first.id, { tags: ['berry', 'damson'] });
  await check('retagged a published article');
  await update(first.id, { body_markdown: 'A new body, the same tags.' });
  await check('edited the body only');
  await update(first.id, { published: false });
  await check('unpublished');
  await update(draft.id, { published: true });
  await check('published a draft');
  await update(scheduled.id, { tags: ['cherry'] });
  await check('retagged a scheduled article');

  // Nothing is written when the scheduled article's time comes: the lists see it go live.
  server.clock.advance(3 * DAY);
  await check('the scheduled article went live');

  await remove(draft.id);
  await check('deleted');
  await update(first.id, { published: true });
  await check('published again, on its first date');
  assert.equal(known.get(first.id)?.publishedAt, new Date(first.published_at).toISOString());
});

test('writes at the same time to the same article and tags leave the counts right', async () => {
  const target = await create({ title: 'Contended', published: true, tags: ['shared'] });
  const writes: Array<Promise<unknown>> = [];
  for (let i = 0; i < 8; i++) {
    writes.push(
      server.client().put(`/api/articles/${target.id}`, {
        key: ann.key,
        json: {
          article: {
            tags: i % 2 === 0 ? ['shared', `fresh${i % 3}`] : ['other', 'shared'],
            published: i % 4 !== 3,
          },
        },
      }),
    );
    writes.push(
      server.client().post('/api/articles', {
        key: ann.key,
        // Two tags new to the site, asked for in opposite orders at once.
        json: {
          article: {
            title: `Racer ${i}`,
            published: true,
            tags: i % 2 === 0 ? ['shared', 'newone', 'newtwo'] : ['newtwo', 'newone', 'shared'],
          },
        },
      }),
    );
  }
  const answers = (await Promise.all(writes)) as Array<{ status: number; text: string }>;
  for (const answer of answers) assert.ok([200, 201].includes(answer.status), answer.text);

  // Whatever order they ran in, the stored state is what the lists and counts must agree with.
  known.clear();
  everyTag.clear();
  const mine = await server.client().get('/api/articles/me/all?per_page=1000', { key: ann.key });
  for (const article of mine.json()) remember(article);
  await check('after concurrent writes');
});

test('/api/tags pages past tags whose articles are all still scheduled', async () => {
  const site = await startTestServer();
  try {
    const bea = await makeAuthor(site, 'tag_bea');
    const later = new Date(site.clock.now().getTime() + DAY).toISOString();
    // By stored count the scheduled tags come first; by what readers see they are not there.
    for (let i = 0; i < 3; i++)
      await postArticle(site, bea, {
        title: `Soon ${i}`,
        published: true,
        published_at: later,
        tags: ['soon1', 'soon2', 'soon3'],
      });
    for (const tags of [['seen1', 'seen2'], ['seen1']])
      await postArticle(site, bea, { title: tags.join(' '), published: true, tags });
    const page = async (limit: number, offset: number) =>
      (
        await listTagsByPopularity(
          site.ctx.database.db,
          site.clock.now().toISOString(),
          limit,
          offset,
        )
      ).map((t) => `${t.name}:${t.articles}`);
    assert.deepEqual(await page(1, 0), ['seen1:2']);
    assert.deepEqual(await page(1, 1), ['seen2:1']);
    assert.deepEqual(await page(1, 2), []);
    assert.deepEqual(await page(10, 0), ['seen1:2', 'seen2:1']);
    site.clock.advance(2 * DAY);
    assert.deepEqual(await page(2, 0), ['soon1:3', 'soon2:3']);
    assert.deepEqual(await page(10, 2), ['soon3:3', 'seen1:2', 'seen2:1']);
  } finally {
    await site.close();
  }
});
