/**
 * Write limits of the conversation: a new account writes 5 comments an hour, an older one 30,
 * and anyone 60 reactions a minute; the one over is a 429 with Retry-After that stores nothing,
 * and the clock moving on lifts it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle, snapshot } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let host: Author;
let article: { id: number };

before(async () => {
  server = await startTestServer();
  host = await makeAuthor(server, 'host');
  article = await postArticle(server, host, { title: 'Talk here', published: true });
});
after(() => server.close());

const comment = (who: Author, body: string) =>
  server.client().post('/api/comments', {
    key: who.key,
    json: { comment: { body_markdown: body, article_id: article.id } },
  });

test("a new account's sixth comment in an hour is refused until the hour has passed", async () => {
  const fresh = await makeAuthor(server, 'fresh');
  for (let i = 1; i <= 5; i++) assert.equal((await comment(fresh, `Note ${i}`)).status, 201);
  const before = await snapshot(server);
  const sixth = await comment(fresh, 'Note 6');
  assert.equal(sixth.status, 429, sixth.text);
  assert.ok(Number(sixth.headers.get('retry-after')) > 0, 'Retry-After says when to come back');
  assert.deepEqual(await snapshot(server), before, 'nothing stored');

  server.clock.advance(3_600_001);
  assert.equal((await comment(fresh, 'Note 6')).status, 201);
});

test('an account older than a day writes 30 comments an hour', async () => {
  const old = await makeAuthor(server, 'old');
  server.clock.advance(2 * 86_400_000);
  for (let i = 1; i <= 30; i++) {
    const res = await comment(old, `Point ${i}`);
    assert.equal(res.status, 201, `comment ${i}: ${res.text}`);
  }
  const before = await snapshot(server);
  const over = await comment(old, 'Point 31');
  assert.equal(over.status, 429);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  assert.deepEqual(await snapshot(server), before);
});

test('the 61st reaction in a minute is refused', async () => {
  const fan = await makeAuthor(server, 'fan');
  const categories = ['like', 'unicorn', 'exploding_head', 'raised_hands', 'fire', 'readinglist'];
  const items = [article.id];
  for (let i = 0; i < 10; i++)
    items.push((await postArticle(server, host, { title: `More ${i}`, published: true })).id);
  const react = (id: number, category: string) =>
    server
      .client()
      .post(
        `/api/reactions/toggle?category=${category}&reactable_id=${id}&reactable_type=Article`,
        {
          key: fan.key,
        },
      );
  let given = 0;
  for (const id of items.slice(0, 10))
    for (const category of categories) {
      const res = await react(id, category);
      assert.equal(res.status, 201, `reaction ${++given}: ${res.text}`);
    }
  const before = await snapshot(server);
  const last = items[10] as number;
  const over = await react(last, 'like');
  assert.equal(over.status, 429, over.text);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  assert.deepEqual(await snapshot(server), before, 'nothing stored');
  server.clock.advance(60_001);
  assert.equal((await react(last, 'like')).status, 201);
});

test('taking a reaction back counts too: toggling one back and forth is limited', async () => {
  const toggler = await makeAuthor(server, 'toggler');
  const toggle = () =>
    server
      .client()
      .post(
        `/api/reactions/toggle?category=like&reactable_id=${article.id}&reactable_type=Article`,
        { key: toggler.key },
      );
  server.clock.advance(60_000 - (server.clock.now().getTime() % 60_000));
  for (let i = 1; i <= 60; i++) assert.notEqual((await toggle()).status, 429, `toggle ${i}`);
  const over = await toggle();
  assert.equal(over.status, 429, over.text);
  assert.equal(Number(over.headers.get('retry-after')), 60);
  const rows = await server.ctx.database.db
    .selectFrom('reactions')
    .select('id')
    .where('user_id', '=', toggler.id)
    .execute();
  assert.equal(rows.length, 0, 'sixty toggles left none given; the refused one gave none');
});
