/**
 * What a receiver gets, with the dispatcher running as in `quire serve`: each webhook event
 * within a second of the write that made it, signed per Standard Webhooks, its body the outbox
 * payload `{type, timestamp, data}` with the article or user as the API shows it; and only the
 * events the endpoint's owner may hear of.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { newestEventId } from '../../src/events/events.repository.ts';
import { WEBHOOK_EVENT_TYPES } from '../../src/events/outbox.ts';
import { messageId } from '../../src/modules/webhooks/webhook-dispatch.ts';
import { dialect } from '../helpers/database.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { type Receiver, type ReceivedRequest, startReceiver } from '../helpers/receiver.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createHook, deliveriesOf, eventsOfType, type Hook, verified } from './support.ts';

/** The product promise: a receiver hears of a change within a second. */
const PROMISED_MS = 1000;

let server: TestServer;
let receiver: Receiver;
let admin: Author;
let author: Author;
let adminHook: Hook;
let authorHook: Hook;
const latencies: Record<string, number> = {};

before(async () => {
  server = await startTestServer({ env: { QUIRE_ALLOW_PRIVATE_URLS: '1' }, dispatcher: true });
  receiver = await startReceiver();
  admin = await makeAuthor(server, 'hooks_admin', { admin: true });
  author = await makeAuthor(server, 'hooks_author');
  // Endpoints hear of events from their creation on; a later stamp keeps the accounts' own
  // user.created events out of this file's counts.
  server.clock.advance(1000);
  adminHook = await createHook(server, admin, receiver.url('/admin'));
  authorHook = await createHook(server, author, receiver.url('/author'));
});
after(async () => {
  await server.close();
  await receiver.close();
});

/** Webhook events appended after event `afterId`, oldest first. */
async function newEvents(afterId: number) {
  const rows = await eventsOfType(server, WEBHOOK_EVENT_TYPES);
  return rows.filter((e) => Number(e.id) > afterId);
}

/**
 * Runs a write, then waits for every webhook event it appended to reach `path`; returns those
 * requests in event order with each one's latency from the write's completion.
 */
async function writeAndReceive(path: string, write: () => Promise<unknown>) {
  const before = await newestEventId(server.ctx.database.db);
  server.clock.advance(1000);
  await write();
  const done = performance.now();
  const events = await newEvents(before);
  assert.ok(events.length > 0, 'the write appended webhook events');
  const wanted = new Set(events.map((e) => messageId(Number(e.id))));
  const got = await receiver.waitFor(wanted.size, {
    path,
    where: (r) => wanted.has(r.headers['webhook-id'] ?? ''),
    timeoutMs: 5000,
  });
  const byId = new Map(got.map((r) => [r.headers['webhook-id'], r]));
  return events.map((event) => {
    const request = byId.get(messageId(Number(event.id))) as ReceivedRequest;
    return { event, request, latency: request.arrivedAt - done };
  });
}

function assertPromptly(type: string, latency: number) {
  latencies[type] = Math.round(latency);
  assert.ok(
    latency < PROMISED_MS,
    `${type} arrived ${Math.round(latency)} ms after the write; the promise is under ${PROMISED_MS} ms`,
  );
}

let article: Record<string, any>;

test('a published article reaches the receiver within a second, signed, as the API shows it', async () => {
  const [delivered, ...rest] = await writeAndReceive('/admin', async () => {
    article = await postArticle(server, author, {
      title: 'Hooked on events',
      body_markdown: 'A *signed* body.',
      tags: ['webhooks'],
      published: true,
    });
  });
  assert.equal(rest.length, 0, 'article.created is not a webhook event; only the publish is');
  assert.ok(delivered);
  assertPromptly('article.published', delivered.latency);
  const { request, event } = delivered;
  const [payload] = verified([request], adminHook.secret);
  const shown = await server.client().get(`/api/articles/${article.id}`);
  assert.deepEqual(payload, {
    type: 'article.published',
    timestamp: server.clock.now().toISOString(),
    data: shown.json(),
  });
  assert.equal(request.method, 'POST');
  assert.equal(request.body, event.payload, 'the body is the outbox payload, byte for byte');
  assert.equal(request.headers['webhook-id'], `msg_${event.id}`);
  assert.equal(request.headers['content-type'], 'application/json');
  assert.equal(request.headers['user-agent'], 'Quire-Webhooks/1.0');
  assert.equal(payload?.data.body_markdown, 'A *signed* body.');
  assert.match(String(payload?.data.body_html), /<em>signed<\/em>/);
  // The creation, which no webhook hears, is stored with the article but not its body again.
  const created = await server.ctx.database.db
    .selectFrom('events')
    .select('payload')
    .where('type', '=', 'article.created')
    .where('subject', '=', `article:${article.id}`)
    .executeTakeFirstOrThrow();
  const { data } = JSON.parse(created.payload);
  assert.equal(data.id, article.id);
  assert.equal(data.title, 'Hooked on events');
  assert.equal(data.body_html, undefined);
  assert.equal(data.body_markdown, undefined);
});

test('an edit is delivered as article.updated with the edited article', async () => {
  const [delivered] = await writeAndReceive('/admin', async () => {
    const res = await server.client().put(`/api/articles/${article.id}`, {
      key: author.key,
      json: { article: { title: 'Hooked, edited' } },
    });
    assert.equal(res.status, 200, res.text);
  });
  assert.ok(delivered);
  assertPromptly('article.updated', delivered.latency);
  const [payload] = verified([delivered.request], adminHook.secret);
  const shown = await server.client().get(`/api/articles/${article.id}`);
  assert.deepEqual(payload, {
    type: 'article.updated',
    timestamp: server.clock.now().toISOString(),
    data: shown.json(),
  });
  assert.equal(payload?.data.title, 'Hooked, edited');
});

test('unpublishing is delivered as article.unpublished', async () => {
  let shown: Record<string, any> = {};
  const delivered = await writeAndReceive('/admin', async () => {
    const res = await server.client().put(`/api/articles/${article.id}`, {
      key: author.key,
      json: { article: { published: false } },
    });
    assert.equal(res.status, 200, res.text);
    shown = res.json();
  });
  const unpublished = delivered.find((d) => d.event.type === 'article.unpublished');
  assert.ok(unpublished, `article.unpublished among ${delivered.map((d) => d.event.type).join()}`);
  assertPromptly('article.unpublished', unpublished.latency);
  const payloads = verified(
    delivered.map((d) => d.request),
    adminHook.secret,
  );
  const payload = payloads.find((p) => p.type === 'article.unpublished');
  assert.deepEqual(payload, {
    type: 'article.unpublished',
    timestamp: server.clock.now().toISOString(),
    data: shown,
  });
});

test('deleting is delivered as article.deleted, without the body', async () => {
  const [delivered] = await writeAndReceive('/admin', async () => {
    const res = await server.client().delete(`/api/articles/${article.id}`, { key: author.key });
    assert.equal(res.status, 204, res.text);
  });
  assert.ok(delivered);
  assertPromptly('article.deleted', delivered.latency);
  const [payload] = verified([delivered.request], adminHook.secret);
  assert.equal(payload?.type, 'article.deleted');
  assert.equal(payload?.timestamp, server.clock.now().toISOString());
  const data = payload?.data ?? {};
  assert.equal(data.id, article.id);
  assert.equal(data.title, 'Hooked, edited');
  assert.equal(data.published, false);
  assert.equal('body_markdown' in data, false, 'no Markdown body');
  assert.equal('body_html' in data, false, 'no HTML body');
});

test("user.created reaches an administrator's endpoint and no one else's", async () => {
  let newcomer: Author | undefined;
  const [delivered] = await writeAndReceive('/admin', async () => {
    newcomer = await makeAuthor(server, 'hooks_newcomer');
  });
  assert.ok(delivered && newcomer);
  assertPromptly('user.created', delivered.latency);
  const [payload] = verified([delivered.request], adminHook.secret);
  const shown = await server.client().get(`/api/users/${newcomer.id}`);
  assert.deepEqual(payload, {
    type: 'user.created',
    timestamp: server.clock.now().toISOString(),
    data: shown.json(),
  });
  // Both endpoints were considered in the same fan-out, which is done by now.
  const authorDeliveries = await deliveriesOf(server, authorHook.id);
  assert.deepEqual(
    authorDeliveries.filter((d) => d.event_type === 'user.created'),
    [],
    "another account's user.created is not for an author's endpoint",
  );
  assert.equal(
    receiver
      .hits('/author')
      .filter((r) => r.headers['webhook-id'] === delivered.request.headers['webhook-id']).length,
    0,
  );
});

test("an author's endpoint hears of the author's own articles, and not of others'", async () => {
  const other = await makeAuthor(server, 'hooks_other');
  const own = await writeAndReceive('/admin', () =>
    postArticle(server, author, { title: 'Mine', published: true }),
  );
  const foreign = await writeAndReceive('/admin', () =>
    postArticle(server, other, { title: 'Not mine', published: true }),
  );
  // The administrator's copies have arrived, so the fan-out of both events is done.
  const ownId = own[0]?.request.headers['webhook-id'];
  const foreignId = foreign[0]?.request.headers['webhook-id'];
  const toAuthor = (await deliveriesOf(server, authorHook.id)).map((d) => d.message_id);
  assert.ok(ownId && foreignId && ownId !== foreignId);
  assert.ok(toAuthor.includes(ownId), "the author's endpoint has the author's article");
  assert.ok(!toAuthor.includes(foreignId), "and not another author's");
  const [got] = await receiver.waitFor(1, {
    path: '/author',
    where: (r) => r.headers['webhook-id'] === ownId,
  });
  assert.ok(got);
  const [payload] = verified([got], authorHook.secret);
  assert.equal(payload?.type, 'article.published');
  assert.equal(payload?.data.title, 'Mine');
});

test(
  'a write transaction left open elsewhere on the cluster does not hold deliveries back',
  {
    skip: dialect !== 'postgres' && 'SQLite has no other transactions to wait for',
  },
  async (t) => {
    const other = new pg.Client({ connectionString: process.env.QUIRE_TEST_PG_URL });
    await other.connect();
    await other.query('begin');
    await other.query('select pg_current_xact_id()');
    let open = true;
    const release = async () => {
      if (!open) return;
      open = false;
      await other.query('commit');
      await other.end();
    };
    t.after(release);
    const before = await newestEventId(server.ctx.database.db);
    server.clock.advance(1000);
    await postArticle(server, author, { title: 'Not held back', published: true });
    const done = performance.now();
    const [event] = await newEvents(before);
    assert.ok(event);
    const id = messageId(Number(event.id));
    const arrived = receiver.waitFor(1, {
      path: '/admin',
      where: (r) => r.headers['webhook-id'] === id,
      timeoutMs: PROMISED_MS + 500,
    });
    const [request] = await arrived.catch(async (error: unknown) => {
      // Let it through, so the rest of the file is not disturbed, then fail.
      await release();
      server.dispatcher.wake();
      await receiver.waitFor(1, { path: '/admin', where: (r) => r.headers['webhook-id'] === id });
      throw error;
    });
    assert.ok(request);
    assertPromptly('article.published with a transaction open', request.arrivedAt - done);
  },
);

test('every request the receiver got carries a valid signature of its endpoint', (t) => {
  const toAdmin = receiver.hits('/admin');
  const toAuthor = receiver.hits('/author');
  assert.ok(toAdmin.length >= 5);
  assert.equal(verified(toAdmin, adminHook.secret).length, toAdmin.length);
  assert.equal(verified(toAuthor, authorHook.secret).length, toAuthor.length);
  assert.equal(receiver.requests.length, toAdmin.length + toAuthor.length);
  t.diagnostic(`latency from write to arrival (ms): ${JSON.stringify(latencies)}`);
});
