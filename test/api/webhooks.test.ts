/**
 * The webhooks API: endpoints in Forem's shape with a secret shown once, rotation that signs with
 * both secrets for a day, re-enabling, the delivery log with every attempt, replay of one
 * delivery or of a status in a time window with the same webhook-id, and the refusals: 401
 * without a caller, 404 for someone else's, 422 for bad input with nothing stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_EVENT_TYPES } from '../../src/events/outbox.ts';
import { assertProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { drainAll, type Received, type Sink, startSink } from './webhook-support.ts';

const START = '2026-03-01T12:00:00.000Z';
/** Two attempts: at once, then a minute (up to 10% more) later; then the delivery is dead. */
const RETRY = 60_000;

let server: TestServer;
let sink: Sink;
/** Hears every account's events, so its endpoints get deliveries. */
let admin: Author;
let alice: Author;
let bob: Author;
let http: HttpClient;

before(async () => {
  server = await startTestServer({
    now: START,
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_DELIVERY_RETRY_SCHEDULE: '0,60' },
  });
  admin = await makeAuthor(server, 'hook_admin', { admin: true });
  alice = await makeAuthor(server, 'hook_alice');
  bob = await makeAuthor(server, 'hook_bob');
  sink = await startSink();
  http = server.client();
});
after(async () => {
  await server.close();
  await sink.close();
});

type Json = Record<string, any>;

async function createHook(
  owner: Author,
  fields: Json = {},
): Promise<Json & { id: number; secret: string }> {
  const res = await http.post('/api/webhooks', {
    key: owner.key,
    json: {
      webhook_endpoint: {
        target_url: 'https://hooks.example.com/quire',
        events: ['article.published'],
        ...fields,
      },
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.json();
}

/** An administrator's endpoint on the sink, which hears every article published. */
async function sinkHook(path: string, events = ['article.published']) {
  return createHook(admin, { target_url: sink.url(path), source: path, events });
}

async function publish(title: string): Promise<Json> {
  return postArticle(server, admin, { title, body_markdown: `About ${title}.`, published: true });
}

async function deliveries(hookId: number, owner = admin, query = ''): Promise<Json[]> {
  const res = await http.get(`/api/webhooks/${hookId}/deliveries${query}`, { key: owner.key });
  assert.equal(res.status, 200, res.text);
  return res.json();
}

async function endpointCount(): Promise<number> {
  const row = await server.ctx.database.db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Runs every retry that is due after moving the clock past the retry delay. */
async function afterRetryDelay(): Promise<void> {
  server.clock.advance(RETRY * 1.1 + 1000);
  await drainAll(server);
}

/**
 * How many times the database told its listeners (the dispatchers) of a commit while `fn` ran:
 * what wakes a dispatcher at once instead of at its next poll.
 */
async function commitsHeardDuring(fn: () => Promise<unknown>): Promise<number> {
  let heard = 0;
  const stop = server.ctx.database.onEventsCommitted(() => heard++);
  try {
    await fn();
  } finally {
    stop();
  }
  return heard;
}

const headersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

const verifies = (secret: string, body: string, headers: Record<string, string>) => {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
};

describe('endpoints', () => {
  test('created with 201 in Forem shape; the secret is in that answer and never again', async () => {
    const before = server.clock.now().toISOString();
    const res = await http.post('/api/webhooks', {
      key: alice.key,
      json: {
        webhook_endpoint: {
          target_url: 'https://hooks.example.com/alice',
          source: 'Zapier',
          events: ['article.published', 'article.deleted', 'article.published'],
        },
      },
    });
    assert.equal(res.status, 201, res.text);
    const created = res.json();
    assert.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(res.headers.get('location'), `${server.url}/api/webhooks/${created.id}`);
    const shown = {
      type_of: 'webhook_endpoint',
      id: created.id,
      source: 'Zapier',
      target_url: 'https://hooks.example.com/alice',
      events: ['article.published', 'article.deleted'],
      created_at: before,
      user: {
        name: 'hook_alice',
        username: 'hook_alice',
        twitter_username: null,
        github_username: null,
        user_id: alice.id,
        website_url: null,
        profile_image: `${server.url}/avatar/hook_alice.svg`,
        profile_image_90: `${server.url}/avatar/hook_alice.svg`,
      },
      disabled_at: null,
      disabled_reason: null,
      failing_since: null,
    };
    assert.deepEqual(created, { ...shown, secret: created.secret });

    const one = await http.get(`/api/webhooks/${created.id}`, { key: alice.key });
    assert.equal(one.status, 200);
    assert.deepEqual(one.json(), shown);
    const list = await http.get('/api/webhooks', { key: alice.key });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json(), [shown]);
    for (const text of [one.text, list.text]) {
      assert.ok(!text.includes(created.secret), 'the secret is shown again');
      assert.ok(!text.includes('whsec_'), 'a secret is shown again');
    }
    // A missing source is Quire.
    const plain = await createHook(alice, { source: undefined });
    assert.equal(plain.source, 'Quire');
    assert.notEqual(plain.secret, created.secret);
  });

  test('a session cookie works as well as a key; without either, every route is a 401', async () => {
    const browser = server.client();
    const signup = await browser.post('/api/auth/signup', {
      json: {
        username: 'hook_cookie',
        email: 'hook_cookie@example.test',
        password: 'long-password',
      },
    });
    assert.equal(signup.status, 201, signup.text);
    const made = await browser.post('/api/webhooks', {
      json: {
        webhook_endpoint: { target_url: 'https://hooks.example.com/c', events: ['user.created'] },
      },
    });
    assert.equal(made.status, 201, made.text);
    const listed = await browser.get('/api/webhooks');
    assert.deepEqual(
      listed.json().map((e: Json) => e.id),
      [made.json().id],
    );

    const id = made.json().id;
    const routes: Array<[string, string]> = [
      ['GET', '/api/webhooks'],
      ['POST', '/api/webhooks'],
      ['GET', `/api/webhooks/${id}`],
      ['DELETE', `/api/webhooks/${id}`],
      ['POST', `/api/webhooks/${id}/rotate_secret`],
      ['POST', `/api/webhooks/${id}/enable`],
      ['GET', `/api/webhooks/${id}/deliveries`],
      ['POST', `/api/webhooks/${id}/deliveries/1/replay`],
      ['POST', `/api/webhooks/${id}/replay`],
    ];
    for (const [method, path] of routes) {
      const anonymous = await server.client().request(method, path);
      assertProblem(anonymous, { status: 401, code: 'unauthorized' });
      const wrongKey = await server.client().request(method, path, { key: 'quire_not-a-key' });
      assertProblem(wrongKey, { status: 401, code: 'unauthorized' });
    }
    const still = await browser.get(`/api/webhooks/${id}`);
    assert.equal(still.status, 200, 'nothing was deleted');
  });

  test("someone else's endpoint and its deliveries are 404, exactly like missing ones", async () => {
    const hook = await sinkHook('/private');
    await publish('Private matters');
    await drainAll(server);
    const [delivery] = await deliveries(hook.id);
    assert.ok(delivery, 'the owner sees the delivery');
    const missing = 9_999_999;
    const pairs: Array<[string, string, string]> = [
      ['GET', `/api/webhooks/${hook.id}`, `/api/webhooks/${missing}`],
      ['DELETE', `/api/webhooks/${hook.id}`, `/api/webhooks/${missing}`],
      ['POST', `/api/webhooks/${hook.id}/rotate_secret`, `/api/webhooks/${missing}/rotate_secret`],
      ['POST', `/api/webhooks/${hook.id}/enable`, `/api/webhooks/${missing}/enable`],
      ['GET', `/api/webhooks/${hook.id}/deliveries`, `/api/webhooks/${missing}/deliveries`],
      [
        'POST',
        `/api/webhooks/${hook.id}/deliveries/${delivery.id}/replay`,
        `/api/webhooks/${missing}/deliveries/${delivery.id}/replay`,
      ],
      ['POST', `/api/webhooks/${hook.id}/replay`, `/api/webhooks/${missing}/replay`],
    ];
    for (const [method, theirs, nobodys] of pairs) {
      const a = await http.request(method, theirs, { key: bob.key });
      const b = await http.request(method, nobodys, { key: bob.key });
      assertProblem(a, { status: 404, code: 'not_found' });
      assert.equal(a.text, b.text, `${method} ${theirs} tells apart someone else's from none`);
    }
    // A delivery of another endpoint is not found under one's own endpoint either.
    const own = await createHook(bob);
    assertProblem(
      await http.post(`/api/webhooks/${own.id}/deliveries/${delivery.id}/replay`, { key: bob.key }),
      { status: 404, code: 'not_found' },
    );
    const listed = await http.get('/api/webhooks', { key: bob.key });
    assert.deepEqual(
      listed.json().map((e: Json) => e.id),
      [own.id],
    );

    const row = await server.ctx.database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', hook.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.secret, hook.secret, 'not rotated');
    const after = await deliveries(hook.id);
    assert.equal(after[0]?.status, 'succeeded', 'not replayed');
    await http.delete(`/api/webhooks/${hook.id}`, { key: admin.key });
  });

  test('ids that are not positive whole numbers, or too large, are 404', async () => {
    for (const path of [
      '/api/webhooks/abc',
      '/api/webhooks/0',
      '/api/webhooks/-1',
      '/api/webhooks/1.5',
      '/api/webhooks/99999999999999999999',
      '/api/webhooks/1/deliveries/abc/replay',
      '/api/webhooks/99999999999999999999/deliveries',
    ]) {
      const method = path.endsWith('/replay') ? 'POST' : 'GET';
      assertProblem(await http.request(method, path, { key: alice.key }), {
        status: 404,
        code: 'not_found',
      });
    }
  });

  test('DELETE answers 204 and takes the deliveries with it', async () => {
    const hook = await sinkHook('/deleted');
    await publish('Soon forgotten');
    await drainAll(server);
    assert.equal((await deliveries(hook.id)).length, 1);
    const res = await http.delete(`/api/webhooks/${hook.id}`, { key: admin.key });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assertProblem(await http.get(`/api/webhooks/${hook.id}`, { key: admin.key }), {
      status: 404,
      code: 'not_found',
    });
    const left = await server.ctx.database.db
      .selectFrom('deliveries')
      .select('id')
      .where('endpoint_id', '=', hook.id)
      .execute();
    assert.deepEqual(left, []);
    assertProblem(await http.delete(`/api/webhooks/${hook.id}`, { key: admin.key }), {
      status: 404,
      code: 'not_found',
    });
  });
});

describe('bad input is a 4xx and stores nothing', () => {
  const post = (json: unknown, key = alice.key) => http.post('/api/webhooks', { key, json });
  const valid = { target_url: 'https://hooks.example.com/x', events: ['article.published'] };

  test('missing and mistyped fields are 422 naming the field', async () => {
    const before = await endpointCount();
    const cases: Array<[unknown, string]> = [
      [{}, 'webhook_endpoint'],
      [{ webhook_endpoint: { events: ['article.published'] } }, 'webhook_endpoint.target_url'],
      [{ webhook_endpoint: { target_url: valid.target_url } }, 'webhook_endpoint.events'],
      [
        { webhook_endpoint: { ...valid, events: { type: 'article.published' } } },
        'webhook_endpoint.events',
      ],
      [
        { webhook_endpoint: { ...valid, target_url: { href: valid.target_url } } },
        'webhook_endpoint.target_url',
      ],
      [
        { webhook_endpoint: { ...valid, events: Array(51).fill('user.created') } },
        'webhook_endpoint.events',
      ],
      [{ webhook_endpoint: { ...valid, source: 'x'.repeat(101) } }, 'source'],
      [{ webhook_endpoint: { ...valid, events: [] } }, 'events'],
      [{ webhook_endpoint: { ...valid, target_url: 'not a url' } }, 'target_url'],
      [{ webhook_endpoint: { ...valid, target_url: 'ftp://hooks.example.com/' } }, 'target_url'],
      [
        { webhook_endpoint: { ...valid, target_url: 'https://u:p@hooks.example.com/' } },
        'target_url',
      ],
      [
        { webhook_endpoint: { ...valid, target_url: `https://e.com/${'a'.repeat(2100)}` } },
        'webhook_endpoint.target_url',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      assertProblem(res, { status: 422, code: 'validation_failed', field });
    }
    assert.equal(await endpointCount(), before);
  });

  test('an unknown event type is refused, naming every allowed one', async () => {
    const before = await endpointCount();
    const res = await post({
      webhook_endpoint: { ...valid, events: ['article.published', 'article_created'] },
    });
    const body = assertProblem(res, { status: 422, code: 'validation_failed', field: 'events' });
    assert.match(body.errors[0].message, /"article_created"/);
    for (const type of WEBHOOK_EVENT_TYPES) assert.ok(body.detail.includes(type), type);
    for (const internal of ['article.created', 'site.updated']) {
      const refused = await post({ webhook_endpoint: { ...valid, events: [internal] } });
      assertProblem(refused, { status: 422, code: 'validation_failed', field: 'events' });
    }
    assert.equal(await endpointCount(), before);
  });

  test('plain http and private or loopback targets are refused unless QUIRE_ALLOW_PRIVATE_URLS=1', async () => {
    const strict = await startTestServer();
    try {
      const owner = await makeAuthor(strict, 'strict_owner');
      const client = strict.client();
      for (const target of [
        'http://hooks.example.com/quire',
        'https://127.0.0.1/hook',
        'https://10.1.2.3/hook',
        'https://192.168.0.10/hook',
        'https://[::1]/hook',
        'https://localhost/hook',
        'https://169.254.169.254/latest',
      ]) {
        const res = await client.post('/api/webhooks', {
          key: owner.key,
          json: { webhook_endpoint: { target_url: target, events: ['article.published'] } },
        });
        assertProblem(res, { status: 422, code: 'validation_failed', field: 'target_url' });
      }
      const stored = await strict.ctx.database.db
        .selectFrom('webhook_endpoints')
        .select('id')
        .execute();
      assert.deepEqual(stored, []);
      const ok = await client.post('/api/webhooks', {
        key: owner.key,
        json: { webhook_endpoint: valid },
      });
      assert.equal(ok.status, 201, ok.text);
    } finally {
      await strict.close();
    }
    // With the flag, loopback over http is fine (the rest of this file relies on it).
    const local = await post({
      webhook_endpoint: { ...valid, target_url: 'http://127.0.0.1:9/hook' },
    });
    assert.equal(local.status, 201, local.text);
    // Link-local addresses (cloud metadata) stay refused even then.
    assertProblem(
      await post({ webhook_endpoint: { ...valid, target_url: 'http://169.254.169.254/' } }),
      { status: 422, code: 'validation_failed', field: 'target_url' },
    );
  });

  test('malformed, oversized and non-JSON bodies: 400, 413, 415', async () => {
    const before = await endpointCount();
    const headers = { 'content-type': 'application/json' };
    assertProblem(
      await http.post('/api/webhooks', { key: alice.key, headers, body: '{"webhook' }),
      {
        status: 400,
        code: 'bad_request',
      },
    );
    const huge = JSON.stringify({
      webhook_endpoint: { ...valid, source: 'x'.repeat(3 * 1024 * 1024) },
    });
    assertProblem(await http.post('/api/webhooks', { key: alice.key, headers, body: huge }), {
      status: 413,
      code: 'payload_too_large',
    });
    assertProblem(
      await http.post('/api/webhooks', {
        key: alice.key,
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ webhook_endpoint: valid }),
      }),
      { status: 415, code: 'unsupported_media_type' },
    );
    assert.equal(await endpointCount(), before);
  });

  test('an account may have at most 20 endpoints', async () => {
    const owner = await makeAuthor(server, 'many_hooks');
    for (let i = 0; i < 20; i++) await createHook(owner);
    assertProblem(await post({ webhook_endpoint: valid }, owner.key), {
      status: 422,
      code: 'validation_failed',
      field: 'target_url',
    });
    assert.equal((await http.get('/api/webhooks', { key: owner.key })).json().length, 20);
  });

  test('simultaneous creates cannot pass the limit', async () => {
    const owner = await makeAuthor(server, 'racing_hooks');
    for (let i = 0; i < 17; i++) await createHook(owner);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post({ webhook_endpoint: valid }, owner.key)),
    );
    assert.equal(answers.filter((r) => r.status === 201).length, 3);
    assert.equal(answers.filter((r) => r.status === 422).length, 3);
    assert.equal((await http.get('/api/webhooks', { key: owner.key })).json().length, 20);
  });
});

describe('secrets', () => {
  test('rotation answers a new secret; for 24 hours deliveries carry a signature with each', async () => {
    const hook = await sinkHook('/rotated');
    const rotatedAt = server.clock.now();
    const res = await http.post(`/api/webhooks/${hook.id}/rotate_secret`, { key: admin.key });
    assert.equal(res.status, 200, res.text);
    const rotated = res.json();
    assert.match(rotated.secret, /^whsec_/);
    assert.notEqual(rotated.secret, hook.secret);
    assert.equal(
      rotated.previous_secret_expires_at,
      new Date(rotatedAt.getTime() + 24 * 3600_000).toISOString(),
    );
    assert.equal(rotated.id, hook.id);
    assert.equal(rotated.type_of, 'webhook_endpoint');
    const shown = await http.get(`/api/webhooks/${hook.id}`, { key: admin.key });
    assert.ok(!shown.text.includes('whsec_'), 'GET shows a secret');

    await publish('Signed twice');
    await drainAll(server);
    const [first] = await sink.waitFor('/rotated', 1);
    assert.ok(first);
    const headers = headersOf(first);
    const signatures = headers['webhook-signature'].split(' ');
    assert.equal(signatures.length, 2, headers['webhook-signature']);
    assert.ok(signatures.every((s) => s.startsWith('v1,')));
    assert.ok(verifies(rotated.secret, first.body, headers), 'the new secret verifies');
    assert.ok(verifies(hook.secret, first.body, headers), 'the old secret verifies');
    // Each signature belongs to one secret: the new one first, then the old one.
    const only = (signature: string) => ({ ...headers, 'webhook-signature': signature });
    const [byNew = '', byOld = ''] = signatures;
    assert.ok(verifies(rotated.secret, first.body, only(byNew)));
    assert.ok(!verifies(hook.secret, first.body, only(byNew)));
    assert.ok(verifies(hook.secret, first.body, only(byOld)));
    assert.ok(!verifies(rotated.secret, first.body, only(byOld)));

    server.clock.advance(24 * 3600_000 + 1000);
    await publish('Signed once');
    await drainAll(server);
    const [, second] = await sink.waitFor('/rotated', 2);
    assert.ok(second);
    const later = headersOf(second);
    assert.equal(later['webhook-signature'].split(' ').length, 1);
    assert.ok(verifies(rotated.secret, second.body, later));
    assert.ok(!verifies(hook.secret, second.body, later), 'the old secret has expired');
    await http.delete(`/api/webhooks/${hook.id}`, { key: admin.key });
  });
});

describe('deliveries', () => {
  test('the log shows each attempt: outcome, status, latency and the first 1 KB of the answer', async () => {
    const hook = await sinkHook('/flaky');
    const long = `${'é'.repeat(100)}${'x'.repeat(3000)}`;
    sink.answer('/flaky', { status: 500, body: long });
    const createdAt = server.clock.now().toISOString();
    const article = await publish('Eventually delivered');
    await drainAll(server);

    const [pending, ...others] = await deliveries(hook.id);
    assert.equal(others.length, 0);
    assert.ok(pending);
    const [request] = sink.to('/flaky');
    assert.ok(request);
    assert.match(pending.message_id, /^msg_\d+$/);
    assert.equal(request.headers['webhook-id'], pending.message_id);
    assert.equal(pending.event_type, 'article.published');
    assert.equal(pending.status, 'pending');
    assert.equal(pending.attempts, 1);
    assert.equal(pending.created_at, createdAt);
    assert.equal(pending.completed_at, null);
    assert.equal(pending.last_status_code, 500);
    const due = Date.parse(pending.next_attempt_at) - Date.parse(createdAt);
    assert.ok(due >= RETRY && due <= RETRY * 1.1 + 1, `next attempt in ${due} ms`);
    assert.equal(pending.attempt_log.length, 1);
    const failed = pending.attempt_log[0];
    assert.equal(failed.attempted_at, createdAt);
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.status_code, 500);
    assert.ok(Number.isInteger(failed.latency_ms) && failed.latency_ms >= 0, failed.latency_ms);
    const firstKilobyte = new TextDecoder().decode(Buffer.from(long).subarray(0, 1024));
    assert.equal(failed.response, firstKilobyte);
    assert.ok(Buffer.byteLength(failed.response) <= 1024);
    const payload = JSON.parse(request.body);
    assert.equal(payload.type, 'article.published');
    assert.equal(payload.timestamp, createdAt);
    assert.equal(payload.data.id, article.id);

    await afterRetryDelay();
    const [done] = await deliveries(hook.id);
    assert.ok(done);
    assert.equal(done.id, pending.id);
    assert.equal(done.status, 'succeeded');
    assert.equal(done.attempts, 2);
    assert.equal(done.next_attempt_at, null);
    assert.equal(done.completed_at, server.clock.now().toISOString());
    assert.equal(done.last_status_code, 200);
    assert.deepEqual(
      done.attempt_log.map((a: Json) => [a.outcome, a.status_code, a.response]),
      [
        ['failed', 500, firstKilobyte],
        ['succeeded', 200, 'ok'],
      ],
    );
    const [, retry] = sink.to('/flaky');
    assert.equal(retry?.headers['webhook-id'], pending.message_id, 'a retry keeps its webhook-id');
    await http.delete(`/api/webhooks/${hook.id}`, { key: admin.key });
  });

  test('filtered by status and paged, newest first; bad filters are 422', async () => {
    const hook = await sinkHook('/paged');
    sink.answer('/paged', { status: 503 });
    await publish('Paged one');
    await drainAll(server);
    server.clock.advance(1000);
    await publish('Paged two');
    await drainAll(server);
    server.clock.advance(1000);
    await publish('Paged three');
    await drainAll(server);

    const all = await deliveries(hook.id);
    assert.equal(all.length, 3);
    const ids = all.map((d) => d.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    const [, , oldest] = all;
    assert.equal(oldest?.status, 'pending');
    assert.equal(oldest?.attempt_log[0].outcome, 'throttled');
    assert.deepEqual(
      (await deliveries(hook.id, admin, '?status=pending')).map((d) => d.id),
      [oldest?.id],
    );
    assert.deepEqual(
      (await deliveries(hook.id, admin, '?status=succeeded')).map((d) => d.id),
      ids.slice(0, 2),
    );
    assert.deepEqual(await deliveries(hook.id, admin, '?status=dead'), []);
    assert.deepEqual(
      (await deliveries(hook.id, admin, '?per_page=1&page=2')).map((d) => d.id),
      [ids[1]],
    );
    assert.deepEqual(await deliveries(hook.id, admin, '?per_page=2&page=3'), []);

    const bad = (query: string) =>
      http.get(`/api/webhooks/${hook.id}/deliveries${query}`, { key: admin.key });
    const status = assertProblem(await bad('?status=failed'), {
      status: 422,
      code: 'validation_failed',
      field: 'status',
    });
    assert.match(status.detail, /pending, succeeded, dead/);
    assertProblem(await bad('?per_page=101'), {
      status: 422,
      code: 'validation_failed',
      field: 'per_page',
    });
    assertProblem(await bad('?per_page=0'), {
      status: 422,
      code: 'validation_failed',
      field: 'per_page',
    });
    assertProblem(await bad('?page=x'), { status: 422, code: 'validation_failed', field: 'page' });
    await http.delete(`/api/webhooks/${hook.id}`, { key: admin.key });
  });
});

describe('replay', () => {
  /** Publishes and lets the delivery die: two 500s. */
  async function deadDelivery(path: string, title: string): Promise<Json> {
    await publish(title);
    await drainAll(server);
    await afterRetryDelay();
    const [latest] = await deliveries((await hookAt(path)).id);
    assert.ok(latest);
    assert.equal(latest.status, 'dead', JSON.stringify({ latest, now: server.clock.now() }));
    assert.equal(latest.attempts, 2);
    return latest;
  }

  const hooks = new Map<string, Json & { id: number; secret: string }>();
  async function hookAt(path: string) {
    const known = hooks.get(path);
    if (known) return known;
    const hook = await sinkHook(path);
    hooks.set(path, hook);
    return hook;
  }

  test('one delivery: 202 with it queued again, then sent with the same webhook-id', async () => {
    const hook = await hookAt('/replay-one');
    sink.otherwise('/replay-one', { status: 500, body: 'down' });
    const dead = await deadDelivery('/replay-one', 'Replayed once');
    assert.equal(sink.to('/replay-one').length, 2);
    assert.equal(dead.completed_at, server.clock.now().toISOString());

    sink.otherwise('/replay-one', { status: 204 });
    const res = await http.post(`/api/webhooks/${hook.id}/deliveries/${dead.id}/replay`, {
      key: admin.key,
    });
    assert.equal(res.status, 202, res.text);
    const queued = res.json();
    assert.equal(queued.id, dead.id);
    assert.equal(queued.message_id, dead.message_id);
    assert.equal(queued.status, 'pending');
    assert.equal(queued.attempts, 0);
    assert.equal(queued.next_attempt_at, server.clock.now().toISOString());
    assert.equal(queued.completed_at, null);
    assert.equal(queued.attempt_log.length, 2, 'earlier attempts stay in the log');

    await drainAll(server);
    const requests = sink.to('/replay-one');
    assert.equal(requests.length, 3);
    assert.equal(requests[2]?.headers['webhook-id'], dead.message_id);
    assert.equal(requests[2]?.body, requests[0]?.body, 'the same payload');
    const [after] = await deliveries(hook.id);
    assert.equal(after?.status, 'succeeded');
    assert.deepEqual(
      after?.attempt_log.map((a: Json) => a.status_code),
      [500, 500, 204],
    );
    assertProblem(
      await http.post(`/api/webhooks/${hook.id}/deliveries/9999999/replay`, { key: admin.key }),
      { status: 404, code: 'not_found' },
    );
  });

  test('dead deliveries created between since and until: 202 with the count, each sent again', async () => {
    const hook = await hookAt('/replay-many');
    sink.otherwise('/replay-many', { status: 500 });
    const first = await deadDelivery('/replay-many', 'Window one');
    server.clock.advance(3600_000);
    const second = await deadDelivery('/replay-many', 'Window two');
    server.clock.advance(3600_000);
    const third = await deadDelivery('/replay-many', 'Window three');
    server.clock.advance(3600_000);
    const sent = sink.to('/replay-many').length;
    assert.equal(sent, 6);

    sink.otherwise('/replay-many', { status: 200 });
    const replay = (query: string) =>
      http.post(`/api/webhooks/${hook.id}/replay${query}`, { key: admin.key });
    // The same instant as the second delivery's creation, written with a +01:00 offset.
    const since = `${new Date(Date.parse(second.created_at) + 3600_000).toISOString().slice(0, -1)}+01:00`;
    const res = await replay(
      `?status=dead&since=${encodeURIComponent(since)}&until=${encodeURIComponent(third.created_at)}`,
    );
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.json(), { replayed: 2 });

    await drainAll(server);
    const again = sink.to('/replay-many').slice(sent);
    assert.deepEqual(
      again.map((r) => r.headers['webhook-id']).sort(),
      [second.message_id, third.message_id].sort(),
    );
    const byId = new Map((await deliveries(hook.id)).map((d) => [d.id, d]));
    assert.equal(byId.get(first.id)?.status, 'dead');
    assert.equal(byId.get(second.id)?.status, 'succeeded');
    assert.equal(byId.get(third.id)?.status, 'succeeded');

    // Without a window every dead one goes: only the first is left.
    assert.deepEqual((await replay('')).json(), { replayed: 1 });
    await drainAll(server);
    assert.equal(sink.to('/replay-many').at(-1)?.headers['webhook-id'], first.message_id);
    assert.deepEqual((await replay('?status=dead')).json(), { replayed: 0 });
    // Succeeded ones can be sent again too.
    assert.deepEqual((await replay('?status=succeeded&until=2026-03-01')).json(), {
      replayed: 0,
    });
    assert.deepEqual((await replay('?status=succeeded')).json(), { replayed: 3 });
  });

  test('bad statuses and times are 422 naming the field, and replay nothing', async () => {
    const hook = await hookAt('/replay-bad');
    const replay = (query: string) =>
      http.post(`/api/webhooks/${hook.id}/replay${query}`, { key: admin.key });
    const cases: Array<[string, string, RegExp]> = [
      ['?status=pending', 'status', /dead, succeeded/],
      ['?status=everything', 'status', /dead, succeeded/],
      ['?since=yesterday', 'since', /ISO 8601/],
      ['?since=2026-02-30T00:00:00Z', 'since', /ISO 8601/],
      ['?since=2026-03-01T25:00:00Z', 'since', /ISO 8601/],
      ['?until=2026-03-01T12:00:00', 'until', /ISO 8601/],
      ['?until=1772366400', 'until', /ISO 8601/],
      ['?since=2026-03-02&until=2026-03-01', 'until', /earlier than since/],
    ];
    for (const [query, field, message] of cases) {
      const body = assertProblem(await replay(query), {
        status: 422,
        code: 'validation_failed',
        field,
      });
      assert.match(body.detail, message, query);
    }
  });

  test('a replay wakes the dispatchers when it commits, without waiting for their poll', async () => {
    const hook = await hookAt('/replay-one');
    const [delivery] = await deliveries(hook.id);
    assert.ok(delivery);
    const heard = await commitsHeardDuring(() =>
      http.post(`/api/webhooks/${hook.id}/deliveries/${delivery.id}/replay`, { key: admin.key }),
    );
    assert.ok(heard >= 1, 'replaying one delivery wakes the dispatchers');
    const bulk = await commitsHeardDuring(async () => {
      const res = await http.post(`/api/webhooks/${hook.id}/replay?status=succeeded`, {
        key: admin.key,
      });
      assert.ok(res.json().replayed >= 1, res.text);
    });
    assert.ok(bulk >= 1, 'a bulk replay wakes the dispatchers');
    await drainAll(server);
  });
});

describe('disabled endpoints', () => {
  test('410 Gone disables the endpoint; enable turns it back on and deliveries flow again', async () => {
    const hook = await sinkHook('/gone');
    sink.answer('/gone', { status: 410 });
    await publish('Gone for now');
    await drainAll(server);
    const disabledAt = server.clock.now().toISOString();
    const shown = (await http.get(`/api/webhooks/${hook.id}`, { key: admin.key })).json();
    assert.equal(shown.disabled_at, disabledAt);
    assert.match(shown.disabled_reason, /410/);
    assert.equal(shown.failing_since, disabledAt);
    assert.equal((await deliveries(hook.id))[0]?.attempt_log[0].outcome, 'gone');

    await publish('Not heard while disabled');
    await drainAll(server);
    assert.equal(sink.to('/gone').length, 1);

    server.clock.advance(1000);
    let res: Awaited<ReturnType<HttpClient['post']>> | undefined;
    const heard = await commitsHeardDuring(async () => {
      res = await http.post(`/api/webhooks/${hook.id}/enable`, { key: admin.key });
    });
    assert.ok(res);
    assert.equal(res.status, 200, res.text);
    assert.ok(heard >= 1, 'enabling wakes the dispatchers, so pending deliveries resume at once');
    const enabled = res.json();
    assert.equal(enabled.disabled_at, null);
    assert.equal(enabled.disabled_reason, null);
    assert.equal(enabled.failing_since, null);
    assert.ok(!res.text.includes('whsec_'));

    await publish('Heard again');
    await drainAll(server);
    const requests = sink.to('/gone');
    assert.equal(requests.length, 2);
    assert.equal(JSON.parse(requests[1]?.body ?? '{}').data.title, 'Heard again');
    await http.delete(`/api/webhooks/${hook.id}`, { key: admin.key });
  });
});

test('every route is in /api/openapi.json, with the secret only where it is shown', async () => {
  const doc = (await http.get('/api/openapi.json')).json();
  const expected: Record<string, string[]> = {
    '/api/webhooks': ['get', 'post'],
    '/api/webhooks/{id}': ['get', 'delete'],
    '/api/webhooks/{id}/rotate_secret': ['post'],
    '/api/webhooks/{id}/enable': ['post'],
    '/api/webhooks/{id}/deliveries': ['get'],
    '/api/webhooks/{id}/deliveries/{delivery_id}/replay': ['post'],
    '/api/webhooks/{id}/replay': ['post'],
  };
  for (const [path, methods] of Object.entries(expected)) {
    for (const method of methods) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method.toUpperCase()} ${path} is documented`);
      assert.deepEqual(op.tags, ['webhooks']);
      assert.deepEqual(op.security, [{ apiKey: [] }, { bearer: [] }]);
    }
  }
  // Schemas with an $id are shared components; follow the references to read them whole.
  const expand = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(expand);
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as Json).$ref;
    if (typeof ref === 'string') return expand(doc.components.schemas[ref.split('/').at(-1) ?? '']);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, expand(v)]));
  };
  const schemaOf = (path: string, method: string, status: string) =>
    JSON.stringify(expand(doc.paths[path][method].responses[status]));
  assert.match(schemaOf('/api/webhooks', 'post', '201'), /"secret"/);
  assert.match(schemaOf('/api/webhooks/{id}/rotate_secret', 'post', '200'), /"secret"/);
  assert.doesNotMatch(schemaOf('/api/webhooks/{id}', 'get', '200'), /"secret"/);
  assert.doesNotMatch(schemaOf('/api/webhooks', 'get', '200'), /"secret"/);
  assert.match(schemaOf('/api/webhooks/{id}/deliveries', 'get', '200'), /attempt_log/);
});
