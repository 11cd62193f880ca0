/**
 * What a release contains, installed as production does (`npm ci --omit=dev`) into a folder of its
 * own, started on this Node 24 with no dev packages within reach: it serves a page, an article
 * and the feed, and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { quire, serve } from '../helpers/cli.ts';
import { dialect } from '../helpers/database.ts';
import { freePort } from '../helpers/net.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A release: the manifest, the lock file and the code. No node_modules, tests or benchmarks. */
const RELEASE = ['package.json', 'package-lock.json', 'bin', 'src'];

let folder: string;

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'quire-release-'));
});
after(() => rmSync(folder, { recursive: true, force: true }));

/** The environment without npm's own variables from `npm test`, which would steer the child npm. */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !/^npm_/i.test(entry[0]) && entry[0] !== 'NODE_PATH',
    ),
  );
}

function npmCi(cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'npm',
      ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test(
  'npm ci --omit=dev of a release serves the home page, an article and its feed',
  {
    // The install alone takes tens of seconds on a busy machine, more than the suite's default.
    timeout: 600_000,
    skip:
      dialect === 'sqlite'
        ? false
        : 'the production install is checked once, in the SQLite run (test/release/dependencies.test.ts covers pg)',
  },
  async () => {
    for (const entry of RELEASE)
      cpSync(join(ROOT, entry), join(folder, entry), { recursive: true });
    const install = await npmCi(folder);
    assert.equal(install.code, 0, install.output);
    assert.ok(existsSync(join(folder, 'node_modules', 'fastify')), 'dependencies are installed');
    for (const devOnly of ['node', 'typescript', 'playwright-core'])
      assert.ok(!existsSync(join(folder, 'node_modules', devOnly)), `${devOnly} is left out`);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ...cleanEnv(),
      DATABASE_URL: `sqlite:${join(folder, 'data', 'quire.db')}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUIRE_BASE_URL: base,
      QUIRE_SECRET: '',
      // `serve` waits for the "listening on" line, logged at info.
      LOG_LEVEL: 'info',
    };
    const installed = { bin: join(folder, 'bin', 'quire.js'), cwd: folder };
    const created = await quire(
      ['user', 'create', '--username', 'release', '--email', 'r@example.test', '--password-stdin'],
      env,
      { ...installed, input: 'a release password\n' },
    );
    assert.equal(created.code, 0, created.stderr);
    const keyed = await quire(['apikey', 'create', '--username', 'release'], env, installed);
    assert.equal(keyed.code, 0, keyed.stderr);
    const key = keyed.stdout.trimEnd().split('\n').at(-1) ?? '';

    const server = await serve(env, installed);
    try {
      const res = await fetch(`${base}/api/articles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'api-key': key },
        body: JSON.stringify({
          article: {
            title: 'Shipped from a release',
            body_markdown: 'Installed with `npm ci --omit=dev`.\n\n```ts\nconst ok = true;\n```',
            published: true,
            tags: ['release'],
          },
        }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      const article = (await res.json()) as { path: string };

      for (const [path, type] of [
        ['/', 'text/html'],
        [article.path, 'text/html'],
        ['/feed', 'application/rss+xml'],
      ] as const) {
        const page = await fetch(`${base}${path}`);
        assert.equal(page.status, 200, path);
        assert.equal(page.headers.get('content-type')?.split(';')[0], type, path);
        assert.match(await page.text(), /Shipped from a release/, path);
      }
    } finally {
      server.child.kill('SIGTERM');
    }
    assert.equal(await server.exited, 0, 'a clean stop on SIGTERM');
  },
);
