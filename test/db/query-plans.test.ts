/**
 * Every public listing and count reads an index range that yields its page. A few thousand
 * articles are written through the service, the database is analyzed, and the SQL each listing
 * actually runs (captured by a Kysely plugin) is explained: no listing may scan `articles` or
 * `article_tags` whole, and none may sort its matches. QUIRE_PRINT_PLANS=1 prints the plans.
 */
import assert from 'node:assert/strict';
import type { RawBuilder } from 'kysely';
import { after, before, test } from 'node:test';
import type { AppContext } from '../../src/context.ts';
import { filteredStatement, fullTextStatement } from '../../src/db/full-text.ts';
import { ownFilteredStatement, ownFullTextStatement } from '../../src/db/full-text-own.ts';
import {
  explain,
  explainSelects,
  type QueryPlan,
  refreshStatistics,
} from '../../src/db/query-plans.ts';
import type { UserRow } from '../../src/db/schema.ts';
import {
  dueForAnnouncement,
  nextAnnouncementAt,
} from '../../src/modules/articles/articles.repository.ts';
import {
  insertArticlesIn,
  listTagsByPopularity,
  prepareArticle,
  type PreparedArticle,
} from '../../src/modules/articles/articles.service.ts';
import {
  countMineByState,
  listMine,
  listMineByState,
  listPublic,
  listPublicPage,
  listSeries,
} from '../../src/modules/articles/listings.ts';
import {
  articleComments,
  countCommentsSince,
} from '../../src/modules/comments/comments.repository.ts';
import { buildFeedModel, nextScheduledAt } from '../../src/modules/feeds/feed-model.ts';
import {
  followedTagsPage,
  followedUsersPage,
  followersPage,
} from '../../src/modules/follows/follows.service.ts';
import {
  countUnread,
  inboxPage,
} from '../../src/modules/notifications/notifications.repository.ts';
import { followingPage } from '../../src/modules/notifications/notifications.service.ts';
import { readerReactions, readingList } from '../../src/modules/reactions/reactions.repository.ts';
import { parseSearchQuery } from '../../src/modules/search/query.ts';
import {
  peopleStatement,
  prefixRange,
  tagsStatement,
} from '../../src/modules/search/search.repository.ts';
import {
  peopleSearch,
  searchOwn,
  searchPublished,
} from '../../src/modules/search/search.service.ts';
import { SEARCH_CANDIDATES } from '../../src/modules/search/search.rules.ts';
import { findUserById } from '../../src/modules/users/users.service.ts';
import { dialect } from '../helpers/database.ts';
import { makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ARTICLES = 4000;
const AUTHORS = 8;
const DAY = 86_400_000;

let server: TestServer;
let ada: UserRow;
let seriesId: number;
/** The article with the long thread, and one of its readers. */
let busyArticleId: number;
let reader: UserRow;

/** A small deterministic generator, so every run seeds the same data. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const BODY = `${'A paragraph of an article, long enough that rows weigh what real ones do. '.repeat(8)}\n`;

before(async () => {
  server = await startTestServer();
  const ctx = server.ctx;
  const now = server.clock.now().getTime();
  const rand = random(7);
  const authors: UserRow[] = [];
  for (let i = 0; i < AUTHORS; i++) {
    const author = await makeAuthor(server, `plan_author_${i}`);
    authors.push((await findUserById(ctx.database.db, author.id)) as UserRow);
  }
  ada = authors[0] as UserRow;
  const perAuthor = ARTICLES / AUTHORS;
  for (const [a, author] of authors.entries()) {
    const prepared: PreparedArticle[] = [];
    for (let i = 0; i < perAuthor; i++) {
      const n = a * perAuthor + i;
      const tags: string[] = [];
      // big on about half the articles, mid on a tenth, small on one in fifty.
      if (rand() < 0.5) tags.push('big');
      if (rand() < 0.1) tags.push('mid');
      if (rand() < 0.02) tags.push('small');
      // A long tail of tags carrying a few articles each, as on a real site.
      tags.push(`filler${Math.floor(rand() * 600)}`);
      const roll = rand();
      const draft = roll < 0.08;
      const scheduled = !draft && roll < 0.0825;
      const when = scheduled
        ? new Date(now + (1 + Math.floor(rand() * 30)) * DAY)
        : new Date(now - Math.floor(rand() * 900 * DAY) - n * 1000);
      prepared.push(
        prepareArticle({
          title: `Article ${n}`,
          body_markdown: `${BODY}Number ${n}.`,
          published: !draft,
          ...(!draft && { published_at: when.toISOString() }),
          tags,
          ...(a === 0 && i < 40 && { series: 'A long series' }),
        }),
      );
    }
    for (let start = 0; start < prepared.length; start += 100) {
      const rows = await ctx.database.transaction((tx) =>
        insertArticlesIn(ctx, tx, author, prepared.slice(start, start + 100)),
      );
      for (const row of rows) seriesId = row.series_id ?? seriesId;
    }
  }
  await seedConversation(authors);
  await seedFollows();
  await seedNotifications();
  await refreshStatistics(ctx.database);
});

/**
 * Comments, reactions and reports on the articles: a thread of 600 comments on one article and
 * a few on most others, reactions of every category by every account (the reading list among
 * them), written over the last months, and reports, most of them resolved. Rows are inserted
 * directly: only their number and spread matter to the planners.
 */
async function seedConversation(authors: UserRow[]) {
  const db = server.ctx.database.db;
  const now = server.clock.now().getTime();
  const rand = random(11);
  const ids = (
    await db.selectFrom('articles').select('id').where('published', '=', 1).orderBy('id').execute()
  ).map((r) => r.id);
  busyArticleId = ids[0] as number;
  reader = authors[1] as UserRow;
  const at = (ms: number) => new Date(ms).toISOString();
  const comments = [];
  for (let i = 0; i < 20_000; i++) {
    const articleId = i < 600 ? busyArticleId : (ids[Math.floor(rand() * ids.length)] as number);
    const stamp = at(now - Math.floor(rand() * 200 * DAY));
    comments.push({
      article_id: articleId,
      user_id: (authors[i % authors.length] as UserRow).id,
      parent_id: null,
      body_markdown: `Comment ${i}.`,
      body_html: `<p>Comment ${i}.</p>`,
      created_at: stamp,
      updated_at: stamp,
    });
  }
  for (let i = 0; i < comments.length; i += 500)
    await db
      .insertInto('comments')
      .values(comments.slice(i, i + 500))
      .execute();
  const commentIds = (
    await db
      .selectFrom('comments')
      .select('id')
      .where('article_id', '=', busyArticleId)
      .orderBy('id')
      .execute()
  ).map((r) => r.id);
  const categories = ['like', 'unicorn', 'fire', 'readinglist'];
  const reactions = new Map<string, Record<string, unknown>>();
  // The reader reacts as one reader among many does: a thousand reactions (two hundred saved), not an eighth.
  const others = authors.filter((u) => u.id !== reader.id);
  for (let i = 0; reactions.size < 24_000; i++) {
    const user = (i % 20 === 0 ? reader : others[i % others.length]) as UserRow;
    const onComment = rand() < 0.2;
    const category = categories[Math.floor(rand() * (onComment ? 3 : 4))] as string;
    const type = onComment ? 'Comment' : 'Article';
    const id = onComment
      ? (commentIds[Math.floor(rand() * commentIds.length)] as number)
      : (ids[Math.floor(rand() * ids.length)] as number);
    reactions.set(`${user.id}/${type}/${id}/${category}`, {
      user_id: user.id,
      reactable_type: type,
      reactable_id: id,
      category,
      created_at: at(now - Math.floor(rand() * 200 * DAY)),
    });
  }
  const rows = [...reactions.values()];
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('reactions')
      .values(rows.slice(i, i + 500) as never)
      .execute();
  const reports = [];
  for (let i = 0; i < 5000; i++) {
    const open = i % 100 === 0;
    const stamp = at(now - (5000 - i) * 3_600_000);
    reports.push({
      reporter_id: (authors[i % authors.length] as UserRow).id,
      reportable_type: 'Article',
      reportable_id: ids[i % ids.length] as number,
      reason: 'spam',
      note: '',
      status: open ? ('open' as const) : ('resolved' as const),
      resolution: open ? null : 'dismiss',
      resolved_by: open ? null : ada.id,
      created_at: stamp,
      resolved_at: open ? null : stamp,
    });
  }
  for (let i = 0; i < reports.length; i += 500)
    await db
      .insertInto('reports')
      .values(reports.slice(i, i + 500))
      .execute();
}
/**
 * Follows: 3,000 more accounts, each following a dozen accounts (half of them Ada) and a few
 * tags, and the reader following as many. Rows are inserted directly.
 */
async function seedFollows() {
  const db = server.ctx.database.db;
  const rand = random(13);
  const stamp = server.clock.now().toISOString();
  const users = [];
  for (let i = 0; i < 3000; i++)
    users.push({
      username: `plan_follower_${i}`,
      name: `Follower ${i}`,
      email: `plan_follower_${i}@example.test`,
      password_hash: 'x',
      role: 'user' as const,
      created_at: stamp,
      updated_at: stamp,
    });
  for (let i = 0; i < users.length; i += 500)
    await db
      .insertInto('users')
      .values(users.slice(i, i + 500))
      .execute();
  const userIds = (await db.selectFrom('users').select('id').execute()).map((r) => r.id);
  const tagIds = (await db.selectFrom('tags').select('id').execute()).map((r) => r.id);
  const follows = new Map<string, Record<string, unknown>>();
  const add = (follower: number, type: 'User' | 'Tag', id: number) => {
    if (type === 'User' && follower === id) return;
    follows.set(`${follower}/${type}/${id}`, {
      follower_id: follower,
      followable_type: type,
      followable_id: id,
      created_at: stamp,
    });
  };
  for (const [n, follower] of userIds.entries()) {
    if (n % 2 === 0) add(follower, 'User', ada.id);
    const many = follower === reader.id ? 300 : 12;
    for (let i = 0; i < many; i++)
      add(follower, 'User', userIds[Math.floor(rand() * userIds.length)] as number);
    for (let i = 0; i < (follower === reader.id ? 200 : 4); i++)
      add(follower, 'Tag', tagIds[Math.floor(rand() * tagIds.length)] as number);
  }
  const rows = [...follows.values()];
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('follows')
      .values(rows.slice(i, i + 500) as never)
      .execute();
}

/**
 * Timelines and notifications as the consumer and the fan-out leave them: every account's
 * timeline holds 30 articles and 20 notifications, the reader's 3,000 and 2,000 (a quarter of
 * them unread). Rows are inserted directly.
 */
async function seedNotifications() {
  const db = server.ctx.database.db;
  const rand = random(17);
  const articles = await db
    .selectFrom('articles')
    .select(['id', 'user_id', 'published_at'])
    .where('published', '=', 1)
    .execute();
  const userIds = (await db.selectFrom('users').select('id').execute()).map((r) => r.id);
  const timeline = new Map<string, Record<string, unknown>>();
  const notifications: Array<Record<string, unknown>> = [];
  let eventId = 1_000_000;
  for (const userId of userIds) {
    const mine = userId === reader.id;
    for (let i = 0; i < (mine ? 3000 : 30); i++) {
      const a = articles[Math.floor(rand() * articles.length)] as (typeof articles)[number];
      timeline.set(`${userId}/${a.id}`, {
        user_id: userId,
        article_id: a.id,
        author_id: a.user_id,
        published_at: a.published_at,
        via: 1,
      });
    }
    for (let i = 0; i < (mine ? 2000 : 20); i++) {
      const a = articles[Math.floor(rand() * articles.length)] as (typeof articles)[number];
      const stamp = new Date(Date.parse(now()) - Math.floor(rand() * 90 * DAY)).toISOString();
      const unread = rand() < 0.25 ? 1 : 0;
      notifications.push({
        user_id: userId,
        kind: 'article',
        event_id: eventId++,
        actor_id: a.user_id,
        article_id: a.id,
        unread,
        created_at: stamp,
        updated_at: stamp,
        read_at: unread ? null : stamp,
      });
    }
  }
  const rows = [...timeline.values()];
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('timeline')
      .values(rows.slice(i, i + 500) as never)
      .execute();
  for (let i = 0; i < notifications.length; i += 500)
    await db
      .insertInto('notifications')
      .values(notifications.slice(i, i + 500) as never)
      .execute();
}
after(() => server.close());

const WATCHED = new Set([
  'timeline',
  'notifications',
  'articles',
  'article_tags',
  'comments',
  'reactions',
  'reports',
  'follows',
]);

/** Runs `fn` on a context whose database records its queries, and explains each SELECT. */
function explainListing(fn: (ctx: AppContext) => Promise<unknown>): Promise<QueryPlan[]> {
  return explainSelects(server.ctx.database, (database) => fn({ ...server.ctx, database }));
}

/** A query shortened for reading: no quotes, the lists of columns and of ids elided. */
const brief = (text: string) =>
  text
    .replaceAll('"', '')
    .replace(
      /^select id, user_id, slug, .*? announced_at(, body_\w+)? from/,
      'select <list columns$1> from',
    )
    .replace(/in \((?:[?$]\d*, )+[?$]\d*\)/g, 'in (…)');

/**
 * Reads whose rows are all wanted, so a sort can only be of the range the index gave: an
 * article's thread is read whole, and PostgreSQL may fetch a long one by bitmap and sort its own
 * rows by id rather than walk the index in order.
 */
const SORTS_OF_THE_RANGE = new Set(["an article's thread"]);

/** What is wrong with a plan: a whole table of articles or their tags read, or a sort. */
function problems(plan: QueryPlan, name: string): string[] {
  return [
    ...plan.fullScans.filter((s) => WATCHED.has(s.table)).map((s) => `full scan: ${s.step}`),
    ...(SORTS_OF_THE_RANGE.has(name) ? [] : plan.sorts.map((step) => `sort: ${step}`)),
  ];
}

const now = () => server.clock.now().toISOString();

/**
 * Each listing as the app calls it (pages, feeds and API answers go through these), and the
 * indexes its plan must read: the one whose range is exactly the list, not a wider one filtered.
 */
const LISTINGS: Array<[string, string[], (ctx: AppContext) => Promise<unknown>]> = [
  ['home page', ['articles_listed'], (c) => listPublicPage(c, { page: 1, per_page: 20 })],
  ['home page ?page=50', ['articles_listed'], (c) => listPublicPage(c, { page: 50, per_page: 20 })],
  [
    'tag page',
    ['article_tags_listed'],
    (c) => listPublicPage(c, { tag: 'big', page: 1, per_page: 20 }),
  ],
  [
    'tag page ?page=50',
    ['article_tags_listed'],
    (c) => listPublicPage(c, { tag: 'big', page: 50, per_page: 20 }),
  ],
  [
    'profile page',
    ['articles_author'],
    (c) => listPublicPage(c, { username: ada.username, page: 1, per_page: 20 }),
  ],
  [
    'profile page ?page=10',
    ['articles_author'],
    (c) => listPublicPage(c, { username: ada.username, page: 10, per_page: 20 }),
  ],
  ['series of an article page', ['articles_series_listed'], (c) => listSeries(c, seriesId)],
  ['site feed', ['articles_listed'], (c) => buildFeedModel(c, { kind: 'site' }, 1)],
  [
    'author feed',
    ['articles_author'],
    (c) => buildFeedModel(c, { kind: 'author', username: ada.username }, 1),
  ],
  ['tag feed', ['article_tags_listed'], (c) => buildFeedModel(c, { kind: 'tag', tag: 'mid' }, 1)],
  [
    'tag feed ?page=5',
    ['article_tags_listed'],
    (c) => buildFeedModel(c, { kind: 'tag', tag: 'big' }, 5),
  ],
  ['/api/articles', ['articles_listed'], (c) => listPublic(c, {})],
  [
    '/api/articles?page=20&per_page=50',
    ['articles_listed'],
    (c) => listPublic(c, { page: 20, per_page: 50 }),
  ],
  ['/api/articles?tag=mid', ['article_tags_listed'], (c) => listPublic(c, { tag: 'mid' })],
  [
    '/api/articles?tag=mid&page=3',
    ['article_tags_listed'],
    (c) => listPublic(c, { tag: 'mid', page: 3 }),
  ],
  [
    '/api/articles?tags=mid,small',
    ['article_tags_listed'],
    (c) => listPublic(c, { tags: 'mid,small' }),
  ],
  [
    '/api/articles?tags=big,mid&page=3',
    ['article_tags_listed'],
    (c) => listPublic(c, { tags: 'big,mid', page: 3 }),
  ],
  [
    // Past the first chunk of each tag's range: read on from where the last one ended.
    '/api/articles?tags=big,mid&page=6&per_page=100',
    ['article_tags_listed'],
    (c) => listPublic(c, { tags: 'big,mid', page: 6, per_page: 100 }),
  ],
  [
    '/api/articles?tags_exclude=mid',
    ['articles_listed'],
    (c) => listPublic(c, { tags_exclude: 'mid' }),
  ],
  [
    '/api/articles?tag=big&tags_exclude=mid',
    ['article_tags_listed'],
    (c) => listPublic(c, { tag: 'big', tags_exclude: 'mid' }),
  ],
  [
    '/api/articles?username=',
    ['articles_author'],
    (c) => listPublic(c, { username: ada.username }),
  ],
  [
    '/api/articles?username=&state=all',
    ['articles_author'],
    (c) => listPublic(c, { username: ada.username, state: 'all' }),
  ],
  [
    '/api/articles?username=&tag=big',
    ['articles_author'],
    (c) => listPublic(c, { username: ada.username, tag: 'big' }),
  ],
  ['/api/articles?top=7', ['articles_listed'], (c) => listPublic(c, { top: 7 })],
  [
    '/api/articles?top=30&tag=big',
    ['article_tags_listed'],
    (c) => listPublic(c, { top: 30, tag: 'big' }),
  ],
  [
    '/api/articles?collection_id=',
    ['articles_series_listed'],
    (c) => listPublic(c, { collection_id: seriesId }),
  ],
  ['/api/articles/latest?page=3', ['articles_listed'], (c) => listPublic(c, { page: 3 })],
  ['/api/articles/me', ['articles_author'], (c) => listMine(c, ada, 'published', {})],
  ['/api/articles/me/unpublished', ['articles_drafts'], (c) => listMine(c, ada, 'unpublished', {})],
  ['/api/articles/me/all', ['articles_mine'], (c) => listMine(c, ada, 'all', {})],
  [
    '/api/articles/me/all?page=5&per_page=50',
    ['articles_mine'],
    (c) => listMine(c, ada, 'all', { page: 5, per_page: 50 }),
  ],
  [
    '/api/tags',
    ['tags_popular', 'article_tags_listed'],
    (c) => listTagsByPopularity(c.database.db, now(), 10, 0),
  ],
  [
    '/api/tags?page=3',
    ['tags_popular', 'article_tags_listed'],
    (c) => listTagsByPopularity(c.database.db, now(), 10, 20),
  ],
  [
    'dashboard',
    ['articles_author', 'articles_drafts'],
    async (c) => {
      await countMineByState(c, ada);
      for (const state of ['drafts', 'scheduled', 'published'] as const)
        await listMineByState(c, ada, state, { page: 1, per_page: 10 });
    },
  ],
  [
    'scheduled articles going live',
    ['articles_unannounced', 'articles_listed'],
    async (c) => {
      await nextAnnouncementAt(c.database.db);
      await dueForAnnouncement(c.database.db, now(), 50);
      await nextScheduledAt(c);
    },
  ],
  [
    "an article's thread",
    ['comments_article'],
    (c) => articleComments(c.database.db, busyArticleId),
  ],
  [
    "the reader's reactions on an article",
    [dialect === 'postgres' ? 'reactions_one_each' : 'sqlite_autoindex_reactions_1'],
    (c) => readerReactions(c.database.db, reader.id, busyArticleId),
  ],
  ['the reading list', ['reactions_mine'], (c) => readingList(c.database.db, reader.id, 30, 0)],
  [
    'the reading list ?page=3',
    ['reactions_mine'],
    (c) => readingList(c.database.db, reader.id, 30, 60),
  ],
  ["an account's followers", ['follows_followed'], (c) => followersPage(c, ada, 1, 80)],
  ["an account's followers ?page=5", ['follows_followed'], (c) => followersPage(c, ada, 5, 80)],
  [
    'the accounts a reader follows',
    ['follows_follower'],
    (c) => followedUsersPage(c, reader, 1, 80),
  ],
  ['the tags a reader follows', ['follows_follower'], (c) => followedTagsPage(c, reader, 1, 80)],
  ['the Following view', ['timeline_listed'], (c) => followingPage(c, reader, 1)],
  ['the Following view ?page=50', ['timeline_listed'], (c) => followingPage(c, reader, 50)],
  ['the inbox', ['notifications_inbox'], (c) => inboxPage(c.database.db, reader.id, 31, 0, false)],
  [
    'the inbox ?page=20',
    ['notifications_inbox'],
    (c) => inboxPage(c.database.db, reader.id, 31, 570, false),
  ],
  [
    'the inbox, unread only',
    ['notifications_inbox'],
    (c) => inboxPage(c.database.db, reader.id, 31, 0, true),
  ],
  ['the unread count', ['notifications_inbox'], (c) => countUnread(c.database.db, reader.id, 100)],
  [
    'the hourly comment limit',
    ['comments_user'],
    (c) => countCommentsSince(c.database.db, reader.id, hoursAgo(1)),
  ],
  [
    // The moderators' queue: open reports, oldest first, a page at a time.
    'the open reports',
    ['reports_status'],
    (c) =>
      c.database.db
        .selectFrom('reports')
        .selectAll()
        .where('status', '=', 'open')
        .orderBy('id')
        .limit(50)
        .execute(),
  ],
];

function hoursAgo(hours: number): string {
  return new Date(server.clock.now().getTime() - hours * 3_600_000).toISOString();
}

for (const [name, indexes, run] of LISTINGS) {
  test(`${name}: an index range yields the page`, async () => {
    const plans = await explainListing(run);
    assert.ok(plans.length > 0, 'no query captured');
    if (process.env.QUIRE_PRINT_PLANS) {
      // As docs/query-plans.md shows them: one line per query, its steps under it.
      console.log(`\n#### ${name} (${dialect})\n`);
      for (const p of plans) console.log(`${brief(p.sql)}\n  ${p.steps.join('\n  ')}`);
    }
    const found = plans.flatMap((p) =>
      problems(p, name).map(
        (why) => `${why}\n    in ${p.sql}\n    plan:\n      ${p.steps.join('\n      ')}`,
      ),
    );
    assert.deepEqual(found, [], found.join('\n'));
    const steps = plans.flatMap((p) => p.steps).join('\n');
    for (const index of indexes)
      assert.match(steps, new RegExp(`\\b${index}\\b`), `${index} unused:\n${steps}`);
  });
}

test('/api/tags counts only live articles, also on a page of 600 tags read in parts', async () => {
  const db = server.ctx.database.db;
  // The recount: every live article of each tag, ordered as the API orders.
  const live = await db
    .selectFrom('article_tags')
    .innerJoin('tags', 'tags.id', 'article_tags.tag_id')
    .select(['tags.name', (eb) => eb.fn.countAll().as('n')])
    .where('article_tags.published', '=', 1)
    .where('article_tags.published_at', '<=', now())
    .groupBy('tags.name')
    .execute();
  const expected = live
    .map((t) => `${t.name}:${Number(t.n)}`)
    .sort((a, b) => {
      const [an = '', ac = 0] = a.split(':');
      const [bn = '', bc = 0] = b.split(':');
      return Number(bc) - Number(ac) || (an < bn ? -1 : an > bn ? 1 : 0);
    });
  assert.ok(expected.length > 500, `${expected.length} tags`);
  const page = await listTagsByPopularity(db, now(), 600, 0);
  assert.deepEqual(
    page.map((t) => `${t.name}:${t.articles}`),
    expected.slice(0, 600),
  );
  const later = await listTagsByPopularity(db, now(), 10, 300);
  assert.deepEqual(
    later.map((t) => `${t.name}:${t.articles}`),
    expected.slice(300, 310),
  );
});

/**
 * A search reads the full-text index (FTS5's MATCH, PostgreSQL's GIN index) for its matches and
 * each match's article by primary key: never all articles or all of their tag rows. Its matches
 * are sorted by rank, which no index can give.
 */
for (const [name, q] of [
  ['search', '1234'],
  ['search with a tag, an author and an exclusion', 'number 1234 tag:big -author:nobody -zzz'],
  ['search by prefix', 'paragr* 1234'],
] as const) {
  test(`${name}: the full-text index finds the matches`, async () => {
    const found = await searchPublished(server.ctx, { q });
    assert.ok(found.length <= 1, `one article at most: ${found.length}`);
    const database = server.ctx.database;
    const statement = fullTextStatement(database, parseSearchQuery(q), {
      visibleAt: now(),
      limit: 30,
      offset: 0,
      candidates: SEARCH_CANDIDATES,
    });
    const plan = await explain(database, statement.compile(database.db));
    if (process.env.QUIRE_PRINT_PLANS) {
      console.log(`\n#### ${name} (${dialect})\n`);
      console.log(`${brief(plan.sql)}\n  ${plan.steps.join('\n  ')}`);
    }
    const steps = plan.steps.join('\n');
    const scans = plan.fullScans.filter(
      (s) => WATCHED.has(s.table) || s.table === 'article_search',
    );
    assert.deepEqual(scans, [], steps);
    if (dialect === 'sqlite') {
      assert.match(steps, /SCAN articles_fts VIRTUAL TABLE INDEX \d+:M/, steps);
      assert.match(steps, /SEARCH a USING INTEGER PRIMARY KEY/, steps);
    } else {
      // With a tag, the planner may start from the tag's range and check each of its articles'
      // vectors by primary key instead; either way no table is read whole.
      const index = q.includes('tag:')
        ? /Bitmap Index Scan using article_search_document|article_tags_listed/
        : /Bitmap Index Scan using article_search_document/;
      assert.match(steps, index, steps);
    }
  });
}

/** A query of filters alone lists from the index of the first one's list, newest first. */
for (const [name, q, index] of [
  ['a tag alone', 'tag:big -tag:mid', /article_tags_listed/],
  ['an author alone', 'author:plan_author_1 -tag:mid', /articles_author/],
] as const) {
  test(`search of ${name}: one index range, in order`, async () => {
    const database = server.ctx.database;
    const statement = filteredStatement(parseSearchQuery(q), {
      visibleAt: now(),
      limit: 30,
      offset: 0,
      candidates: SEARCH_CANDIDATES,
    });
    const plan = await explain(database, statement.compile(database.db));
    const steps = plan.steps.join('\n');
    assert.deepEqual(
      plan.fullScans.filter((s) => WATCHED.has(s.table)),
      [],
      steps,
    );
    assert.match(steps, index, steps);
    assert.doesNotMatch(
      steps,
      /TEMP B-TREE FOR ORDER BY|Sort Key: t\.published_at|Sort Key: a\.published_at/,
      steps,
    );
  });
}

/**
 * An author's own search starts from the author's rows (an index range by `user_id`) and asks
 * the full-text index about each by id (FTS5's rowid constraint, `=` in its plan; PostgreSQL's
 * `article_search` by primary key), so a word in every article of the site costs what the
 * author's articles cost. On SQLite a prefix longer than the prefix index reads the matches
 * once instead (FTS5 would gather them again for each row).
 */
for (const [name, q] of [
  ['own search of a word in every article', 'paragraph'],
  ['own search of a rare word', '1234'],
  ['own search with a tag and an exclusion', 'paragraph tag:big -zzz -tag:mid'],
  ['own search by an indexed prefix', 'par*'],
  ['own search by a long prefix', 'paragr*'],
] as const) {
  test(`${name}: the author's rows, each looked up in the index`, async () => {
    const { items } = await searchOwn(server.ctx, ada, { q, per_page: 30 });
    assert.ok(
      items.every((item) => item.article.user_id === ada.id),
      'only the author',
    );
    if (!q.includes('1234')) assert.equal(items.length, 30, 'a full page');
    const database = server.ctx.database;
    const statement = ownFullTextStatement(database, parseSearchQuery(q), {
      userId: ada.id,
      limit: 30,
      offset: 0,
    });
    const plan = await explain(database, statement.compile(database.db));
    if (process.env.QUIRE_PRINT_PLANS) {
      console.log(`\n#### ${name} (${dialect})\n`);
      console.log(`${brief(plan.sql)}\n  ${plan.steps.join('\n  ')}`);
    }
    const steps = plan.steps.join('\n');
    const scans = plan.fullScans.filter(
      (s) => WATCHED.has(s.table) || s.table === 'article_search',
    );
    assert.deepEqual(scans, [], steps);
    if (dialect === 'sqlite' && q === 'paragr*') {
      assert.match(steps, /SCAN f VIRTUAL TABLE INDEX \d+:M/, steps);
      assert.match(steps, /SEARCH a USING INTEGER PRIMARY KEY/, steps);
    } else if (dialect === 'sqlite') {
      // The author's range is the outer loop, FTS5 constrained by rowid within it.
      const author = plan.steps.findIndex((step) =>
        /^SEARCH a USING (COVERING )?INDEX articles_\w+ \(user_id=\?\)/.test(step),
      );
      const lookup = plan.steps.findIndex((step) =>
        /^SCAN f VIRTUAL TABLE INDEX \d+:=M/.test(step),
      );
      assert.ok(author >= 0 && lookup > author, steps);
    } else {
      assert.match(steps, /using articles_(author|drafts|mine|user_slug)\b/, steps);
      assert.match(steps, /Index Scan on article_search using article_search_pkey/, steps);
      assert.doesNotMatch(steps, /article_search_document/, steps);
    }
  });
}

test("own search of a tag alone: the author's rows, tags asked row by row", async () => {
  const { items } = await searchOwn(server.ctx, ada, { q: 'tag:big -tag:mid', per_page: 30 });
  assert.equal(items.length, 30, 'a full page');
  assert.ok(items.every((item) => item.article.user_id === ada.id));
  const database = server.ctx.database;
  const statement = ownFilteredStatement(parseSearchQuery('tag:big -tag:mid'), {
    userId: ada.id,
    limit: 30,
    offset: 0,
  });
  const plan = await explain(database, statement.compile(database.db));
  const steps = plan.steps.join('\n');
  assert.deepEqual(
    plan.fullScans.filter((s) => WATCHED.has(s.table)),
    [],
    steps,
  );
  assert.match(
    steps,
    dialect === 'sqlite'
      ? /SEARCH a USING (COVERING )?INDEX articles_\w+ \(user_id=\?\)/
      : /using articles_(author|drafts|mine|user_slug)\b/,
    steps,
  );
  assert.doesNotMatch(steps, /article_tags_listed/, steps);
});

/**
 * People and tags are found by prefix: a range of the username's index and of `lower(name)`'s,
 * or of the tag's name, never all accounts or all tags (migration 0012). Their matches are
 * sorted (by username, by use), which no single range gives.
 */
const PAGE = { limit: 30, offset: 0 };
const PREFIX_SEARCHES: Array<[string, RegExp[], () => RawBuilder<unknown>]> = [
  [
    'people by username or name',
    dialect === 'sqlite'
      ? [
          /USING INDEX sqlite_autoindex_users_\d \(username>\? AND username<\?\)/,
          /users_name_lower/,
        ]
      : [/users_username_prefix/, /users_name_lower/],
    () => peopleStatement(server.ctx.database, peopleSearch('plan_follower_123', PAGE)),
  ],
  [
    'people by name alone',
    [/users_name_lower/],
    () => peopleStatement(server.ctx.database, peopleSearch('Follower 123', PAGE)),
  ],
  [
    'tags by name',
    dialect === 'sqlite'
      ? [/USING INDEX sqlite_autoindex_tags_\d \(name>\? AND name<\?\)/]
      : [/tags_name_prefix/],
    () => tagsStatement(server.ctx.database, prefixRange('filler12'), PAGE),
  ],
];

for (const [name, indexes, statement] of PREFIX_SEARCHES) {
  test(`${name}: index ranges, no table read whole`, async () => {
    const database = server.ctx.database;
    const plan = await explain(database, statement().compile(database.db));
    if (process.env.QUIRE_PRINT_PLANS) {
      console.log(`\n#### ${name} (${dialect})\n`);
      console.log(`${brief(plan.sql)}\n  ${plan.steps.join('\n  ')}`);
    }
    const steps = plan.steps.join('\n');
    const scans = plan.fullScans.filter((s) => s.table === 'users' || s.table === 'tags');
    assert.deepEqual(scans, [], steps);
    for (const index of indexes) assert.match(steps, index, steps);
  });
}
