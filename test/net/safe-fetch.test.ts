/**
 * The SSRF guard: which URLs and addresses are refused, the check at connect time, redirects, and
 * the caps on size, time and decompression. Every server here listens on 127.0.0.1 only.
 */
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import {
  checkOutboundUrl,
  DEFAULT_USER_AGENT,
  isAllowedAddress,
  OutboundError,
  type SafeFetchOptions,
  safeFetch,
} from '../../src/net/safe-fetch.ts';
import { guardedLookup } from '../../src/net/guarded-lookup.ts';
import { freePort } from '../helpers/net.ts';

/** A globally routable address no test ever connects to: it only feeds the pre-connect check. */
const PUBLIC_IP = '93.184.215.14';

let server: Server;
let port: number;
let origin: string;
/** Paths of every request the server received, in order. */
const seen: string[] = [];
/** Resolved when a stalled request arrives, so a test can act while it hangs. */
let stalled = Promise.withResolvers<void>();
/** Resolved when the endless response's connection closes. */
let endlessClosed = Promise.withResolvers<void>();

const bombSize = 100 * 1024 * 1024;
let gzipBomb: Buffer;
let brotliBomb: Buffer;

function route(req: IncomingMessage, res: ServerResponse, body: string) {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  const n = Number(url.searchParams.get('n') ?? '0');
  if (path === '/ok') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
  } else if (path === '/echo') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
  } else if (path.startsWith('/hop/')) {
    const left = Number(path.slice('/hop/'.length));
    // A relative Location, so every hop also tests resolution against the current URL.
    if (left > 0) res.writeHead(302, { location: String(left - 1) }).end('moved');
    else res.writeHead(200).end('arrived');
  } else if (path === '/to') {
    res.writeHead(302, { location: url.searchParams.get('location') ?? '/' }).end('moved');
  } else if (path === '/sized') {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (url.searchParams.has('declare')) headers['content-length'] = String(n);
    res.writeHead(200, headers);
    // Several writes, so the undeclared form really arrives chunked.
    const data = Buffer.alloc(n, 120);
    for (let at = 0; at < n; at += 4096) res.write(data.subarray(at, at + 4096));
    res.end();
  } else if (path === '/declared-huge') {
    // Claims 50 MB, sends a few bytes, then waits: only the header can explain a quick refusal.
    res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
    res.write('x'.repeat(100));
  } else if (path === '/endless') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(16 * 1024, 121);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', pump);
    res.on('close', () => endlessClosed.resolve());
    pump();
  } else if (path === '/gzip') {
    const data = gzipSync('compressed hello');
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': data.length }).end(data);
  } else if (path === '/br') {
    const data = brotliCompressSync('brotli hello');
    res.writeHead(200, { 'content-encoding': 'br', 'content-length': data.length }).end(data);
  } else if (path === '/gzip-bomb' || path === '/br-bomb') {
    const data = path === '/gzip-bomb' ? gzipBomb : brotliBomb;
    const coding = path === '/gzip-bomb' ? 'gzip' : 'br';
    res.writeHead(200, { 'content-encoding': coding, 'content-length': data.length }).end(data);
  } else if (path === '/stall-headers') {
    stalled.resolve();
  } else if (path === '/stall-body') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('a beginning');
    stalled.resolve();
  } else {
    res.writeHead(404).end();
  }
}

before(async () => {
  const zeros = Buffer.alloc(bombSize);
  gzipBomb = gzipSync(zeros, { level: 9 });
  brotliBomb = brotliCompressSync(zeros, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } });
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => route(req, res, Buffer.concat(parts).toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A DNS lookup answering from a function of the name and the call number (1-based). */
function fakeLookup(answer: (hostname: string, call: number) => string[] | Error) {
  const calls: string[] = [];
  const lookup: LookupFunction = (hostname, options, callback) => {
    calls.push(hostname);
    const result = answer(hostname, calls.length);
    if (result instanceof Error) {
      callback(result, '');
      return;
    }
    const addresses: LookupAddress[] = result.map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    if (options.all === true) callback(null, addresses);
    else callback(null, addresses[0]?.address ?? '', addresses[0]?.family);
  };
  return { lookup, calls };
}

const local = (extra: Partial<SafeFetchOptions> = {}): SafeFetchOptions => ({
  allowPrivate: true,
  ...extra,
});

async function refused(
  promise: Promise<unknown>,
  code: OutboundError['code'],
  message?: RegExp,
): Promise<OutboundError> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected an OutboundError ${code}, got an answer`),
    (error: unknown) => {
      caught = error;
    },
  );
  assert.ok(caught instanceof OutboundError, `expected an OutboundError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  assert.doesNotMatch(caught.message, /\n\s+at /, 'no stack in the message');
  return caught;
}

const text = (body: Uint8Array) => Buffer.from(body).toString();

describe('isAllowedAddress', () => {
  // [address, allowed by default, allowed with allowPrivate]
  const cases: Array<[string, boolean, boolean]> = [
    [PUBLIC_IP, true, true],
    ['8.8.8.8', true, true],
    ['172.32.0.1', true, true],
    ['100.128.0.1', true, true],
    ['127.0.0.1', false, true],
    ['127.255.255.254', false, true],
    ['10.1.2.3', false, true],
    ['172.16.0.1', false, true],
    ['172.31.255.255', false, true],
    ['192.168.1.1', false, true],
    ['169.254.169.254', false, false],
    ['169.254.0.1', false, false],
    ['0.0.0.0', false, false],
    ['0.1.2.3', false, false],
    ['100.64.0.1', false, false],
    ['100.127.255.255', false, false],
    ['255.255.255.255', false, false],
    ['224.0.0.1', false, false],
    ['239.255.255.250', false, false],
    ['240.0.0.1', false, false],
    ['192.0.2.1', false, false],
    ['198.18.0.1', false, false],
    ['2606:4700:4700::1111', true, true],
    ['::1', false, true],
    ['::', false, false],
    ['fe80::1', false, false],
    ['fe80::1%eth0', false, false],
    ['fec0::1', false, false],
    ['fc00::1', false, true],
    ['fd12:3456::1', false, true],
    ['ff02::1', false, false],
    ['2001:db8::1', false, false],
    ['::ffff:127.0.0.1', false, true],
    ['::ffff:7f00:1', false, true],
    ['0:0:0:0:0:ffff:7f00:1', false, true],
    ['::ffff:10.0.0.1', false, true],
    ['::ffff:169.254.169.254', false, false],
    ['::ffff:0.0.0.0', false, false],
    ['::ffff:8.8.8.8', true, true],
    // IPv4-compatible (deprecated) form: outside 2000::/3, so never global unicast. ipaddr.js
    // alone would read "::8.8.8.8" as the mapped ::ffff:8.8.8.8 and allow it.
    ['::127.0.0.1', false, false],
    ['::8.8.8.8', false, false],
    ['::7f00:1', false, false],
    // NAT64 well-known prefix embeds the target; the local-use prefix hides it.
    ['64:ff9b::7f00:1', false, false],
    ['64:ff9b::a9fe:a9fe', false, false],
    ['64:ff9b::808:808', true, true],
    ['64:ff9b:1::808:808', false, false],
    // 6to4 embeds the IPv4 address in bits 16-48.
    ['2002:7f00:1::1', false, false],
    ['2002:a9fe:a9fe::1', false, false],
    ['2002:c0a8:101::1', false, false],
    ['2002:808:808::1', true, true],
    // Teredo: server 65.54.227.120 in the clear, client inverted (192.0.2.45, 127.0.0.1, 8.8.8.8).
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false, false],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', false, false],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', true, true],
    // Only canonical text counts as an address.
    ['0177.0.0.1', false, false],
    ['0x7f.1', false, false],
    ['2130706433', false, false],
    ['127.1', false, false],
    ['localhost', false, false],
    ['', false, false],
    ['1.2.3.4.5', false, false],
  ];
  for (const [ip, strict, permissive] of cases) {
    test(`${ip || '(empty)'}: ${strict ? 'allowed' : 'refused'}, with allowPrivate ${permissive ? 'allowed' : 'refused'}`, () => {
      assert.equal(isAllowedAddress(ip, false), strict);
      assert.equal(isAllowedAddress(ip, true), permissive);
    });
  }
});

describe('checkOutboundUrl', () => {
  type Verdict = 'ok' | OutboundError['code'];
  // [url, verdict by default, verdict with allowPrivate]
  const cases: Array<[string, Verdict, Verdict]> = [
    ['https://example.com/feed.xml', 'ok', 'ok'],
    ['http://example.com:8080/rss?x=1', 'ok', 'ok'],
    ['HTTP://EXAMPLE.COM/', 'ok', 'ok'],
    ['http://8.8.8.8/', 'ok', 'ok'],
    ['http://[2606:4700:4700::1111]/', 'ok', 'ok'],
    ['http://localhost.example.com/', 'ok', 'ok'],
    ['ftp://example.com/feed.xml', 'scheme_not_allowed', 'scheme_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed', 'scheme_not_allowed'],
    ['gopher://example.com/', 'scheme_not_allowed', 'scheme_not_allowed'],
    ['javascript:alert(1)', 'scheme_not_allowed', 'scheme_not_allowed'],
    ['data:text/plain,hi', 'scheme_not_allowed', 'scheme_not_allowed'],
    ['ws://example.com/', 'scheme_not_allowed', 'scheme_not_allowed'],
    ['not a url', 'invalid_url', 'invalid_url'],
    ['/relative/feed.xml', 'invalid_url', 'invalid_url'],
    ['http://', 'invalid_url', 'invalid_url'],
    ['http://exa mple.com/', 'invalid_url', 'invalid_url'],
    ['http://1.2.3.256/', 'invalid_url', 'invalid_url'],
    ['http://user:pass@example.com/', 'invalid_url', 'invalid_url'],
    ['http://user@example.com/', 'invalid_url', 'invalid_url'],
    ['https://:secret@example.com/', 'invalid_url', 'invalid_url'],
    ['http://127.0.0.1/', 'address_not_allowed', 'ok'],
    ['http://127.1/', 'address_not_allowed', 'ok'],
    ['http://0x7f.1/', 'address_not_allowed', 'ok'],
    ['http://2130706433/', 'address_not_allowed', 'ok'],
    ['http://0177.0.0.1/', 'address_not_allowed', 'ok'],
    ['http://0x7f000001/', 'address_not_allowed', 'ok'],
    ['http://127.0.0.1./', 'address_not_allowed', 'ok'],
    ['http://[::1]/', 'address_not_allowed', 'ok'],
    ['http://[::ffff:127.0.0.1]/', 'address_not_allowed', 'ok'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', 'address_not_allowed', 'ok'],
    ['http://10.0.0.1/', 'address_not_allowed', 'ok'],
    ['http://172.16.0.1/', 'address_not_allowed', 'ok'],
    ['http://192.168.0.1/', 'address_not_allowed', 'ok'],
    ['http://[fd00::1]/', 'address_not_allowed', 'ok'],
    ['http://localhost/', 'address_not_allowed', 'ok'],
    ['http://LOCALHOST./', 'address_not_allowed', 'ok'],
    ['http://app.localhost:3000/', 'address_not_allowed', 'ok'],
    ['http://169.254.169.254/latest/meta-data/', 'address_not_allowed', 'address_not_allowed'],
    ['http://[::ffff:169.254.169.254]/', 'address_not_allowed', 'address_not_allowed'],
    ['http://[::ffff:a9fe:a9fe]/', 'address_not_allowed', 'address_not_allowed'],
    ['http://[fe80::1]/', 'address_not_allowed', 'address_not_allowed'],
    ['http://0.0.0.0/', 'address_not_allowed', 'address_not_allowed'],
    ['http://0/', 'address_not_allowed', 'address_not_allowed'],
    ['http://[::]/', 'address_not_allowed', 'address_not_allowed'],
    ['http://100.64.0.1/', 'address_not_allowed', 'address_not_allowed'],
    ['http://224.0.0.1/', 'address_not_allowed', 'address_not_allowed'],
    ['http://255.255.255.255/', 'address_not_allowed', 'address_not_allowed'],
    ['http://[2002:7f00:1::1]/', 'address_not_allowed', 'address_not_allowed'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'address_not_allowed', 'address_not_allowed'],
  ];
  for (const [url, strict, permissive] of cases) {
    test(`${url}: ${strict}, with allowPrivate ${permissive}`, () => {
      for (const [allowPrivate, verdict] of [
        [false, strict],
        [true, permissive],
      ] as const) {
        if (verdict === 'ok') {
          const parsed = checkOutboundUrl(url, { allowPrivate });
          assert.ok(parsed instanceof URL);
          assert.equal(parsed.href, new URL(url).href);
        } else {
          assert.throws(
            () => checkOutboundUrl(url, { allowPrivate }),
            (error: unknown) => error instanceof OutboundError && error.code === verdict,
            `allowPrivate=${allowPrivate}`,
          );
        }
      }
    });
  }

  test('the WHATWG parser turns odd IPv4 spellings into the address that is judged', () => {
    for (const odd of ['0x7f.1', '2130706433', '0177.0.0.1', '127.1', '0x7f000001']) {
      assert.equal(
        checkOutboundUrl(`http://${odd}/`, { allowPrivate: true }).hostname,
        '127.0.0.1',
      );
    }
    assert.equal(
      checkOutboundUrl('http://[0:0:0:0:0:ffff:7f00:1]/', { allowPrivate: true }).hostname,
      '[::ffff:7f00:1]',
    );
  });

  test('requireHttps refuses plain http', () => {
    assert.throws(
      () => checkOutboundUrl('http://example.com/', { allowPrivate: false, requireHttps: true }),
      {
        name: 'OutboundError',
        code: 'scheme_not_allowed',
      },
    );
    assert.equal(
      checkOutboundUrl('https://example.com/', { allowPrivate: false, requireHttps: true })
        .protocol,
      'https:',
    );
  });
});

describe('guardedLookup', () => {
  /** Calls a lookup and reports what its callback got. */
  const ask = (lookup: LookupFunction, all: boolean) =>
    new Promise<{ error: unknown; address: unknown; family: unknown }>((resolve) =>
      lookup('name.test', { all }, (error, address, family) => resolve({ error, address, family })),
    );

  test('answers in the form the socket asked for, after checking every address', async () => {
    const two = fakeLookup(() => ['8.8.8.8', '2606:4700:4700::1111']);
    assert.deepEqual(await ask(guardedLookup(false, two.lookup), false), {
      error: null,
      address: '8.8.8.8',
      family: 4,
    });
    assert.deepEqual((await ask(guardedLookup(false, two.lookup), true)).address, [
      { address: '8.8.8.8', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);

    // A lookup that ignores `all` and answers with one address is judged the same way.
    const single: LookupFunction = (_name, _options, callback) => callback(null, '10.0.0.1', 4);
    const strict = await ask(guardedLookup(false, single), true);
    assert.ok(strict.error instanceof OutboundError);
    assert.equal(strict.error.code, 'address_not_allowed');
    assert.deepEqual((await ask(guardedLookup(true, single), true)).address, [
      { address: '10.0.0.1', family: 4 },
    ]);

    const empty = await ask(guardedLookup(false, fakeLookup(() => []).lookup), true);
    assert.ok(empty.error instanceof OutboundError);
    assert.equal(empty.error.code, 'network');
  });
});

describe('safeFetch', () => {
  test('a loopback server is refused before any request reaches it; allowPrivate lets it in', async () => {
    const before = seen.length;
    await refused(safeFetch(`${origin}/ok`, { allowPrivate: false }), 'address_not_allowed');
    assert.equal(seen.length, before, 'the server received nothing');

    const answer = await safeFetch(`${origin}/echo`, local());
    assert.equal(answer.status, 200);
    assert.equal(answer.url, `${origin}/echo`);
    assert.equal(answer.redirects, 0);
    assert.equal(answer.headers.get('content-type'), 'application/json');
    const echoed = JSON.parse(text(answer.body));
    assert.equal(echoed.method, 'GET');
    assert.equal(echoed.headers['user-agent'], DEFAULT_USER_AGENT);
    assert.equal(DEFAULT_USER_AGENT, 'Quire/0.1 (feed importer)');
    assert.deepEqual(seen.slice(before), ['/echo']);

    const custom = await safeFetch(
      `${origin}/echo`,
      local({ headers: { 'User-Agent': 'Other/2' } }),
    );
    assert.equal(JSON.parse(text(custom.body)).headers['user-agent'], 'Other/2');
  });

  test('odd spellings of loopback are refused, and do reach it when allowed', async () => {
    const before = seen.length;
    const odd = [
      `http://0x7f.1:${port}/ok`,
      `http://2130706433:${port}/ok`,
      `http://0177.0.0.1:${port}/ok`,
      `http://127.1:${port}/ok`,
      `http://[::ffff:127.0.0.1]:${port}/ok`,
      `http://[0:0:0:0:0:ffff:7f00:1]:${port}/ok`,
      `http://localhost:${port}/ok`,
    ];
    for (const url of odd) {
      await refused(safeFetch(url, { allowPrivate: false }), 'address_not_allowed');
    }
    assert.equal(seen.length, before, 'the server received nothing');
    // The same spellings are the loopback server itself, so the refusals above were not luck.
    for (const url of odd.slice(0, 4)) {
      const answer = await safeFetch(url, local());
      assert.equal(text(answer.body), 'hello', url);
    }
    assert.equal(seen.length, before + 4);
  });

  test('a name resolving to a refused address is refused, however it is mixed', async () => {
    const before = seen.length;
    const loopback = fakeLookup(() => ['127.0.0.1']);
    await refused(
      safeFetch(`http://evil.test:${port}/ok`, { allowPrivate: false, lookup: loopback.lookup }),
      'address_not_allowed',
      /evil\.test resolves to 127\.0\.0\.1/,
    );
    assert.ok(loopback.calls.length > 0 && loopback.calls.every((name) => name === 'evil.test'));

    // One refused address among good ones is enough: the socket may try any of them.
    const mixed = fakeLookup(() => [PUBLIC_IP, '127.0.0.1']);
    await refused(
      safeFetch(`http://mixed.test:${port}/ok`, { allowPrivate: false, lookup: mixed.lookup }),
      'address_not_allowed',
      /127\.0\.0\.1/,
    );

    // Link-local (cloud metadata) stays refused with allowPrivate, in either family.
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', 'fe80::1', '0.0.0.0']) {
      const metadata = fakeLookup(() => [address]);
      await refused(
        safeFetch(`http://metadata.test:${port}/ok`, local({ lookup: metadata.lookup })),
        'address_not_allowed',
        new RegExp(`resolves to ${address.replaceAll('.', '\\.')}`),
      );
    }

    const broken = fakeLookup(() =>
      Object.assign(new Error('getaddrinfo ENOTFOUND gone.test'), { code: 'ENOTFOUND' }),
    );
    await refused(
      safeFetch(`http://gone.test:${port}/ok`, local({ lookup: broken.lookup })),
      'network',
      /ENOTFOUND/,
    );
    assert.equal(seen.length, before, 'the server received nothing');
  });

  test('names are connected through the checked lookup, and checked again by the socket', async () => {
    // Allowed: the server sees the name in Host, so the connection went where the lookup said.
    const named = fakeLookup(() => ['127.0.0.1']);
    const answer = await safeFetch(
      `http://feeds.test:${port}/echo`,
      local({ lookup: named.lookup }),
    );
    assert.equal(JSON.parse(text(answer.body)).headers.host, `feeds.test:${port}`);
    assert.equal(answer.url, `http://feeds.test:${port}/echo`);
    assert.deepEqual(
      named.calls,
      ['feeds.test', 'feeds.test'],
      'checked early, then by the socket',
    );

    // Rebinding: a public answer for the early check, loopback for the connection. Only a check
    // on the address the socket actually uses can refuse this, and the server must see nothing.
    const before = seen.length;
    const rebinding = fakeLookup((_, call) => (call === 1 ? [PUBLIC_IP] : ['127.0.0.1']));
    await refused(
      safeFetch(`http://rebind.test:${port}/ok`, {
        allowPrivate: false,
        lookup: rebinding.lookup,
      }),
      'address_not_allowed',
      /rebind\.test resolves to 127\.0\.0\.1/,
    );
    assert.deepEqual(rebinding.calls, ['rebind.test', 'rebind.test']);
    assert.equal(seen.length, before, 'the server received nothing');

    // The same with allowPrivate: loopback for the check, the metadata address for the socket.
    const toMetadata = fakeLookup((_, call) => (call === 1 ? ['127.0.0.1'] : ['169.254.169.254']));
    await refused(
      safeFetch(`http://rebind.test:${port}/ok`, local({ lookup: toMetadata.lookup })),
      'address_not_allowed',
      /169\.254\.169\.254/,
    );
    assert.equal(toMetadata.calls.length, 2);
    assert.equal(seen.length, before, 'the server received nothing');
  });

  test('a chain of 5 redirects is followed, a 6th is refused', async () => {
    let before = seen.length;
    const five = await safeFetch(`${origin}/hop/5`, local());
    assert.equal(five.status, 200);
    assert.equal(text(five.body), 'arrived');
    assert.equal(five.redirects, 5);
    assert.equal(five.url, `${origin}/hop/0`);
    assert.deepEqual(seen.slice(before), [
      '/hop/5',
      '/hop/4',
      '/hop/3',
      '/hop/2',
      '/hop/1',
      '/hop/0',
    ]);

    before = seen.length;
    await refused(safeFetch(`${origin}/hop/6`, local()), 'too_many_redirects');
    assert.deepEqual(seen.slice(before), [
      '/hop/6',
      '/hop/5',
      '/hop/4',
      '/hop/3',
      '/hop/2',
      '/hop/1',
    ]);

    await refused(safeFetch(`${origin}/hop/1`, local({ maxRedirects: 0 })), 'too_many_redirects');
    const two = await safeFetch(`${origin}/hop/2`, local({ maxRedirects: 2 }));
    assert.equal(two.redirects, 2);

    const head = await safeFetch(`${origin}/hop/2`, local({ method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(head.redirects, 2);
    assert.equal(head.body.byteLength, 0);
  });

  test('every redirect target is checked like the first URL', async () => {
    const metadataName = fakeLookup((name) =>
      name === 'meta.test' ? ['169.254.169.254'] : ['127.0.0.1'],
    );
    const cases: Array<[string, OutboundError['code']]> = [
      ['http://169.254.169.254/latest/meta-data/', 'address_not_allowed'],
      ['http://[::ffff:a9fe:a9fe]/', 'address_not_allowed'],
      ['http://0.0.0.0/', 'address_not_allowed'],
      ['http://meta.test/latest/meta-data/', 'address_not_allowed'],
      ['file:///etc/passwd', 'scheme_not_allowed'],
      ['ftp://example.com/feed.xml', 'scheme_not_allowed'],
      ['gopher://127.0.0.1/', 'scheme_not_allowed'],
      [`http://user:secret@127.0.0.1:${port}/ok`, 'invalid_url'],
      ['http://exa mple.com/', 'invalid_url'],
    ];
    for (const [location, code] of cases) {
      const before = seen.length;
      await refused(
        safeFetch(
          `${origin}/to?location=${encodeURIComponent(location)}`,
          local({ lookup: metadataName.lookup }),
        ),
        code,
      );
      assert.equal(seen.length, before + 1, `only the redirecting request was made (${location})`);
    }
    assert.ok(metadataName.calls.includes('meta.test'));

    // An allowed target on the same server is followed, so the refusals above were the checks.
    const fine = await safeFetch(
      `${origin}/to?location=${encodeURIComponent(`http://127.0.0.1:${port}/ok`)}`,
      local(),
    );
    assert.equal(text(fine.body), 'hello');
    assert.equal(fine.redirects, 1);
  });

  test('followRedirects=false returns the 302 untouched', async () => {
    const before = seen.length;
    const answer = await safeFetch(`${origin}/hop/3`, local({ followRedirects: false }));
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), '2');
    assert.equal(text(answer.body), 'moved');
    assert.equal(answer.redirects, 0);
    assert.equal(answer.url, `${origin}/hop/3`);
    assert.deepEqual(seen.slice(before), ['/hop/3']);
  });

  test('POST sends its body and headers, and a redirect answer to it is returned as is', async () => {
    const echoed = await safeFetch(
      `${origin}/echo`,
      local({
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json', 'x-quire-event': 'ping' },
      }),
    );
    const seenByServer = JSON.parse(text(echoed.body));
    assert.equal(seenByServer.method, 'POST');
    assert.equal(seenByServer.body, '{"a":1}');
    assert.equal(seenByServer.headers['x-quire-event'], 'ping');

    const bytes = await safeFetch(
      `${origin}/echo`,
      local({ method: 'POST', body: new TextEncoder().encode('raw') }),
    );
    assert.equal(JSON.parse(text(bytes.body)).body, 'raw');

    const before = seen.length;
    const redirected = await safeFetch(`${origin}/hop/2`, local({ method: 'POST', body: 'x' }));
    assert.equal(redirected.status, 302);
    assert.equal(redirected.redirects, 0);
    assert.deepEqual(seen.slice(before), ['/hop/2']);
  });

  test('the size cap holds with and without Content-Length', async () => {
    for (const declare of ['&declare', '']) {
      const exact = await safeFetch(
        `${origin}/sized?n=10000${declare}`,
        local({ maxBytes: 10000 }),
      );
      assert.equal(exact.body.byteLength, 10000);
      assert.ok(exact.body.every((byte) => byte === 120));
      await refused(
        safeFetch(`${origin}/sized?n=10001${declare}`, local({ maxBytes: 10000 })),
        'too_large',
      );
    }
    // The header alone is enough: the server never sends the rest, so waiting would time out.
    await refused(safeFetch(`${origin}/declared-huge`, local({ timeoutMs: 10_000 })), 'too_large');

    // An endless body is cut off, and the server sees its connection closed.
    endlessClosed = Promise.withResolvers<void>();
    await refused(
      safeFetch(`${origin}/endless`, local({ maxBytes: 256 * 1024 })),
      'too_large',
      /262144 bytes/,
    );
    await endlessClosed.promise;
  });

  test('compressed answers are decompressed, and the cap counts decompressed bytes', async () => {
    assert.equal(text((await safeFetch(`${origin}/gzip`, local())).body), 'compressed hello');
    assert.equal(text((await safeFetch(`${origin}/br`, local())).body), 'brotli hello');

    // Both bombs are far under the default 10 MiB cap on the wire and 100 MiB once inflated.
    assert.ok(gzipBomb.length < 200 * 1024, `gzip bomb is ${gzipBomb.length} bytes`);
    assert.ok(brotliBomb.length < 10 * 1024, `brotli bomb is ${brotliBomb.length} bytes`);
    await refused(safeFetch(`${origin}/gzip-bomb`, local()), 'too_large', /10485760 bytes/);
    await refused(safeFetch(`${origin}/br-bomb`, local()), 'too_large');
  });

  test('a slow server runs into the time cap, before or during the body', async () => {
    for (const path of ['/stall-headers', '/stall-body']) {
      stalled = Promise.withResolvers<void>();
      await refused(safeFetch(`${origin}${path}`, local({ timeoutMs: 300 })), 'timeout');
      await stalled.promise;
    }
    // DNS is inside the cap too: a lookup that never answers cannot hold the request.
    const silent: LookupFunction = () => {};
    await refused(
      safeFetch(`http://silent.test:${port}/ok`, local({ lookup: silent, timeoutMs: 300 })),
      'timeout',
    );
  });

  test('connection failures are network errors with a readable message', async () => {
    const closedPort = await freePort();
    const error = await refused(
      safeFetch(`http://127.0.0.1:${closedPort}/`, local()),
      'network',
      /ECONNREFUSED/,
    );
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${closedPort}`));
  });

  test('a caller abort rejects with the caller reason', async () => {
    const reason = new Error('stopped by the caller');
    await assert.rejects(
      safeFetch(`${origin}/ok`, local({ signal: AbortSignal.abort(reason) })),
      reason,
    );

    stalled = Promise.withResolvers<void>();
    const controller = new AbortController();
    const pending = safeFetch(`${origin}/stall-headers`, local({ signal: controller.signal }));
    await stalled.promise;
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
  });
});
