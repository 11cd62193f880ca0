/**
 * Requests the hub refuses: each gets a 4xx that says why, stores nothing, and makes this server
 * send no request anywhere.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSubscriber, type Subscriber } from './subscriber.ts';
import { ALLOW_PRIVATE, hubRequest, subscriptions } from './support.ts';

let open: TestServer;
let guarded: TestServer;
let subscriber: Subscriber;

before(async () => {
  open = await startTestServer({ env: ALLOW_PRIVATE });
  guarded = await startTestServer();
  subscriber = await startSubscriber();
  for (const server of [open, guarded]) {
    const author = await makeAuthor(server, 'ada');
    await postArticle(server, author, { title: 'Hi', body_markdown: 'Hi.', published: true });
  }
});
after(async () => {
  await subscriber.close();
  await open.close();
  await guarded.close();
});

async function refused(
  server: TestServer,
  fields: Record<string, string>,
  status: number,
  message: RegExp,
) {
  const before = subscriber.requests();
  const res = await hubRequest(server, fields);
  assert.equal(res.status, status, `${JSON.stringify(fields).slice(0, 200)}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  assert.match(res.text, message);
  assert.equal(subscriber.requests(), before, 'no request was made');
  assert.deepEqual(await subscriptions(server), []);
}

const fieldsFor = (server: TestServer, extra: Record<string, string> = {}) => ({
  'hub.mode': 'subscribe',
  'hub.topic': `${server.url}/feed/ada`,
  'hub.callback': subscriber.callback('/cb'),
  ...extra,
});

test('without QUIRE_ALLOW_PRIVATE_URLS, loopback, private and plain http callbacks are refused', async () => {
  const port = new URL(subscriber.callback('/')).port;
  const cases: [string, RegExp][] = [
    [subscriber.callback('/cb'), /hub\.callback is refused: only https/i],
    [`https://127.0.0.1:${port}/cb`, /hub\.callback is refused: the address 127\.0\.0\.1/i],
    [`https://localhost:${port}/cb`, /hub\.callback is refused: the host localhost/i],
    ['https://10.1.2.3/cb', /not allowed/],
    ['https://[::1]/cb', /not allowed/],
    ['https://169.254.169.254/latest/meta-data', /not allowed/],
    ['ftp://example.com/cb', /refused/],
    ['/relative/cb', /not an absolute URL/i],
  ];
  for (const [callback, message] of cases) {
    await refused(guarded, fieldsFor(guarded, { 'hub.callback': callback }), 400, message);
  }
});

test('a callback checked only at connect time is accepted, then never confirmed', async () => {
  // A name is resolved when the verification connects (and refused there if it is internal);
  // this one never resolves, so the subscription is never made.
  const res = await hubRequest(
    guarded,
    fieldsFor(guarded, { 'hub.callback': 'https://callback.invalid/cb' }),
  );
  assert.equal(res.status, 202, res.text);
  assert.deepEqual(await subscriptions(guarded), []);
});

test('topics that are not feeds of this site are refused', async () => {
  const base = open.url;
  const cases: [string, number, RegExp][] = [
    ['https://elsewhere.example/feed/ada', 400, /must be a feed of this site/],
    [`${base}/ada`, 400, /must be a feed of this site/],
    [`${base}/api/articles`, 400, /must be a feed of this site/],
    [`${base}/feed/ada/extra`, 400, /must be a feed of this site/],
    [`${base}/feed/%E0%A4%A`, 400, /must be a feed of this site/],
    ['not a url', 400, /must be a URL without spaces/],
    ['feed/ada', 400, /must be a feed of this site/],
    [`${base}/feed/ada?page=2`, 400, /first page/],
    [
      `${base.replace('http:', 'HTTP:')}/feed/ada#top`,
      400,
      /must be written http:\/\/127\.0\.0\.1:\d+\/feed\/ada$/m,
    ],
    [`${base}/feed/nobody`, 404, /names no feed/],
    [`${base}/feed/tag/nosuchtag.atom`, 404, /names no feed/],
  ];
  for (const [topic, status, message] of cases) {
    await refused(open, fieldsFor(open, { 'hub.topic': topic }), status, message);
  }
});

test('missing, repeated, malformed and oversize fields are a 400 that names the field', async () => {
  const long = `${open.url}/feed/ada?${'x'.repeat(2100)}`;
  const cases: [Record<string, string>, RegExp][] = [
    [{ 'hub.mode': '' }, /hub\.mode is required/],
    [{ 'hub.mode': 'publish' }, /hub\.mode must be "subscribe" or "unsubscribe"/],
    [{ 'hub.topic': '' }, /hub\.topic is required/],
    [{ 'hub.callback': '' }, /hub\.callback is required/],
    [{ 'hub.topic': long }, /hub\.topic is longer than 2048 characters/],
    [
      { 'hub.callback': `${subscriber.callback('/cb')}?${'y'.repeat(2100)}` },
      /hub\.callback is longer/,
    ],
    [{ 'hub.callback': `${subscriber.callback('/cb')}\r\nX-Evil: 1` }, /without spaces or control/],
    [{ 'hub.secret': 's'.repeat(200) }, /hub\.secret must be less than 200 bytes/],
    [{ 'hub.secret': 'é'.repeat(100) }, /hub\.secret must be less than 200 bytes/],
    [{ 'hub.lease_seconds': '-5' }, /hub\.lease_seconds must be a whole number/],
    [{ 'hub.lease_seconds': '1e6' }, /hub\.lease_seconds must be a whole number/],
    [{ 'hub.lease_seconds': '99999999999' }, /hub\.lease_seconds must be a whole number/],
  ];
  for (const [change, message] of cases) {
    await refused(open, fieldsFor(open, change), 400, message);
  }
  const missing = fieldsFor(open) as Record<string, string>;
  delete missing['hub.callback'];
  await refused(open, missing, 400, /hub\.callback is required/);
});

test('a field given twice, a body that is not a form, or one too large is refused', async () => {
  const client = open.client();
  const form = new URLSearchParams(fieldsFor(open));
  form.append('hub.mode', 'unsubscribe');
  const twice = await client.post('/websub', {
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(twice.status, 400);
  assert.match(twice.text, /hub\.mode is given more than once/);

  const json = await client.post('/websub', { json: fieldsFor(open) });
  assert.equal(json.status, 415);
  assert.match(json.text, /application\/x-www-form-urlencoded/);

  const padded = new URLSearchParams({ ...fieldsFor(open), padding: 'p'.repeat(20_000) });
  const big = await client.post('/websub', {
    body: padded.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(big.status, 413);
  assert.match(big.text, /larger than 16384 bytes/);

  const asJson = await client.post('/websub', {
    form: { 'hub.mode': 'nope' },
    headers: { accept: 'application/json' },
  });
  assert.equal(asJson.status, 400);
  assert.equal(asJson.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.equal(asJson.json().detail, 'hub.mode must be "subscribe" or "unsubscribe"');
  assert.equal(subscriber.requests(), 0);
  assert.deepEqual(await subscriptions(open), []);
});

test('a secret of 199 bytes, at the limit, is accepted', async () => {
  const res = await hubRequest(open, fieldsFor(open, { 'hub.secret': 'é'.repeat(99) + 's' }));
  assert.equal(res.status, 202, res.text);
  const [row] = await subscriptions(open);
  assert.equal(Buffer.byteLength(row?.secret ?? ''), 199);
});

test('subscription requests are rate limited per client, like API writes', async () => {
  const limited = await startTestServer({ env: { ...ALLOW_PRIVATE, QUIRE_WRITE_RATE_LIMIT: '2' } });
  try {
    const fields = { ...fieldsFor(limited), 'hub.mode': 'nope' };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await hubRequest(limited, fields)).status);
    assert.deepEqual(statuses, [400, 400, 429]);
    const res = await hubRequest(limited, fields);
    assert.equal(res.status, 429);
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    assert.match(res.text, /rate limit/i);
  } finally {
    await limited.close();
  }
});
