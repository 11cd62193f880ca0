/**
 * The DEV clients published on npm, run as their users would run them against Quire. Both
 * hard-code `https://dev.to/api`; each installed package is copied to a temporary folder, that
 * URL is replaced with this server's `/api` (the one change the README asks for), and the client
 * runs in a child process: every call it makes succeeds, and Quire's errors reach its output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const DEV_API = 'https://dev.to/api';

let server: TestServer;
let author: Author;
let root: string;

before(async () => {
  server = await startTestServer();
  author = await makeAuthor(server, 'devclient');
  // The copies live beside a link to this project's node_modules, where their dependencies are.
  root = await mkdtemp(join(tmpdir(), 'quire-dev-clients-'));
  await symlink(NODE_MODULES, join(root, 'node_modules'), 'dir');
});
after(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

/**
 * Copies an installed package next to the link and points `file` (its path in the package) at
 * this server, checking that the package still holds `https://dev.to/api` exactly `times` times.
 */
async function pointedAtQuire(name: string, file: string, times: number): Promise<string> {
  const copy = join(root, name.replace('/', '+'));
  await cp(join(NODE_MODULES, name), copy, { recursive: true });
  const source = await readFile(join(copy, file), 'utf8');
  assert.equal(source.split(DEV_API).length - 1, times, `${name}/${file} names ${DEV_API}`);
  await writeFile(join(copy, file), source.replaceAll(DEV_API, `${server.url}/api`));
  return copy;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together. */
  out: string;
}

/** Runs a client's script with Node in `cwd`, without any DEV token from this environment. */
function runClient(script: string, args: string[], cwd: string): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: '0' };
  for (const name of ['DEVTO_TOKEN', 'DEV_TO_GIT_TOKEN', 'DEBUG', 'NODE_TEST_CONTEXT']) {
    delete env[name];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, out: `${stdout}\n${stderr}` });
    });
  });
}

/** A folder for one client's files (articles, its config), as a user's repository would be. */
async function workFolder(name: string): Promise<string> {
  const dir = join(root, `${name}-work`);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function article(id: number) {
  const res = await server.client().get(`/api/articles/${id}`, { key: author.key });
  assert.equal(res.status, 200, res.text);
  return res.json();
}

async function titlesOfMine(): Promise<string[]> {
  const res = await server.client().get('/api/articles/me/all', { key: author.key });
  return res.json().map((a: { title: string }) => a.title);
}

describe('@sinedied/devto-cli (got 12; lib/api.js)', () => {
  let cli: string;
  let work: string;
  const repo = ['--repo', 'quire-test/articles', '--branch', 'main'];
  const dev = (args: string[]) => runClient(join(cli, 'bin/devto.js'), args, work);

  before(async () => {
    cli = await pointedAtQuire('@sinedied/devto-cli', 'lib/api.js', 1);
    work = await workFolder('devto-cli');
    await postArticle(server, author, {
      title: 'Written on Quire',
      body_markdown: 'Already here before the tool ran.',
      tags: ['quire'],
      published: true,
    });
  });

  test('init --pull reads GET /api/articles/me/all and writes each article to posts/', async () => {
    const run = await dev(['init', '--pull', '--skip-git', '--token', author.key, ...repo]);
    assert.equal(run.code, 0, run.out);
    assert.match(run.stdout, /Found 1 article\(s\) to import\./);
    assert.match(run.stdout, /Init done\./);
    const pulled = await readFile(join(work, 'posts/written-on-quire.md'), 'utf8');
    assert.match(pulled, /^title: Written on Quire$/m);
    assert.match(pulled, /^tags: quire$/m);
    assert.match(pulled, /^published: true$/m);
    assert.match(pulled, /Already here before the tool ran\./);
  });

  test('push creates a new article (POST /api/articles) and leaves the pulled one alone', async () => {
    const file = join(work, 'posts/from-the-cli.md');
    await writeFile(
      file,
      [
        '---',
        'title: From the CLI',
        'description: Written with devto-cli',
        'tags: cli, quire',
        'published: true',
        '---',
        '',
        'Pushed by devto-cli.',
        '',
      ].join('\n'),
    );
    const run = await dev(['push', '--token', author.key, ...repo]);
    assert.equal(run.code, 0, run.out);
    // devto-cli labels an article it just created [UPDATED] (it has an id by then).
    assert.match(run.stdout, /\[UPDATED\]\s+\[PUBLISHED\]\s+From the CLI/);
    assert.match(run.stdout, /\[UP-TO-DATE\]\s+\[PUBLISHED\]\s+Written on Quire/);
    assert.deepEqual((await titlesOfMine()).sort(), ['From the CLI', 'Written on Quire']);
    const id = Number(/^id: (\d+)$/m.exec(await readFile(file, 'utf8'))?.[1]);
    const created = await article(id);
    assert.equal(created.title, 'From the CLI');
    assert.equal(created.description, 'Written with devto-cli');
    assert.deepEqual(created.tags, ['cli', 'quire']);
    assert.match(created.body_html, /Pushed by devto-cli\./);
  });

  test('push after an edit updates the article (PUT /api/articles/{id})', async () => {
    const file = join(work, 'posts/from-the-cli.md');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('Pushed by devto-cli.', 'Edited, then pushed again.'));
    const run = await dev(['push', '--token', author.key, ...repo]);
    assert.equal(run.code, 0, run.out);
    assert.match(run.stdout, /\[UPDATED\]\s+\[PUBLISHED\]\s+From the CLI/);
    const id = Number(/^id: (\d+)$/m.exec(text)?.[1]);
    const updated = await article(id);
    assert.match(updated.body_html, /Edited, then pushed again\./);

    // devto-cli compares each file with the article as the API lists it. (A file without a
    // `description` differs from the one the server derives from the body, as Forem does, and is
    // sent again at every push.)
    const again = await dev(['push', '--token', author.key, ...repo]);
    assert.equal(again.code, 0, again.out);
    assert.match(again.stdout, /\[UP-TO-DATE\]\s+\[PUBLISHED\]\s+From the CLI/);
    assert.match(again.stdout, /\[UP-TO-DATE\]\s+\[PUBLISHED\]\s+Written on Quire/);
    assert.equal((await article(id)).edited_at, updated.edited_at, 'nothing was sent again');
  });

  test('stats reads GET /api/articles/me and lists the published articles', async () => {
    const run = await dev(['stats', '--number', '5', '--token', author.key]);
    assert.equal(run.code, 0, run.out);
    assert.match(run.stdout, /Title/);
    assert.match(run.stdout, /From the CLI/);
    assert.match(run.stdout, /Written on Quire/);
  });

  test('a bad key: the 401 reaches the output and the exit code', async () => {
    const [stats, push] = await Promise.all([
      dev(['stats', '--token', 'quire_not-a-key']),
      dev(['push', '--token', 'quire_not-a-key', ...repo]),
    ]);
    assert.equal(stats.code, 255, stats.out);
    assert.match(stats.stderr, /Error while showing stats: Response code 401 \(Unauthorized\)/);
    assert.equal(push.code, 255, push.out);
    assert.match(push.stderr, /Error: Response code 401 \(Unauthorized\)/);
    assert.match(push.stderr, /Push failed/);
  });

  test("a bad article: the 422 and, with --verbose, Quire's reason reach the output", async () => {
    await writeFile(
      join(work, 'posts/too-many-tags.md'),
      '---\ntitle: Too many tags\ntags: a, b, c, d, e\npublished: false\n---\n\nFive tags.\n',
    );
    const run = await dev(['push', '--verbose', '--token', author.key, ...repo]);
    assert.equal(run.code, 255, run.out);
    assert.match(run.stdout, /\[FAILED\]\s+\[DRAFT\]\s+Too many tags/);
    assert.match(run.stderr, /too-many-tags\.md has error\(s\):/);
    assert.match(
      run.stderr,
      /Update failed: HTTPError: Response code 422 \(Unprocessable Entity\)/,
    );
    // got parsed the application/problem+json body: the debug log shows its fields.
    assert.match(
      run.stderr,
      /Debug infos: \{\s+error: 'Validation failed: Tag list exceeds the maximum of 4 tags'/,
    );
    assert.match(run.stderr, /type: 'urn:quire:problem:validation_failed'/);
    assert.ok(!(await titlesOfMine()).includes('Too many tags'));
  });
});

describe('dev-to-git (got 9, bundled; bin/dev-to-git.umd.js)', () => {
  let bin: string;
  let work: string;
  let target: { id: number };
  const repository = ['--repository-url', 'https://github.com/quire-test/articles.git'];
  const devToGit = (token: string) =>
    runClient(bin, ['--dev-to-token', token, ...repository], work);
  const writeArticle = (text: string) => writeFile(join(work, 'article.md'), text);

  before(async () => {
    bin = join(await pointedAtQuire('dev-to-git', 'bin/dev-to-git.umd.js', 2), 'bin/index.js');
    work = await workFolder('dev-to-git');
    // dev-to-git only updates: the article exists, and its config file names it.
    target = await postArticle(server, author, {
      body_markdown: '---\ntitle: Kept in git\npublished: true\n---\n\nFirst version.\n',
    });
    await writeFile(
      join(work, 'dev-to-git.json'),
      JSON.stringify([{ id: target.id, relativePathToArticle: './article.md' }]),
    );
  });

  test('reads GET /api/articles/me/all, then updates with PUT /api/articles/{id}', async () => {
    const text = '---\ntitle: Kept in git\npublished: true\n---\n\nSecond version, from git.\n';
    await writeArticle(text);
    const run = await devToGit(author.key);
    assert.equal(run.code, 0, run.out);
    assert.match(run.stdout, /\[PUBLISHED\] Article "Kept in git" has been successfully updated/);
    const updated = await article(target.id);
    assert.equal(updated.body_markdown, text);
    assert.match(updated.body_html, /Second version, from git\./);

    const again = await devToGit(author.key);
    assert.equal(again.code, 0, again.out);
    assert.match(again.stdout, /Article "Kept in git" is already up to date/);
  });

  test('a bad key: the 401 reaches the output and the exit code', async () => {
    const run = await devToGit('quire_not-a-key');
    assert.equal(run.code, 1, run.out);
    assert.match(run.stdout, /Article "Kept in git" encountered an error:/);
    assert.match(run.stdout, /Error message: "Response code 401 \(Unauthorized\)"/);
  });

  test('a bad article: the 422 reaches the output and the exit code', async () => {
    await writeArticle('---\ntitle: Kept in git\ntags: a, b, c, d, e\n---\n\nFive tags.\n');
    const run = await devToGit(author.key);
    assert.equal(run.code, 1, run.out);
    assert.match(run.stdout, /\[DRAFT\] Article "Kept in git" encountered an error:/);
    assert.match(run.stdout, /Error message: "Response code 422 \(Unprocessable Entity\)"/);
    assert.match((await article(target.id)).body_html, /Second version, from git\./);
  });
});
