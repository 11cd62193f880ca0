/**
 * A real Varnish 7 with the xkey module in front of Quire, with the VCL from deploy/varnish/:
 * pages and feeds are served from Varnish, a publish purges exactly the keys it changed (so it
 * shows through Varnish at once while unrelated pages stay cached, as Varnish's own hit counter
 * shows), and signed-in readers go past it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/net.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const VARNISHD = '/usr/sbin/varnishd';
const XKEY = readdirSync('/usr/lib').some((d) =>
  existsSync(join('/usr/lib', d, 'varnish/vmods/libvmod_xkey.so')),
);
const missing =
  !existsSync(VARNISHD) || !XKEY
    ? 'needs varnish and varnish-modules (Debian), which .ci/run installs'
    : false;

let server: TestServer;
let varnish: ChildProcess | undefined;
let dir = '';
let front = '';
let ada: Author;
let bob: Author;
let alpha: { id: number; path: string };
let beta: { id: number; path: string };

/** Varnish's own counters, read with varnishstat. */
function counter(name: string): number {
  const out = execFileSync('varnishstat', ['-n', join(dir, 'n'), '-1', '-f', name], {
    encoding: 'utf8',
  });
  return Number(/\s(\d+)\s/.exec(out)?.[1] ?? NaN);
}

async function through(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(front + path, { headers });
  return {
    status: res.status,
    text: await res.text(),
    cacheStatus: res.headers.get('cache-status') ?? '',
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  if (missing) return;
  const port = await freePort();
  front = `http://127.0.0.1:${port}`;
  server = await startTestServer({
    dispatcher: true,
    env: { QUIRE_PURGE_URLS: `${front}/` },
  });
  dir = mkdtempSync(join(tmpdir(), 'quire-varnish-'));
  const backendPort = new URL(server.url).port;
  const vcl = readFileSync('deploy/varnish/default.vcl', 'utf8').replace(
    '.port = "3000";',
    `.port = "${backendPort}";`,
  );
  assert.match(vcl, new RegExp(`\\.port = "${backendPort}"`), 'the VCL names its backend port');
  writeFileSync(join(dir, 'default.vcl'), vcl);
  varnish = spawn(
    VARNISHD,
    [
      '-F',
      '-j',
      'none',
      '-n',
      join(dir, 'n'),
      '-a',
      `127.0.0.1:${port}`,
      '-f',
      join(dir, 'default.vcl'),
      '-s',
      'malloc,32m',
      '-p',
      'thread_stats_rate=1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await waitFor('Varnish to answer', async () => {
    const res = await fetch(`${front}/healthz`);
    return res.status === 200 ? true : undefined;
  });

  ada = await makeAuthor(server, 'ada');
  bob = await makeAuthor(server, 'bob');
  alpha = await postArticle(server, ada, {
    title: 'Alpha',
    body_markdown: 'First.',
    published: true,
    tags: ['alpha'],
  });
  beta = await postArticle(server, bob, {
    title: 'Beta',
    body_markdown: 'Second.',
    published: true,
    tags: ['beta'],
  });
});

/**
 * Waits until the purge consumer has read every event and every purge due now has been sent, so
 * none arrives in the middle of a test.
 */
async function purgesSent() {
  const db = server.ctx.database.db;
  await waitFor('the purge consumer to read every event', async () => {
    const newest = await db
      .selectFrom('events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    const consumer = await db
      .selectFrom('consumers')
      .select('position')
      .where('name', '=', 'cache-purge')
      .executeTakeFirst();
    return consumer && Number(consumer.position) >= Number(newest?.id ?? 0) ? true : undefined;
  });
  await waitFor('the purges to be sent', async () => {
    const due = await server.ctx.database.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('target', 'like', 'purge:%')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', server.clock.now().toISOString())
      .executeTakeFirst();
    return Number(due?.n) === 0 ? true : undefined;
  });
}

after(async () => {
  if (varnish && varnish.exitCode === null) {
    const exited = new Promise((r) => varnish?.once('exit', r));
    varnish.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  await server?.close();
});

const related = () => ['/', '/t/alpha', '/ada', '/feed'];
const unrelated = () => [beta.path, '/t/beta', '/bob', '/feed/bob', alpha.path];

test('pages and feeds are served from Varnish once fetched', { skip: missing }, async () => {
  await purgesSent();
  for (const path of [...related(), ...unrelated()]) {
    const first = await through(path);
    assert.equal(first.status, 200, path);
    const second = await through(path);
    assert.match(second.cacheStatus, /varnish; hit$/, `${path}: ${second.cacheStatus}`);
  }
});

test('a publish purges what lists it, at once, and nothing else', { skip: missing }, async (t) => {
  for (const path of [...related(), ...unrelated()]) await through(path);
  const hitsBefore = counter('MAIN.cache_hit');
  const queuedBefore = await server.ctx.database.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  // The fake clock stays put: moving it would also make the second purges of earlier events due.
  const started = performance.now();
  await postArticle(server, ada, {
    title: 'Gamma arrives',
    body_markdown: 'Third.',
    published: true,
    tags: ['alpha'],
  });
  // Shared caches keep pages a day (s-maxage): only the purge can make the new article show.
  const home = await waitFor('the publish to show through Varnish', async () => {
    const res = await through('/');
    return res.text.includes('Gamma arrives') ? res : undefined;
  });
  const ms = Math.round(performance.now() - started);
  t.diagnostic(`visible through Varnish ${ms} ms after the publish was answered`);
  assert.match(home.cacheStatus, /varnish; fwd=miss$/);
  for (const path of related()) {
    const res = await through(path);
    assert.ok(res.text.includes('Gamma arrives'), `${path} lists the new article`);
  }
  for (const path of unrelated()) {
    const res = await through(path);
    assert.match(res.cacheStatus, /varnish; hit$/, `${path} stayed in Varnish: ${res.cacheStatus}`);
  }
  // Worker threads hand their counts to the shared counters when they can: wait for them.
  await waitFor('Varnish to count the unrelated pages as hits', async () =>
    counter('MAIN.cache_hit') >= hitsBefore + unrelated().length ? true : undefined,
  );
  const purges = await server.ctx.database.db
    .selectFrom('deliveries')
    .select(['status', 'body'])
    .where('target', '=', `purge:${front}/`)
    .where('status', '=', 'succeeded')
    .where('id', '>', Number(queuedBefore?.id ?? 0))
    .execute();
  assert.ok(purges.length > 0, 'the purge was sent');
  const keys = purges.flatMap((p) => p.body.split(' '));
  for (const key of ['home', `author:${ada.id}`, 'tag:alpha']) assert.ok(keys.includes(key), key);
  assert.ok(!keys.includes('tag:beta') && !keys.includes(`author:${bob.id}`), keys.join(' '));
});

test(
  'signed-in readers and API clients with a key go past Varnish',
  { skip: missing },
  async () => {
    await through('/');
    const cookie = await through('/', { cookie: 'quire_session=abc.def; theme=dark' });
    assert.match(cookie.cacheStatus, /varnish; fwd=bypass$/);
    const keyed = await through('/api/articles/me', { 'api-key': ada.key });
    assert.equal(keyed.status, 200);
    assert.doesNotMatch(keyed.cacheStatus, /varnish; hit/);
    // Another cookie does not split the cache: the shared page is served.
    const other = await through('/', { cookie: 'theme=dark' });
    assert.match(other.cacheStatus, /varnish; hit$/);
  },
);

test('a PURGE from outside the purgers list is refused', { skip: missing }, async () => {
  // The list allows loopback; this asks without the xkey header, which Varnish refuses too.
  const res = await fetch(`${front}/`, { method: 'PURGE' });
  assert.equal(res.status, 400);
  const page = await through(beta.path);
  assert.match(page.cacheStatus, /varnish; hit$/, 'nothing was purged');
});
