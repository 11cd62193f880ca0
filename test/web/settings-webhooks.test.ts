/**
 * The webhooks settings pages over HTTP, with deliveries sent by the dispatcher to a real
 * receiver on 127.0.0.1: an endpoint added with its secret shown once, a delivery listed with its
 * attempts, replay of one and of every dead one, a disabled endpoint enabled again, rotation,
 * deletion, and the refusals (rule violations beside their fields, someone else's endpoint,
 * forged posts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WEBHOOK_EVENT_TYPES } from '../../src/events/outbox.ts';
import { drainAll } from '../helpers/dispatch.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { signInWeb, submit, tokenFor } from '../helpers/pages.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertForgeriesRefused, stateOf } from './settings-support.ts';

const PAGE = '/settings/webhooks';

let server: TestServer;
let receiver: Receiver;
let owner: Author;
let client: HttpClient;

before(async () => {
  server = await startTestServer({
    // One attempt: a failed delivery is dead at once.
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_DELIVERY_RETRY_SCHEDULE: '0' },
  });
  await makeAuthor(server, 'hooks_admin');
  owner = await makeAuthor(server, 'hook_owner');
  await makeAuthor(server, 'hook_stranger');
  receiver = await startReceiver();
  client = await signInWeb(server, 'hook_owner');
});
after(async () => {
  await receiver.close();
  await server.close();
});

const db = () => server.ctx.database.db;

function capture(text: string, pattern: RegExp): string {
  const found = pattern.exec(text)?.[1];
  assert.ok(found, `no match for ${pattern}`);
  return found;
}

/** Text as the page escaped it (`&#61;` for `=`), read back. */
const unescaped = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

const SECRET = /<code class="secret" id="new-secret">(whsec_[^<]+)<\/code>/;

/** Adds an endpoint through the form; returns its id and the secret the answer showed. */
async function addEndpoint(path: string, events = ['article.published']) {
  const url = receiver.url(path);
  const body = new URLSearchParams({ _csrf: await tokenFor(client, PAGE, PAGE), target_url: url });
  for (const e of events) body.append('events', e);
  const res = await client.post(PAGE, {
    body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(res.status, 200, res.text);
  const secret = unescaped(capture(res.text, SECRET));
  const row = await db()
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('target_url', '=', url)
    .executeTakeFirstOrThrow();
  return { id: row.id, url, secret, res };
}

async function publish(title: string) {
  await postArticle(server, owner, { title, body_markdown: `About ${title}.`, published: true });
  await drainAll(server);
}

const deliveryRows = (endpointId: number) =>
  db()
    .selectFrom('deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id')
    .execute();

function deliveryEntry(page: string, id: number): string {
  const found = new RegExp(
    `<article class="entry delivery" id="delivery-${id}"[\\s\\S]*?</article>`,
  ).exec(page);
  assert.ok(found, `delivery ${id} is on the page`);
  return found[0];
}

describe('endpoints and deliveries', () => {
  test('an endpoint is added with its secret shown once, and lists its deliveries with every attempt', async () => {
    receiver.enqueue({ status: 200, body: 'thanks from the receiver' });
    const { id, url, secret, res } = await addEndpoint('/hooks/ok');
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    assert.match(res.text, /it will not be shown again/);
    const stored = await db()
      .selectFrom('webhook_endpoints')
      .select('secret')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.secret, secret);
    const list = await client.get(PAGE);
    assert.ok(!list.text.includes(secret), 'the secret is not shown again');
    assert.doesNotMatch(list.text, /whsec_/);
    assert.match(list.text, new RegExp(`<h3 id="endpoint-${id}-url" class="url">${url}</h3>`));
    assert.match(list.text, /<dd><code>article.published<\/code><\/dd>/);
    assert.match(
      list.text,
      new RegExp(`<a href="/settings/webhooks/${id}" class="button secondary">Deliveries</a>`),
    );

    await publish('First light');
    assert.equal(receiver.hits('/hooks/ok').length, 1);
    const [delivery] = await deliveryRows(id);
    assert.ok(delivery);
    const page = await client.get(`${PAGE}/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Deliveries<\/h1>/);
    const entry = deliveryEntry(page.text, delivery.id);
    assert.match(entry, /<code>article.published<\/code>/);
    assert.match(entry, /class="status-succeeded">succeeded</);
    assert.match(entry, /<dt>Attempts<\/dt><dd>1<\/dd>/);
    assert.match(entry, /<dt>Last response<\/dt><dd>200<\/dd>/);
    assert.match(entry, /<dt>Next attempt<\/dt><dd><span class="muted">None<\/span><\/dd>/);
    assert.match(entry, /<td>succeeded<\/td>\s*<td>200<\/td>\s*<td>\d+ ms<\/td>/);
    assert.match(entry, /<pre class="response">thanks from the receiver<\/pre>/);

    const replay = await submit(
      client,
      `${PAGE}/${id}`,
      `${PAGE}/${id}/deliveries/${delivery.id}/replay`,
      {},
    );
    assert.equal(replay.status, 303, replay.text);
    assert.equal(
      replay.headers.get('location'),
      `${PAGE}/${id}?done=replayed#delivery-${delivery.id}`,
    );
    const [queued] = await deliveryRows(id);
    assert.equal(queued?.status, 'pending', 'queued again');
    assert.equal(queued?.attempts, 0);
    const pending = await client.get(`${PAGE}/${id}?done=replayed`);
    assert.match(pending.text, /role="status">Delivery queued to be sent again/);
    const pendingEntry = deliveryEntry(pending.text, delivery.id);
    assert.match(pendingEntry, /class="status-pending">pending</);
    assert.match(pendingEntry, /<dt>Next attempt<\/dt><dd><time datetime=/);
    assert.match(pendingEntry, /thanks from the receiver/, 'earlier attempts stay in the log');

    await drainAll(server);
    const hits = receiver.hits('/hooks/ok');
    assert.equal(hits.length, 2, 'sent again');
    assert.equal(hits[1]?.headers['webhook-id'], hits[0]?.headers['webhook-id']);
    const again = deliveryEntry((await client.get(`${PAGE}/${id}`)).text, delivery.id);
    assert.equal((again.match(/<td>succeeded<\/td>/g) ?? []).length, 2, 'both attempts listed');
  });

  test('"Replay all dead" queues every dead delivery again', async () => {
    const { id } = await addEndpoint('/hooks/failing');
    receiver.answerWith((r) => ({ status: r.path === '/hooks/failing' ? 500 : 200, body: 'boom' }));
    await publish('Into the void');
    await publish('Still nothing');
    const dead = await deliveryRows(id);
    assert.deepEqual(
      dead.map((d) => d.status),
      ['dead', 'dead'],
    );
    const page = await client.get(`${PAGE}/${id}`);
    for (const d of dead) {
      const entry = deliveryEntry(page.text, d.id);
      assert.match(entry, /class="status-dead">dead</);
      assert.match(entry, /<td>500<\/td>/);
      assert.match(entry, /<pre class="response">boom<\/pre>/);
    }
    const res = await submit(client, `${PAGE}/${id}`, `${PAGE}/${id}/replay_dead`, {});
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${PAGE}/${id}?replayed=2`);
    assert.deepEqual(
      (await deliveryRows(id)).map((d) => d.status),
      ['pending', 'pending'],
    );
    const after = await client.get(`${PAGE}/${id}?replayed=2`);
    assert.match(after.text, /role="status">2 dead deliveries queued to be sent again/);
    receiver.answerWith({ status: 200 });
    await drainAll(server);
    assert.deepEqual(
      (await deliveryRows(id)).map((d) => d.status),
      ['succeeded', 'succeeded'],
    );
  });

  test('an endpoint disabled by a 410 shows why, and is enabled again', async () => {
    const { id } = await addEndpoint('/hooks/gone');
    receiver.answerWith((r) => ({ status: r.path === '/hooks/gone' ? 410 : 200 }));
    await publish('Anyone there');
    receiver.answerWith({ status: 200 });
    const page = await client.get(PAGE);
    const notice = capture(
      page.text,
      new RegExp(`(<div class="warning" id="endpoint-${id}-disabled">[\\s\\S]*?</div>)`),
    );
    assert.match(notice, /<strong>Disabled<\/strong>/);
    assert.match(notice, /The endpoint answered 410 Gone/);
    assert.match(notice, new RegExp(`action="/settings/webhooks/${id}/enable"`));
    const res = await submit(client, PAGE, `${PAGE}/${id}/enable`, {});
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${PAGE}?done=enabled`);
    const row = await db()
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.disabled_at, null);
    const enabled = await client.get(`${PAGE}?done=enabled`);
    assert.match(enabled.text, /role="status">Endpoint enabled/);
    assert.doesNotMatch(enabled.text, new RegExp(`id="endpoint-${id}-disabled"`));
  });

  test('rotation shows the new secret once; deletion removes the endpoint', async () => {
    const { id, secret } = await addEndpoint('/hooks/rotating');
    const res = await submit(client, PAGE, `${PAGE}/${id}/rotate`, {});
    assert.equal(res.status, 200, res.text);
    const fresh = unescaped(capture(res.text, SECRET));
    assert.notEqual(fresh, secret);
    assert.match(res.text, /role="status">New secret made/);
    const row = await db()
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.secret, fresh);
    assert.equal(row.previous_secret, secret);

    const deleted = await submit(client, PAGE, `${PAGE}/${id}/delete`, {});
    assert.equal(deleted.status, 303);
    assert.equal(deleted.headers.get('location'), `${PAGE}?done=deleted`);
    const gone = await db()
      .selectFrom('webhook_endpoints')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    assert.equal(gone, undefined);
    assert.equal((await client.get(`${PAGE}/${id}`)).status, 404);
  });

  test('deliveries are listed 20 to a page, newest first', async () => {
    const { id } = await addEndpoint('/hooks/busy');
    for (let i = 1; i <= 21; i++) {
      await postArticle(server, owner, { title: `Busy ${i}`, published: true });
    }
    await drainAll(server);
    const rows = await deliveryRows(id);
    assert.equal(rows.length, 21);
    const ids = (text: string) =>
      [...text.matchAll(/<article class="entry delivery" id="delivery-(\d+)"/g)].map((m) =>
        Number(m[1]),
      );
    const first = await client.get(`${PAGE}/${id}`);
    const newestFirst = rows.map((r) => r.id).reverse();
    assert.deepEqual(ids(first.text), newestFirst.slice(0, 20));
    assert.match(first.text, new RegExp(`rel="next" href="${PAGE}/${id}\\?page=2"`));
    assert.doesNotMatch(first.text, /rel="prev"/);
    const second = await client.get(`${PAGE}/${id}?page=2`);
    assert.deepEqual(ids(second.text), newestFirst.slice(20));
    assert.doesNotMatch(second.text, /rel="next"/);
    assert.match(second.text, new RegExp(`rel="prev" href="${PAGE}/${id}\\?page=1"`));
  });
});

describe('refusals', () => {
  test('rule violations show beside their fields with the input kept, and nothing is saved', async () => {
    const before = await stateOf(server);
    const badUrl = await submit(client, PAGE, PAGE, {
      target_url: 'ftp://hooks.example/x',
      events: 'article.published',
    });
    assert.equal(badUrl.status, 422);
    assert.match(badUrl.text, /id="f-target_url-error">Only http and https URLs are allowed/);
    assert.match(badUrl.text, /name="target_url" type="url" value="ftp:\/\/hooks.example\/x"/);
    assert.doesNotMatch(badUrl.text, /class="secret"/);

    const noEvents = await submit(client, PAGE, PAGE, { target_url: receiver.url('/hooks/x') });
    assert.equal(noEvents.status, 422);
    assert.match(noEvents.text, /id="f-events-error">Events can&#39;t be blank/);
    assert.match(
      noEvents.text,
      /<fieldset class="field events" aria-describedby="f-events-error">/,
    );
    assert.doesNotMatch(noEvents.text, /class="secret"/);

    const body = new URLSearchParams({
      _csrf: await tokenFor(client, PAGE, PAGE),
      target_url: 'not a url',
    });
    body.append('events', 'article.deleted');
    body.append('events', 'user.created');
    const kept = await client.post(PAGE, {
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(kept.status, 422);
    assert.match(kept.text, /id="f-target_url-error">/);
    assert.doesNotMatch(kept.text, /id="f-events-error"/);
    for (const type of WEBHOOK_EVENT_TYPES) {
      const checked = type === 'article.deleted' || type === 'user.created';
      const box = capture(
        kept.text,
        new RegExp(`(<input type="checkbox" [^>]*value="${type}"[^>]*>)`),
      );
      assert.equal(box.includes(' checked'), checked, type);
    }

    const unknown = await submit(client, PAGE, PAGE, {
      target_url: receiver.url('/hooks/x'),
      events: 'article.created',
    });
    assert.equal(unknown.status, 422);
    assert.match(unknown.text, /id="f-events-error">Unknown event type/);
    assert.deepEqual(await stateOf(server), before);
  });

  test("someone else's endpoint and deliveries are not found, and nothing changes", async () => {
    const { id } = await addEndpoint('/hooks/private');
    await publish('Private matters');
    const [delivery] = await deliveryRows(id);
    assert.ok(delivery);
    const stranger = await signInWeb(server, 'hook_stranger');
    const before = await stateOf(server);
    assert.equal((await stranger.get(`${PAGE}/${id}`)).status, 404);
    assert.doesNotMatch((await stranger.get(PAGE)).text, /hooks\/private/);
    const token = await tokenFor(stranger, PAGE, PAGE);
    for (const action of [
      `${PAGE}/${id}/delete`,
      `${PAGE}/${id}/rotate`,
      `${PAGE}/${id}/enable`,
      `${PAGE}/${id}/replay_dead`,
      `${PAGE}/${id}/deliveries/${delivery.id}/replay`,
    ]) {
      const res = await stranger.post(action, { form: { _csrf: token } });
      assert.equal(res.status, 404, action);
      assert.doesNotMatch(res.text, /whsec_/);
    }
    // Nor does a delivery of another endpoint replay under one's own.
    const own = await theirsEndpoint(stranger);
    const crossed = await stranger.post(`${PAGE}/${own}/deliveries/${delivery.id}/replay`, {
      form: { _csrf: token },
    });
    assert.equal(crossed.status, 404);
    const { webhook_endpoints: _added, ...rest } = await stateOf(server);
    const { webhook_endpoints: _before, ...restBefore } = before;
    assert.deepEqual(rest, restBefore);
  });

  test('forged posts are refused', async () => {
    const { id } = await addEndpoint('/hooks/forgery');
    await publish('Forgery target');
    const [delivery] = await deliveryRows(id);
    assert.ok(delivery);
    await assertForgeriesRefused(server, client, PAGE, PAGE, {
      target_url: receiver.url('/hooks/forged'),
      events: 'article.published',
    });
    for (const action of ['delete', 'rotate']) {
      await assertForgeriesRefused(server, client, PAGE, `${PAGE}/${id}/${action}`, {});
    }
    // An enabled endpoint offers no Enable button: the page's other token is as good.
    await assertForgeriesRefused(server, client, PAGE, `${PAGE}/${id}/enable`, {}, PAGE);
    const deliveries = `${PAGE}/${id}`;
    await assertForgeriesRefused(server, client, deliveries, `${deliveries}/replay_dead`, {});
    const replay = `${deliveries}/deliveries/${delivery.id}/replay`;
    await assertForgeriesRefused(server, client, deliveries, replay, {});
  });
});

/** An endpoint of the signed-in stranger, made through the form; its id. */
async function theirsEndpoint(stranger: HttpClient): Promise<number> {
  const url = receiver.url('/hooks/stranger');
  const res = await submit(stranger, PAGE, PAGE, { target_url: url, events: 'user.created' });
  assert.equal(res.status, 200, res.text);
  const row = await db()
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('target_url', '=', url)
    .executeTakeFirstOrThrow();
  return row.id;
}
