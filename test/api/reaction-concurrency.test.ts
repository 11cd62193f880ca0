/**
 * Counts kept on write stay equal to the rows under concurrent requests: many readers toggling
 * the same reaction on one article or comment at once, one reader toggling the same reaction
 * many times at once, and comments written and deleted at once. Each check compares the stored
 * count with a count of the rows, and with what the API answers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PUBLIC_CATEGORIES } from '../../src/modules/reactions/reactions.rules.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const READERS = 32;
const ROUNDS = 5;

let server: TestServer;
let writer: Author;
let readers: Author[];
let article: { id: number; path: string };

before(async () => {
  server = await startTestServer();
  writer = await makeAuthor(server, 'conc_writer');
  readers = [];
  for (let i = 0; i < READERS; i++) readers.push(await makeAuthor(server, `conc_reader_${i}`));
  article = await postArticle(server, writer, {
    title: 'Crowded',
    body_markdown: 'Everyone reacts at once.',
    published: true,
  });
  // Accounts older than a day write under the ordinary limits.
  server.clock.advance(2 * 86_400_000);
});
after(() => server.close());

const api = () => server.client();

const toggle = (who: Author, category: string, id: number, type: 'Article' | 'Comment') =>
  api().post(
    `/api/reactions/toggle?category=${category}&reactable_id=${id}&reactable_type=${type}`,
    { key: who.key },
  );

/** Public reactions stored on the item, by counting rows. */
async function publicRows(type: 'Article' | 'Comment', id: number): Promise<number> {
  const row = await server.ctx.database.db
    .selectFrom('reactions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('reactable_type', '=', type)
    .where('reactable_id', '=', id)
    .where('category', 'in', [...PUBLIC_CATEGORIES])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function storedCount(table: 'articles' | 'comments', id: number): Promise<number> {
  const row = await server.ctx.database.db
    .selectFrom(table)
    .select('public_reactions_count')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.public_reactions_count;
}

/** Reaction events written for the item: created minus deleted must equal the rows too. */
async function netEvents(type: 'Article' | 'Comment', id: number): Promise<number> {
  const rows = await server.ctx.database.db
    .selectFrom('events')
    .select(['type', 'payload'])
    .where('type', 'in', ['reaction.created', 'reaction.deleted'])
    .execute();
  let net = 0;
  for (const row of rows) {
    const data = JSON.parse(row.payload).data;
    if (data.reactable_type !== type || data.reactable_id !== id) continue;
    if (!(PUBLIC_CATEGORIES as readonly string[]).includes(data.category)) continue;
    net += row.type === 'reaction.created' ? 1 : -1;
  }
  return net;
}

/** Every reader toggles `category` ROUNDS times, all readers at once, each round at once. */
async function storm(category: string, id: number, type: 'Article' | 'Comment') {
  const answers = await Promise.all(
    readers.flatMap((reader) =>
      Array.from({ length: ROUNDS }, () => toggle(reader, category, id, type)),
    ),
  );
  const statuses = answers.map((a) => a.status);
  // Every toggle is answered: a create (201) or a destroy/none (200), never an error.
  for (const [i, a] of answers.entries())
    assert.ok(a.status === 200 || a.status === 201, `toggle ${i}: ${a.status} ${a.text}`);
  return { answers, statuses };
}

test(`${READERS} readers toggling the same reaction on an article ${ROUNDS} times at once keep the count equal to the rows`, async () => {
  const { answers } = await storm('like', article.id, 'Article');
  const rows = await publicRows('Article', article.id);
  assert.equal(await storedCount('articles', article.id), rows);
  assert.equal(await netEvents('Article', article.id), rows, 'one event for each change');
  // Each reader's own toggles: whatever order they ran in, each row is one reader's, at most one.
  const likes = await server.ctx.database.db
    .selectFrom('reactions')
    .select('user_id')
    .where('reactable_type', '=', 'Article')
    .where('reactable_id', '=', article.id)
    .where('category', '=', 'like')
    .execute();
  assert.equal(new Set(likes.map((l) => l.user_id)).size, likes.length);
  const creates = answers.filter((a) => a.json().result === 'create').length;
  const destroys = answers.filter((a) => a.json().result === 'destroy').length;
  assert.equal(creates - destroys, rows, 'answers say what the rows show');

  const shown = (await api().get(`/api/articles/${article.id}`)).json();
  assert.equal(shown.public_reactions_count, rows, 'the API shows the stored count');

  // A second storm with another category on top of the first.
  await storm('unicorn', article.id, 'Article');
  const after = await publicRows('Article', article.id);
  assert.equal(await storedCount('articles', article.id), after);
  assert.equal(
    (await api().get(`/api/articles/${article.id}`)).json().public_reactions_count,
    after,
  );
});

test('one reader toggling the same reaction 20 times at once leaves 0 or 1 row, and the count agrees', async () => {
  const reader = readers[0] as Author;
  const before = await publicRows('Article', article.id);
  const mine = async () =>
    Number(
      (
        await server.ctx.database.db
          .selectFrom('reactions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('user_id', '=', reader.id)
          .where('reactable_type', '=', 'Article')
          .where('reactable_id', '=', article.id)
          .where('category', '=', 'fire')
          .executeTakeFirstOrThrow()
      ).n,
    );
  assert.equal(await mine(), 0);
  server.clock.advance(61_000);
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => toggle(reader, 'fire', article.id, 'Article')),
  );
  for (const a of answers) assert.ok(a.status === 200 || a.status === 201, a.text);
  const own = await mine();
  assert.ok(own === 0 || own === 1, `${own} rows`);
  const rows = await publicRows('Article', article.id);
  assert.equal(rows, before + own);
  assert.equal(await storedCount('articles', article.id), rows);
  assert.equal(
    (await api().get(`/api/articles/${article.id}`)).json().public_reactions_count,
    rows,
  );
});

test('readers toggling the same reaction on a comment at once keep the comment count equal to the rows', async () => {
  server.clock.advance(61_000);
  const res = await api().post('/api/comments', {
    key: writer.key,
    json: { comment: { body_markdown: 'React to me.', article_id: article.id } },
  });
  assert.equal(res.status, 201, res.text);
  const comment = res.json();
  const id = (
    await server.ctx.database.db
      .selectFrom('comments')
      .select('id')
      .where('article_id', '=', article.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
  ).id;
  const articleBefore = await storedCount('articles', article.id);

  await storm('like', id, 'Comment');
  const rows = await publicRows('Comment', id);
  assert.equal(await storedCount('comments', id), rows);
  assert.equal(await netEvents('Comment', id), rows);
  // Reactions on a comment move its count, not the article's.
  assert.equal(await storedCount('articles', article.id), articleBefore);

  const thread = (await api().get(`/api/comments?a_id=${article.id}`)).json();
  const shown = thread.find((c: { id_code: string }) => c.id_code === comment.id_code);
  assert.equal(shown.public_reactions_count, rows, 'the API shows the stored count');

  server.clock.advance(61_000);
  const reader = readers[1] as Author;
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => toggle(reader, 'raised_hands', id, 'Comment')),
  );
  for (const a of answers) assert.ok(a.status === 200 || a.status === 201, a.text);
  const after = await publicRows('Comment', id);
  assert.ok(after - rows === 0 || after - rows === 1, `${after - rows} rows of one reader`);
  assert.equal(await storedCount('comments', id), after);
});

test('comments written and deleted at once keep the article comment count equal to the rows', async () => {
  server.clock.advance(3_600_000);
  const live = async () =>
    Number(
      (
        await server.ctx.database.db
          .selectFrom('comments')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('article_id', '=', article.id)
          .where('deleted', '=', 0)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const stored = async () =>
    (
      await server.ctx.database.db
        .selectFrom('articles')
        .select('comments_count')
        .where('id', '=', article.id)
        .executeTakeFirstOrThrow()
    ).comments_count;
  const post = (who: Author, body: string, parent_id?: string) =>
    api().post('/api/comments', {
      key: who.key,
      json: { comment: { body_markdown: body, article_id: article.id, parent_id } },
    });
  const start = await live();
  assert.equal(await stored(), start);

  // Every reader writes three comments at once.
  const first = await Promise.all(
    readers.flatMap((r, i) => [0, 1, 2].map((k) => post(r, `Comment ${k} by reader ${i}.`))),
  );
  for (const a of first) assert.equal(a.status, 201, a.text);
  assert.equal(await live(), start + READERS * 3);
  assert.equal(await stored(), await live());

  // Then, all at once: each reader deletes its first comment twice, replies to its second, and
  // writes a new one.
  const codes = first.map((a) => a.json().id_code as string);
  const second = await Promise.all(
    readers.flatMap((r, i) => [
      api().delete(`/api/comments/${codes[i * 3]}`, { key: r.key }),
      api().delete(`/api/comments/${codes[i * 3]}`, { key: r.key }),
      post(r, `A reply by reader ${i}.`, codes[i * 3 + 1]),
      post(r, `Another by reader ${i}.`),
    ]),
  );
  const deletes = second.filter((_, j) => j % 4 < 2);
  const posts = second.filter((_, j) => j % 4 >= 2);
  for (const a of posts) assert.equal(a.status, 201, a.text);
  // Of two deletes of the same comment, one or both say 204 (the second found nothing to do,
  // or came after and found it gone: 404); never an error.
  for (const a of deletes) assert.ok(a.status === 204 || a.status === 404, `${a.status}`);
  for (let i = 0; i < READERS; i++)
    assert.ok(
      deletes.slice(i * 2, i * 2 + 2).some((a) => a.status === 204),
      `reader ${i}: the comment was deleted`,
    );
  const expected = start + READERS * 3 - READERS + READERS * 2;
  assert.equal(await live(), expected);
  assert.equal(await stored(), expected, 'the stored count equals the rows');
  const shown = (await api().get(`/api/articles/${article.id}`)).json();
  assert.equal(shown.comments_count, expected, 'the API shows the stored count');
  const deletedEvents = await server.ctx.database.db
    .selectFrom('events')
    .select('id')
    .where('type', '=', 'comment.deleted')
    .execute();
  assert.equal(deletedEvents.length, READERS, 'one comment.deleted per comment deleted');
});
