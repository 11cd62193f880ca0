/**
 * A storm of 500 comments and reactions on one article within one minute leaves every other
 * cached answer as it was: the other article's page and API answer, the feeds, and the lists that
 * show the article (home, tags, profile, /api/articles), which may show its old counts for the
 * count lag (QUIRE_COUNT_LAG, 30 s) and are then rebuilt once. Only the article's own page and
 * thread are built again, on the first request after the storm.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PUBLIC_CATEGORIES } from '../../src/modules/reactions/reactions.rules.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ACCOUNTS = 50;
const COMMENTS_EACH = 5;
/** Each account gives each public category once: 5 reactions. */
const REACTIONS_EACH = PUBLIC_CATEGORIES.length;

let server: TestServer;
let ada: Author;
let bob: Author;
let crowd: Author[];
let a: { id: number; path: string };
let b: { id: number; path: string };

before(async () => {
  server = await startTestServer();
  ada = await makeAuthor(server, 'storm_ada');
  bob = await makeAuthor(server, 'storm_bob');
  crowd = [];
  for (let i = 0; i < ACCOUNTS; i++) crowd.push(await makeAuthor(server, `storm_${i}`));
  a = await postArticle(server, ada, {
    title: 'The busy one',
    body_markdown: 'Everyone has something to say.',
    published: true,
    tags: ['busy'],
  });
  b = await postArticle(server, bob, {
    title: 'The quiet one',
    body_markdown: 'Nobody comments here.',
    published: true,
    tags: ['quiet'],
  });
  server.clock.advance(2 * 86_400_000);
});
after(() => server.close());

const anon = (path: string) => server.client().get(path);
const status = async (path: string) => {
  const res = await anon(path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.headers.get('cache-status');
};

/** What must stay cached through the storm: nothing on it changes, or only counts that may lag. */
const untouched = () => [
  b.path,
  `/api/articles/${b.id}`,
  `/api/comments?a_id=${b.id}`,
  '/',
  '/t/busy',
  '/t/quiet',
  '/storm_ada',
  '/storm_bob',
  '/api/articles',
  '/api/articles?tag=busy',
  '/feed',
  '/feed.atom',
  '/feed/storm_ada',
  '/feed/tag/busy',
];
/** The article's own answers: built again after the storm. */
const own = () => [a.path, `/api/articles/${a.id}`, `/api/comments?a_id=${a.id}`];

async function assertAllHits(paths: string[], when: string) {
  await server.ctx.eventHead.current();
  for (const path of paths) assert.equal(await status(path), 'quire; hit', `${when}: ${path}`);
}

/** One account's share of the storm: its comments and reactions, all sent at once. */
function wave(accounts: Author[]) {
  return Promise.all(
    accounts.flatMap((who, i) => [
      ...Array.from({ length: COMMENTS_EACH }, (_, k) =>
        server.client().post('/api/comments', {
          key: who.key,
          json: {
            comment: { body_markdown: `Point ${k} from ${who.username} (${i}).`, article_id: a.id },
          },
        }),
      ),
      ...PUBLIC_CATEGORIES.map((category) =>
        server
          .client()
          .post(
            `/api/reactions/toggle?category=${category}&reactable_id=${a.id}&reactable_type=Article`,
            { key: who.key },
          ),
      ),
    ]),
  );
}

test('a storm of 500 comments and reactions rebuilds only its own article until the count lag', async () => {
  const everything = [...untouched(), ...own()];
  for (const path of everything) await anon(path);
  await assertAllHits(everything, 'before');
  const started = server.clock.now().getTime();
  const before = (await anon(`/api/articles/${a.id}`)).json();
  assert.equal(before.comments_count, 0);

  // Four waves, the clock standing still: all within one minute.
  const quarter = ACCOUNTS / 4;
  let answers = 0;
  for (let w = 0; w < 4; w++) {
    const group = crowd.slice(Math.round(w * quarter), Math.round((w + 1) * quarter));
    const results = await wave(group);
    for (const r of results) assert.equal(r.status, 201, r.text);
    answers += results.length;
    if (w === 1) await assertAllHits(untouched(), 'during the storm');
  }
  assert.equal(answers, ACCOUNTS * (COMMENTS_EACH + REACTIONS_EACH));
  assert.equal(answers, 500);
  assert.ok(server.clock.now().getTime() - started < 60_000);

  await assertAllHits(untouched(), 'after the storm');
  // The lists still show the old counts: they may, for the count lag.
  const listed = (await anon('/api/articles')).json<Array<Record<string, number>>>();
  assert.equal(listed.find((x) => x.id === a.id)?.comments_count, 0);

  for (const path of own()) assert.equal(await status(path), 'quire; fwd=miss', path);
  for (const path of own()) assert.equal(await status(path), 'quire; hit', `${path}, again`);
  const after = (await anon(`/api/articles/${a.id}`)).json();
  assert.equal(after.comments_count, ACCOUNTS * COMMENTS_EACH);
  assert.equal(after.public_reactions_count, ACCOUNTS * REACTIONS_EACH);
  const thread = (await anon(`/api/comments?a_id=${a.id}`)).json<unknown[]>();
  assert.equal(thread.length, ACCOUNTS * COMMENTS_EACH);

  // Past the count lag the lists showing the article are rebuilt, once, with its new counts;
  // what does not show it stays cached.
  server.clock.advance(31_000);
  const lagged = ['/', '/t/busy', '/storm_ada', '/api/articles', '/api/articles?tag=busy'];
  for (const path of lagged) assert.equal(await status(path), 'quire; fwd=miss', path);
  for (const path of lagged) assert.equal(await status(path), 'quire; hit', `${path}, again`);
  const fresh = (await anon('/api/articles')).json<Array<Record<string, number>>>();
  const card = fresh.find((x) => x.id === a.id);
  assert.equal(card?.comments_count, ACCOUNTS * COMMENTS_EACH);
  assert.equal(card?.public_reactions_count, ACCOUNTS * REACTIONS_EACH);
  const steady = untouched().filter((p) => !lagged.includes(p));
  await assertAllHits(steady, 'past the count lag');
});
