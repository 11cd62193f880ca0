/**
 * Who may read `/metrics`: loopback, QUIRE_METRICS_ALLOW, and the bearer of QUIRE_METRICS_TOKEN.
 * Anyone else gets the 404 any unknown path gets. Addresses come from the connection, or from
 * X-Forwarded-For when a trusted proxy sent it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { parseMetrics } from './support.ts';

const TOKEN = 'scrape-token-0123456789abcdef';
const API_LIMIT = 3;

let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: {
      QUIRE_METRICS_ALLOW: '10.20.0.0/16, 192.0.2.7, fd00:20::/32',
      QUIRE_METRICS_TOKEN: TOKEN,
      // Loopback is the proxy here: what it says in X-Forwarded-For is the client's address.
      QUIRE_TRUSTED_PROXIES: '127.0.0.1',
      QUIRE_API_RATE_LIMIT: String(API_LIMIT),
    },
  });
});
after(() => server.close());

/** GET /metrics through Fastify's inject, as if from `remoteAddress`. */
async function injected(remoteAddress: string, headers: Record<string, string> = {}) {
  const res = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
  return { status: res.statusCode, body: res.body, type: res.headers['content-type'] };
}

test('loopback, over IPv4 and IPv6, reads the metrics', async () => {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.ok(parseMetrics(await res.text()).types.has('quire_http_requests_total'));
  for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
    assert.equal((await injected(address)).status, 200, address);
  }
});

test('other addresses get the 404 of an unknown path, unless allow-listed', async () => {
  const unknown = await server.app.inject({
    method: 'GET',
    url: '/no/such/page',
    remoteAddress: '203.0.113.9',
  });
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.body, /Page not found/);
  for (const address of ['203.0.113.9', '10.21.0.1', '192.0.2.8', 'fd00:21::1', '::ffff:8.8.8.8']) {
    const refused = await injected(address);
    assert.equal(refused.status, 404, address);
    assert.equal(refused.body, unknown.body, `${address}: the same page as any unknown path`);
    assert.equal(refused.type, unknown.headers['content-type']);
  }
  for (const address of [
    '10.20.0.1',
    '10.20.255.254',
    '192.0.2.7',
    'fd00:20::5',
    '::ffff:10.20.1.1',
  ]) {
    const allowed = await injected(address);
    assert.equal(allowed.status, 200, address);
    assert.match(allowed.body, /^# HELP /m);
  }
});

test('the token lets any address in; a wrong or malformed one does not', async () => {
  const outside = '198.51.100.4';
  assert.equal((await injected(outside, { authorization: `Bearer ${TOKEN}` })).status, 200);
  assert.equal((await injected(outside, { authorization: `bearer  ${TOKEN} ` })).status, 200);
  for (const authorization of [
    `Bearer ${TOKEN}x`,
    `Bearer ${TOKEN.slice(0, -1)}`,
    `Basic ${TOKEN}`,
    TOKEN,
    'Bearer',
  ]) {
    assert.equal((await injected(outside, { authorization })).status, 404, authorization);
  }
  // The token is not an API key: the API refuses it, so it cannot be used as one.
  const api = await server.app.inject({
    method: 'GET',
    url: '/api/users/me',
    remoteAddress: outside,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(api.statusCode, 401);
});

test('behind a trusted proxy, the forwarded address decides, over a real connection', async () => {
  const through = (forwarded: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': forwarded, ...headers } });
  assert.equal((await through('203.0.113.50')).status, 404, 'a visitor through the proxy');
  assert.equal((await through('10.20.3.4')).status, 200, 'an allow-listed scraper');
  assert.equal(
    (await through('203.0.113.50', { authorization: `Bearer ${TOKEN}` })).status,
    200,
    'a visitor with the token',
  );
});

test('never cached, not in the API description, and not held to the API rate limit', async () => {
  const answers = [];
  for (let i = 0; i < API_LIMIT + 3; i++) answers.push(await fetch(`${server.url}/metrics`));
  for (const res of answers) {
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('etag'), null);
  }
  const doc = await fetch(`${server.url}/api/openapi.json`);
  assert.equal(doc.status, 200);
  const paths = Object.keys((await doc.json()).paths);
  assert.ok(paths.length > 10, 'the description lists the API');
  assert.ok(!paths.some((p) => p.includes('metrics')), 'and not /metrics');
  // The API limit is live for this address, while /metrics went on answering past it.
  let limited = false;
  for (let i = 0; i < API_LIMIT + 1 && !limited; i++) {
    limited = (await fetch(`${server.url}/api/tags`)).status === 429;
  }
  assert.ok(limited, 'the API is limited');
  assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
});
