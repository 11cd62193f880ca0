/**
 * An import writes each batch of items with a few statements for the whole batch: the rows must
 * be those one article at a time would make, in the same order (articles, slugs, tags, feed
 * items and their outbox events), with slugs unique within a batch as well as against the
 * author's older articles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uniqueSlugs } from '../../src/modules/articles/slug.ts';
import { claimItems } from '../../src/modules/imports/feed-items.repository.ts';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type FeedServer, RSS, rssFeed, rssItem, startFeedServer } from './feed-server.ts';
import { importUrl } from './support.ts';

let server: TestServer;
let feeds: FeedServer;

before(async () => {
  server = await startTestServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1' },
    now: '2026-06-01T12:00:00.000Z',
  });
  feeds = await startFeedServer();
});
after(async () => {
  await feeds.close();
  await server.close();
});

/** More than one batch (100 items), all with one title; tags overlap from item to item. */
const ITEMS = 130;
const TAG_POOL = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
const tagsOf = (n: number): string[] =>
  [TAG_POOL[n % 5] as string, TAG_POOL[(n * 3) % 5] as string, 'common'].slice(0, 1 + (n % 3));
/** Tags as an article keeps them: each once, in first-seen order. */
const normalized = (tags: string[]) => [...new Set(tags)];

describe('a feed of items that share a title', () => {
  let authorId: number;
  before(async () => {
    const author = await makeAuthor(server, 'batches');
    authorId = author.id;
    // An older article with a tag the feed uses, so some tags exist before the batch.
    await postArticle(server, author, { title: 'Older', tags: ['beta'], published: true });
    feeds.serve('/same-title.xml', {
      type: RSS,
      body: rssFeed(
        Array.from({ length: ITEMS }, (_, n) =>
          rssItem({
            title: 'Same title',
            guid: `same-${n}`,
            categories: tagsOf(n),
            html: `<p>Item number ${n}.</p>`,
          }),
        ),
      ),
    });
    const res = await importUrl(server, author, feeds.url('/same-title.xml'), { publish: true });
    assert.deepEqual(res.json(), { total: ITEMS, imported: ITEMS, skipped: 0, failed: [] });
  });

  const imported = () =>
    server.ctx.database.db
      .selectFrom('articles')
      .selectAll()
      .where('user_id', '=', authorId)
      .where('title', '=', 'Same title')
      .orderBy('id')
      .execute();

  test('articles come in feed order, each with a slug of its own', async () => {
    const articles = await imported();
    assert.equal(articles.length, ITEMS);
    articles.forEach((article, n) => {
      assert.match(article.body_markdown, new RegExp(`Item number ${n}\\.\\n$`));
      assert.match(article.slug, /^same-title-[a-z0-9]{4}$/);
    });
    assert.equal(new Set(articles.map((a) => a.slug)).size, ITEMS);
  });

  test('each feed item points at the article it became', async () => {
    const articles = await imported();
    const items = await server.ctx.database.db
      .selectFrom('feed_items')
      .select(['item_key', 'article_id'])
      .where('user_id', '=', authorId)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      items.map((item) => ({ ...item })),
      articles.map((article, n) => ({ item_key: `same-${n}`, article_id: article.id })),
    );
  });

  test('tags keep their order per article and are created in order of first use', async () => {
    const articles = await imported();
    const rows = await server.ctx.database.db
      .selectFrom('article_tags')
      .innerJoin('tags', 'tags.id', 'article_tags.tag_id')
      .select(['article_tags.article_id', 'article_tags.position', 'tags.name'])
      .where(
        'article_tags.article_id',
        'in',
        articles.map((a) => a.id),
      )
      .orderBy('article_tags.article_id')
      .orderBy('article_tags.position')
      .execute();
    const byArticle = new Map<number, string[]>();
    for (const row of rows)
      byArticle.set(row.article_id, [...(byArticle.get(row.article_id) ?? []), row.name]);
    articles.forEach((article, n) => {
      const expected = normalized(tagsOf(n));
      assert.deepEqual(byArticle.get(article.id) ?? [], expected, `item ${n}`);
      assert.equal(article.cached_tag_list, expected.join(', '));
    });
    // Tags are created in the order articles first use them ('beta' came with the older one).
    const firstUse = normalized(['beta', ...articles.flatMap((_, n) => normalized(tagsOf(n)))]);
    const tags = await server.ctx.database.db
      .selectFrom('tags')
      .select('name')
      .where('name', 'in', firstUse)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      tags.map((t) => t.name),
      firstUse,
    );
  });

  test('each article has its created and published events, in article order', async () => {
    const articles = await imported();
    const events = await server.ctx.database.db
      .selectFrom('events')
      .select(['type', 'subject', 'payload', 'created_at', 'owner_id'])
      .where(
        'subject',
        'in',
        articles.map((a) => `article:${a.id}`),
      )
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => [e.type, e.subject]),
      articles.flatMap((a) => [
        ['article.created', `article:${a.id}`],
        ['article.published', `article:${a.id}`],
      ]),
    );
    const shown = (await server.client().get(`/api/articles/${articles[7]?.id}`)).json();
    const { body_html: _html, body_markdown: _markdown, ...withoutBody } = shown;
    for (const event of events.slice(14, 16)) {
      const payload = JSON.parse(event.payload);
      assert.deepEqual(Object.keys(payload), ['type', 'timestamp', 'data']);
      assert.equal(payload.type, event.type);
      assert.equal(payload.timestamp, event.created_at);
      // Webhooks hear of the publication, with the whole article; the creation is for caches.
      assert.deepEqual(
        payload.data,
        event.type === 'article.published' ? shown : { ...withoutBody, published: true },
      );
      assert.equal(event.owner_id, authorId, 'the author hears of it');
    }
  });
});

describe('slugs for many articles at once', () => {
  test('a candidate taken by an older article or earlier in the batch is tried again', async () => {
    const author = await makeAuthor(server);
    const older = await postArticle(server, author, { title: 'Older', published: true });
    const tried: string[] = [];
    const queue = ['dup', 'dup', older.slug, 'dup', 'fresh', 'last'];
    const candidate = () => {
      const next = queue.shift() as string;
      tried.push(next);
      return next;
    };
    const requests = [1, 2, 3].map(() => ({ title: 'T', published: true }));
    const slugs = await uniqueSlugs(server.ctx.database.db, author.id, requests, candidate);
    assert.deepEqual(slugs, ['dup', 'last', 'fresh']);
    assert.deepEqual(tried, ['dup', 'dup', older.slug, 'dup', 'fresh', 'last']);
  });

  test('gives up after eight tries rather than looping', async () => {
    const author = await makeAuthor(server);
    const requests = [1, 2].map(() => ({ title: 'T', published: true }));
    await assert.rejects(
      uniqueSlugs(server.ctx.database.db, author.id, requests, () => 'always-the-same'),
      /could not find a free slug/,
    );
  });
});

test('claiming feed items leaves out keys already claimed, and repeated keys', async () => {
  const author = await makeAuthor(server);
  const db = server.ctx.database.db;
  const now = '2026-06-01T12:00:00.000Z';
  const first = await claimItems(db, author.id, ['a', 'b'], null, now);
  assert.deepEqual([...first.keys()], ['a', 'b']);
  const second = await claimItems(db, author.id, ['b', 'c', 'c'], null, now);
  assert.deepEqual([...second.keys()], ['c']);
  const rows = await db
    .selectFrom('feed_items')
    .select(['id', 'item_key'])
    .where('user_id', '=', author.id)
    .orderBy('id')
    .execute();
  assert.deepEqual(
    rows.map((r) => r.item_key),
    ['a', 'b', 'c'],
  );
  assert.equal(second.get('c'), rows[2]?.id);
});
