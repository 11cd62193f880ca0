/**
 * The feed sources settings page over HTTP: adding a source, "Import now" against a real feed
 * served on 127.0.0.1 with its result and import log on the page, removing it, and the refusals
 * (rule violations beside their fields, someone else's source, forged posts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { signInWeb, submit, tokenFor } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { type FeedServer, RSS, rssFeed, rssItem, startFeedServer } from '../imports/feed-server.ts';
import { assertForgeriesRefused, stateOf } from './settings-support.ts';

const PAGE = '/settings/feeds';

let server: TestServer;
let feeds: FeedServer;
let owner: Author;
let ana: HttpClient;

before(async () => {
  server = await startTestServer({
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1' },
    now: '2026-06-01T12:00:00.000Z',
  });
  await makeAuthor(server, 'feeds_admin');
  owner = await makeAuthor(server, 'feed_owner');
  await makeAuthor(server, 'feed_stranger');
  feeds = await startFeedServer();
  ana = await signInWeb(server, 'feed_owner');
});
after(async () => {
  await feeds.close();
  await server.close();
});

const db = () => server.ctx.database.db;

async function sourceId(url: string): Promise<number> {
  const row = await db()
    .selectFrom('feed_sources')
    .select('id')
    .where('url', '=', url)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The entry of one source on the page. */
function entryOf(page: string, id: number): string {
  const found = new RegExp(`<article class="entry" id="source-${id}"[\\s\\S]*?</article>`).exec(
    page,
  );
  assert.ok(found, `source ${id} is on the page`);
  return found[0];
}

const item = (n: number) =>
  rssItem({
    title: `Dispatch ${n}`,
    guid: `dispatch-${n}`,
    date: 'Mon, 04 May 2026 10:00:00 +0000',
    html: `<p>Dispatch number ${n}.</p>`,
  });

test('a source is added, imported now with its log shown, and removed', async () => {
  feeds.serve('/dispatches.xml', { body: rssFeed([item(1), item(2)]), type: RSS });
  const url = feeds.url('/dispatches.xml');
  const added = await submit(ana, PAGE, PAGE, { url, publish: 'on' });
  assert.equal(added.status, 303, added.text);
  assert.equal(added.headers.get('location'), '/settings/feeds?done=added');
  const id = await sourceId(url);
  const listed = await ana.get('/settings/feeds?done=added');
  assert.match(listed.text, /role="status">Feed added/);
  const fresh = entryOf(listed.text, id);
  assert.match(fresh, new RegExp(`<h3 id="source-${id}-url" class="url">${url}</h3>`));
  assert.match(fresh, /<dd>published<\/dd>/);
  assert.match(fresh, /Not polled yet/);
  assert.match(fresh, /Nothing imported yet/);
  assert.equal(feeds.hits('/dispatches.xml').length, 0, 'adding does not fetch');

  const polled = await submit(ana, PAGE, `/settings/feeds/${id}/poll`, {});
  assert.equal(polled.status, 303, polled.text);
  assert.equal(polled.headers.get('location'), `/settings/feeds?done=polled-ok#source-${id}`);
  assert.equal(feeds.hits('/dispatches.xml').length, 1);
  const page = await ana.get('/settings/feeds?done=polled-ok');
  assert.match(page.text, /role="status">Feed imported/);
  const entry = entryOf(page.text, id);
  assert.match(entry, /<time datetime="2026-06-01T12:00:00.000Z">2026-06-01 12:00:00 UTC<\/time>/);
  assert.match(entry, /class="status-ok">Imported</);
  assert.match(entry, /<strong>2<\/strong> imported,\s*<strong>0<\/strong> skipped/);
  const titles = await db()
    .selectFrom('articles')
    .select(['title', 'published'])
    .where('user_id', '=', owner.id)
    .orderBy('title')
    .execute();
  assert.deepEqual(
    titles.map((t) => [t.title, t.published]),
    [
      ['Dispatch 1', 1],
      ['Dispatch 2', 1],
    ],
  );

  // An item that cannot become an article is listed with the reason; one without guid or link
  // is remembered by its feed, title and date, and imports.
  const deep = `${'<div>'.repeat(600)}too deep${'</div>'.repeat(600)}`;
  feeds.serve('/dispatches.xml', {
    body: rssFeed([
      item(1),
      item(2),
      item(3),
      rssItem({ title: 'Too deep', guid: 'deep', html: deep }),
      rssItem({ title: 'Nameless', date: 'Tue, 05 May 2026 10:00:00 +0000' }),
    ]),
    type: RSS,
  });
  server.clock.advance(60_000);
  assert.equal((await submit(ana, PAGE, `/settings/feeds/${id}/poll`, {})).status, 303);
  const again = entryOf((await ana.get(PAGE)).text, id);
  assert.match(again, /2026-06-01 12:01:00 UTC/);
  assert.match(again, /<strong>2<\/strong> imported,\s*<strong>2<\/strong> skipped/);
  assert.match(again, /<strong>1<\/strong> failed, of 5 items/);
  assert.match(
    again,
    /<span class="item">Too deep<\/span>: Cannot convert the HTML: content is nested more than \d+ elements deep/,
  );

  const removed = await submit(ana, PAGE, `/settings/feeds/${id}/remove`, {});
  assert.equal(removed.status, 303);
  assert.equal(removed.headers.get('location'), '/settings/feeds?done=removed');
  const gone = await ana.get('/settings/feeds?done=removed');
  assert.doesNotMatch(gone.text, new RegExp(`id="source-${id}"`));
  assert.match(gone.text, /role="status">Feed removed/);
  const left = await db()
    .selectFrom('articles')
    .select('id')
    .where('user_id', '=', owner.id)
    .execute();
  assert.equal(left.length, 4, 'imported articles stay');
});

test('a feed that cannot be read shows its error on the page', async () => {
  const url = feeds.url('/missing.xml');
  assert.equal((await submit(ana, PAGE, PAGE, { url })).status, 303);
  const id = await sourceId(url);
  const polled = await submit(ana, PAGE, `/settings/feeds/${id}/poll`, {});
  assert.equal(polled.headers.get('location'), `/settings/feeds?done=polled-error#source-${id}`);
  const page = await ana.get('/settings/feeds?done=polled-error');
  assert.match(page.text, /role="status">The feed could not be imported/);
  const entry = entryOf(page.text, id);
  assert.match(entry, /class="status-error">Failed</);
  assert.match(entry, /<dt>Error<\/dt><dd class="error-text">[^<]*404/);
  assert.match(entry, /<dd>as drafts<\/dd>/);
});

test('rule violations show beside the URL field with the input kept, and nothing is saved', async () => {
  const before = await stateOf(server);
  for (const url of ['ftp://files.example.org/feed.xml', 'not a url', '']) {
    const res = await submit(ana, PAGE, PAGE, { url, publish: 'on', canonical: 'on' });
    assert.equal(res.status, 422, url);
    assert.match(res.text, /id="f-url-error">[^<]+</);
    assert.match(res.text, /aria-describedby="f-url-error"/);
    assert.ok(res.text.includes(`name="url" type="url" value="${url}"`), url);
    assert.match(res.text, /name="publish" type="checkbox" checked/);
    assert.match(res.text, /name="canonical" type="checkbox" checked/);
  }
  const metadata = await submit(ana, PAGE, PAGE, { url: 'http://169.254.169.254/latest/' });
  assert.equal(metadata.status, 422);
  assert.match(metadata.text, /id="f-url-error">[^<]*169\.254\.169\.254 is not allowed/);
  assert.deepEqual(await stateOf(server), before);
});

test("someone else's source is not found and is neither polled nor removed", async () => {
  const url = feeds.url('/private.xml');
  feeds.serve('/private.xml', { body: rssFeed([item(9)]), type: RSS });
  assert.equal((await submit(ana, PAGE, PAGE, { url })).status, 303);
  const id = await sourceId(url);
  const stranger = await signInWeb(server, 'feed_stranger');
  const before = await stateOf(server);
  const token = await tokenFor(stranger, PAGE, PAGE);
  for (const action of ['poll', 'remove']) {
    const res = await stranger.post(`/settings/feeds/${id}/${action}`, { form: { _csrf: token } });
    assert.equal(res.status, 404, action);
  }
  assert.doesNotMatch((await stranger.get(PAGE)).text, /private\.xml/);
  assert.equal(feeds.hits('/private.xml').length, 0);
  assert.deepEqual(await stateOf(server), before);
});

test('forged posts are refused', async () => {
  const url = feeds.url('/forged.xml');
  await assertForgeriesRefused(server, ana, PAGE, PAGE, { url });
  const existing = await sourceId(feeds.url('/private.xml'));
  await assertForgeriesRefused(server, ana, PAGE, `/settings/feeds/${existing}/poll`, {});
  await assertForgeriesRefused(server, ana, PAGE, `/settings/feeds/${existing}/remove`, {});
  assert.equal(feeds.hits('/private.xml').length, 0);
});
