/**
 * Many clients publishing at once, as `bench/writes.ts` loads the server: no write is lost, every
 * article gets a slug of its own (same titles included) and its events, and the tag counts add up.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let authors: Author[];

before(async () => {
  server = await startTestServer({
    env: { QUIRE_WRITE_RATE_LIMIT: '100000', QUIRE_API_RATE_LIMIT: '100000' },
  });
  authors = [await makeAuthor(server), await makeAuthor(server)];
});
after(() => server.close());

const BODY = [
  'Some text before the code.',
  '',
  '```ts',
  'const answer: number = 42;',
  '```',
  '',
  '```bash',
  'echo "$answer"',
  '```',
].join('\n');

test('32 concurrent publishes with the same title all land, with distinct slugs and events', async () => {
  const clients = 32;
  const answers = await Promise.all(
    Array.from({ length: clients }, (_, i) =>
      server.client().post('/api/articles', {
        key: (authors[i % 2] as Author).key,
        json: {
          article: {
            title: 'The same title',
            body_markdown: BODY,
            published: true,
            tags: 'concurrency, sqlite',
          },
        },
      }),
    ),
  );
  assert.deepEqual(
    answers.map((a) => a.status),
    Array.from({ length: clients }, () => 201),
  );
  const created = answers.map((a) =>
    a.json<{ id: number; slug: string; user: { username: string } }>(),
  );
  for (const author of authors) {
    const slugs = created.filter((a) => a.user.username === author.username).map((a) => a.slug);
    assert.equal(slugs.length, clients / 2);
    assert.equal(new Set(slugs).size, slugs.length, `slugs of ${author.username} are distinct`);
    for (const slug of slugs) assert.match(slug, /^the-same-title/);
  }

  const db = server.ctx.database.db;
  const ids = created.map((a) => a.id);
  const rows = await db.selectFrom('articles').select('id').where('id', 'in', ids).execute();
  assert.equal(rows.length, clients, 'every answered publish is stored');
  const events = await db
    .selectFrom('events')
    .select(['type', 'subject'])
    .where(
      'subject',
      'in',
      ids.map((id) => `article:${id}`),
    )
    .execute();
  for (const id of ids) {
    const types = events.filter((e) => e.subject === `article:${id}`).map((e) => e.type);
    assert.deepEqual(types.sort(), ['article.created', 'article.published'], `events of ${id}`);
  }
  const tags = await db
    .selectFrom('tags')
    .select(['name', 'published_count'])
    .where('name', 'in', ['concurrency', 'sqlite'])
    .orderBy('name')
    .execute();
  assert.deepEqual(tags, [
    { name: 'concurrency', published_count: clients },
    { name: 'sqlite', published_count: clients },
  ]);
});
