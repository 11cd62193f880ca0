/** Renaming the site reaches cached feeds at once: the rename is an outbox event. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setSiteName } from '../../src/modules/site/site.service.ts';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
  const author = await makeAuthor(server, 'renamer');
  await postArticle(server, author, { title: 'Before the rename', published: true });
});
after(() => server.close());

test('a new site name shows in the next feed, with a new ETag, and appends site.updated', async () => {
  const client = server.client();
  const first = await client.get('/feed/renamer');
  assert.match(first.text, /<title>Quire: renamer<\/title>/);
  await setSiteName(server.ctx, 'Field Notes');
  const second = await client.get('/feed/renamer', {
    headers: { 'if-none-match': first.headers.get('etag')! },
  });
  assert.equal(second.status, 200);
  assert.match(second.text, /<title>Field Notes: renamer<\/title>/);
  const event = await server.ctx.database.db
    .selectFrom('events')
    .selectAll()
    .where('type', '=', 'site.updated')
    .executeTakeFirst();
  assert.deepEqual(JSON.parse(event?.payload ?? '{}').data, { site_name: 'Field Notes' });
});
