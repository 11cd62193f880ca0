/** The home page and profiles offer an older page only when one exists. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
  const prolific = await makeAuthor(server, 'prolific');
  const quiet = await makeAuthor(server, 'quiet');
  for (let i = 1; i <= 21; i++) {
    await postArticle(server, prolific, { title: `Entry number ${i}`, published: true });
  }
  await postArticle(server, quiet, { title: 'A single thought', published: true });
});
after(() => server.close());

const older = /rel="next" href="[^"]*\?page=2"/;

test('21 articles on a 20-article page: an older page, and none after it', async () => {
  const client = server.client();
  const first = await client.get('/');
  assert.match(first.text, older);
  const second = await client.get('/?page=2');
  assert.doesNotMatch(second.text, /rel="next"/);
  assert.match(second.text, /rel="prev" href="\/\?page=1"/);
  assert.equal((second.text.match(/class="card"/g) ?? []).length, 2);
});

test('a profile with one article has no pager links', async () => {
  const page = await server.client().get('/quiet');
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.text, /rel="next"|rel="prev"/);
  const busy = await server.client().get('/prolific');
  assert.match(busy.text, /rel="next" href="\/prolific\?page=2"/);
});
