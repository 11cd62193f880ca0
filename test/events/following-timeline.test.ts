/**
 * The "Following" view as its service reads it: a follower's timeline, newest first, a page at a
 * time, showing only articles still public (one taken back to draft after it was spread leaves
 * the view, though its timeline row stays).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { UserRow } from '../../src/db/schema.ts';
import { follow } from '../../src/modules/follows/follows.service.ts';
import { followingPage } from '../../src/modules/notifications/notifications.service.ts';
import { findUserById } from '../../src/modules/users/users.repository.ts';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { MINUTE } from './support.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer({ now: '2026-03-01T12:00:00.000Z' });
});
after(() => server.close());

async function user(id: number): Promise<UserRow> {
  const row = await findUserById(server.ctx.database.db, id);
  if (!row) throw new Error(`no user ${id}`);
  return row;
}

test('the Following view pages through the public articles of those followed, newest first', async () => {
  const ada = await makeAuthor(server, 'timeline_ada');
  const bob = await makeAuthor(server, 'timeline_bob');
  const reader = await makeAuthor(server, 'timeline_reader');
  await follow(server.ctx, await user(reader.id), { user_id: ada.id });
  await follow(server.ctx, await user(reader.id), { user_id: bob.id });
  await server.dispatcher.drain();
  const ids: number[] = [];
  for (const [i, author] of [ada, bob, ada, bob].entries()) {
    server.clock.advance(MINUTE);
    const article = await postArticle(server, author, { title: `Post ${i}`, published: true });
    ids.push(article.id);
  }
  await server.dispatcher.drain();
  const me = await user(reader.id);
  const titles = async (page: number) => {
    const { items, more } = await followingPage(server.ctx, me, page, 2);
    return { ids: items.map((i) => i.article.id), more };
  };
  assert.deepEqual(await titles(1), { ids: [ids[3], ids[2]], more: true });
  assert.deepEqual(await titles(2), { ids: [ids[1], ids[0]], more: false });

  // Taken back to draft: gone from the view, and the page after it closes up.
  const res = await server
    .client()
    .put(`/api/articles/${ids[2]}`, { key: ada.key, json: { article: { published: false } } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(await titles(1), { ids: [ids[3], ids[1]], more: true });
  assert.deepEqual(await titles(2), { ids: [ids[0]], more: false });
  const rows = await server.ctx.database.db
    .selectFrom('timeline')
    .select('article_id')
    .where('user_id', '=', reader.id)
    .execute();
  assert.equal(rows.length, 4, 'the row stays; the view reads past it');
});
