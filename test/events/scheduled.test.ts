/**
 * A scheduled article announces `article.scheduled` when saved and `article.published` when its
 * time comes, exactly once, so webhook receivers hear of it going live.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  createHook,
  drainAll,
  eventsOfType,
  type Hook,
  HOUR,
  SECOND,
  startFakeClockServer,
  step,
  verified,
} from './support.ts';

let server: TestServer;
let receiver: Receiver;
let author: Author;
let hook: Hook;

before(async () => {
  server = await startFakeClockServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' } });
  receiver = await startReceiver();
  await makeAuthor(server, 'scheduled_admin', { admin: true });
  author = await makeAuthor(server, 'scheduled_author');
  server.clock.advance(SECOND);
  hook = await createHook(server, author, receiver.url('/author'), ['article.published']);
});
after(async () => {
  await server.close();
  await receiver.close();
});

test('a scheduled article is announced as published when its time comes, once', async () => {
  const goLive = new Date(server.clock.now().getTime() + 2 * HOUR).toISOString();
  const article = (await postArticle(server, author, {
    title: 'Later on',
    body_markdown: `---\npublished: true\npublished_at: ${goLive}\n---\nSoon.`,
  })) as { id: number };
  await drainAll(server);
  assert.equal(receiver.hits('/author').length, 0, 'nothing is published yet');
  const scheduled = await eventsOfType(server, ['article.scheduled']);
  assert.equal(scheduled.filter((e) => e.subject === `article:${article.id}`).length, 1);

  await step(server, HOUR);
  assert.equal(receiver.hits('/author').length, 0, 'an hour early, still nothing');

  await step(server, HOUR + SECOND);
  await receiver.waitFor(1, { path: '/author' });
  const [payload] = verified(receiver.hits('/author'), hook.secret);
  assert.equal(payload?.type, 'article.published');
  assert.equal(payload?.data.title, 'Later on');

  await step(server, HOUR);
  const published = await eventsOfType(server, ['article.published']);
  assert.equal(
    published.filter((e) => e.subject === `article:${article.id}`).length,
    1,
    'announced once, however often the job runs',
  );
  assert.equal(receiver.hits('/author').length, 1);
});

test('an article published now is announced at once and never again', async () => {
  const article = (await postArticle(server, author, {
    title: 'Right now',
    published: true,
  })) as { id: number };
  await drainAll(server);
  await step(server, 3 * HOUR);
  const published = await eventsOfType(server, ['article.published']);
  assert.equal(published.filter((e) => e.subject === `article:${article.id}`).length, 1);
});
