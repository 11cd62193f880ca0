/** The `quire` command: help, accounts and keys, migrations, and start-up failures. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { quire } from '../helpers/cli.ts';
import { createTestDatabase, dialect, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/net.ts';
import { TEST_SECRET } from '../helpers/server.ts';

let db: TestDatabase;
let env: Record<string, string>;

before(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url, QUIRE_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' };
});
after(() => db.drop());

/** One readable line on stderr, no stack trace, and a non-zero exit. */
function assertOneLineFailure(result: { code: number | null; stderr: string }, pattern: RegExp) {
  assert.notEqual(result.code, 0);
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

/** Every command group and the commands it holds. */
const GROUPS: Record<string, string[]> = {
  user: ['create'],
  apikey: ['create'],
  feeds: ['add', 'list', 'remove', 'poll'],
  webhooks: ['list', 'deliveries', 'replay'],
  events: ['rewind'],
};

describe('help', () => {
  test('quire --help lists every command, and names the groups', async () => {
    const r = await quire(['--help']);
    assert.equal(r.code, 0);
    for (const name of ['serve', 'worker', 'migrate', 'import'])
      assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
    for (const [group, members] of Object.entries(GROUPS)) {
      for (const member of members)
        assert.match(r.stdout, new RegExp(`^  ${group} ${member} `, 'm'));
    }
    assert.match(r.stdout, /"quire <group> --help"[^(]*\(user, apikey, feeds, webhooks, events\)/);
  });

  for (const [group, members] of Object.entries(GROUPS)) {
    test(`quire ${group} --help lists its commands; quire ${group} alone does too, with exit 2`, async () => {
      const help = await quire([group, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: quire ${group} <command>`));
      for (const member of members)
        assert.match(help.stdout, new RegExp(`^  quire ${group} ${member}\\b`, 'm'));
      const bare = await quire([group]);
      assert.equal(bare.code, 2);
      assert.equal(bare.stdout, help.stdout);
    });
  }

  for (const command of [['serve'], ['migrate'], ['user', 'create'], ['apikey', 'create']]) {
    test(`quire ${command.join(' ')} --help shows its usage`, async () => {
      const r = await quire([...command, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: quire ${command.join(' ')}`));
    });
  }

  test('help loads neither the server, the database code nor their packages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-modules-'));
    const hook = pathToFileURL(join(import.meta.dirname, '..', 'helpers', 'record-modules.ts'));
    try {
      for (const args of [['--help'], ['feeds', '--help'], ['serve', '--help']]) {
        const list = join(dir, `${args.join('_')}.txt`);
        const r = await quire(args, {
          NODE_OPTIONS: `--import ${hook.href}`,
          QUIRE_TEST_MODULE_LIST: list,
        });
        assert.equal(r.code, 0, r.stderr);
        const loaded = readFileSync(list, 'utf8').split('\n');
        // The hook saw the command itself, so an empty list cannot pass for a light one.
        assert.ok(loaded.some((url) => url.endsWith('/src/cli/main.ts')));
        const heavy = loaded.filter((url) =>
          /\/src\/(server|app|context|background)\.ts$|\/src\/(db|modules|http|web)\/|\/node_modules\/(fastify|kysely|pg|pino|typebox)\//.test(
            url,
          ),
        );
        assert.deepEqual(heavy, [], `quire ${args.join(' ')} loaded them`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown command or option is a usage error (exit 2)', async () => {
    assert.equal((await quire(['frobnicate'])).code, 2);
    const inGroup = await quire(['feeds', 'frobnicate']);
    assert.equal(inGroup.code, 2);
    assert.match(
      inGroup.stderr,
      /^quire: unknown command "feeds frobnicate"; run "quire feeds --help"/,
    );
    const r = await quire(['user', 'create', '--nope', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^quire: .*--nope/);
  });

  test('a missing required option names it', async () => {
    const r = await quire(['user', 'create', '--username', 'someone'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing --email \(/);
  });
});

describe('accounts and keys', () => {
  test('migrate applies the schema once, then reports it up to date', async () => {
    const fresh = await createTestDatabase();
    try {
      const first = await quire(['migrate'], { ...env, DATABASE_URL: fresh.url });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /Applied: 0001-initial/);
      const second = await quire(['migrate'], { ...env, DATABASE_URL: fresh.url });
      assert.match(second.stdout, /up to date/);
    } finally {
      await fresh.drop();
    }
  });

  test('user create makes the first account an administrator, then ordinary users', async () => {
    const first = await quire(
      [
        'user',
        'create',
        '--username',
        'root_user',
        '--email',
        'root@example.test',
        '--password',
        'long enough',
      ],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Created administrator @root_user/);
    const second = await quire(
      [
        'user',
        'create',
        '--username',
        'second',
        '--email',
        'second@example.test',
        '--password',
        'long enough',
      ],
      env,
    );
    assert.match(second.stdout, /Created user @second/);
    const admin = await quire(
      [
        'user',
        'create',
        '--username',
        'third',
        '--email',
        'third@example.test',
        '--password',
        'long enough',
        '--admin',
      ],
      env,
    );
    assert.match(admin.stdout, /Created administrator @third/);
  });

  test('user create refuses bad input with one readable line', async () => {
    const r = await quire(
      [
        'user',
        'create',
        '--username',
        'No Way',
        '--email',
        'x@example.test',
        '--password',
        'long enough',
      ],
      env,
    );
    assertOneLineFailure(r, /^quire: Username must be/);
    const short = await quire(
      [
        'user',
        'create',
        '--username',
        'shorty',
        '--email',
        's@example.test',
        '--password',
        'short',
      ],
      env,
    );
    assertOneLineFailure(short, /^quire: Password is too short/);
  });

  test('apikey create prints the key alone on the last line', async () => {
    const r = await quire(['apikey', 'create', '--username', 'second', '--name', 'laptop'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines.at(-1) ?? '', /^quire_[A-Za-z0-9_-]{32}$/);
    const unknown = await quire(['apikey', 'create', '--username', 'nobody_here'], env);
    assertOneLineFailure(unknown, /^quire: no account named "nobody_here"/);
  });
});

describe('start-up failures', () => {
  test('a bad DATABASE_URL gives one readable line and a non-zero exit', async () => {
    const r = await quire(['serve'], { ...env, DATABASE_URL: 'mysql://localhost/quire' });
    assertOneLineFailure(r, /^quire: DATABASE_URL must be sqlite:<path> or postgres:/);
  });

  test('an unreachable PostgreSQL gives one readable line', async () => {
    const port = await freePort();
    const r = await quire(['migrate'], {
      ...env,
      DATABASE_URL: `postgres://nobody:secret@127.0.0.1:${port}/quire`,
    });
    assertOneLineFailure(
      r,
      /^quire: cannot connect to postgres:\/\/nobody@127\.0\.0\.1:\d+\/quire: /,
    );
    assert.doesNotMatch(r.stderr, /secret/, 'the password is not printed');
  });

  test('PostgreSQL without QUIRE_SECRET is refused', async () => {
    const r = await quire(['serve'], {
      DATABASE_URL: 'postgres://127.0.0.1/quire',
      QUIRE_SECRET: '',
    });
    assertOneLineFailure(r, /^quire: QUIRE_SECRET is required with PostgreSQL/);
  });

  test('a bad PORT gives one readable line', async () => {
    const r = await quire(['serve'], { ...env, PORT: 'eighty' });
    assertOneLineFailure(r, /^quire: PORT must be a whole number/);
  });

  test('a port already in use gives one readable line and a non-zero exit', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      const r = await quire(['serve'], { ...env, PORT: String(port), LOG_LEVEL: 'silent' });
      assert.equal(r.database, db.url, 'serve names its database too');
      assertOneLineFailure(
        r,
        new RegExp(`^quire: port ${port} on 127\\.0\\.0\\.1 is already in use$`),
      );
    } finally {
      blocker.close();
    }
  });
});

describe('the database a command opens', () => {
  test('each command names it first on stderr, a PostgreSQL URL without its password', async () => {
    // The test database's URL is already in the shape named: an absolute SQLite path, or
    // postgres://user@host:port/database.
    assert.match(db.url, /^(sqlite:\/|postgres:\/\/postgres@127\.0\.0\.1:\d+\/quire_t_)/);
    let url = db.url;
    if (dialect === 'postgres') {
      // Trust authentication ignores the password: it is there only to be left out.
      const withPassword = new URL(db.url);
      withPassword.password = 'hunter2-secret';
      withPassword.searchParams.set('application_name', 'cli-test');
      url = withPassword.href;
    }
    const run = { ...env, DATABASE_URL: url };
    const results = {
      migrate: await quire(['migrate'], run),
      'user create': await quire(
        [
          'user',
          'create',
          '--username',
          'named_db',
          '--email',
          'n@example.test',
          '--password-stdin',
        ],
        run,
        { input: 'long enough\n' },
      ),
      'apikey create': await quire(['apikey', 'create', '--username', 'named_db'], run),
      'feeds list': await quire(['feeds', 'list', '--username', 'named_db'], run),
      'webhooks list': await quire(['webhooks', 'list', '--username', 'named_db'], run),
    };
    for (const [name, r] of Object.entries(results)) {
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.database, db.url, `${name} names its database`);
      assert.doesNotMatch(r.stdout, /^using /m, `${name} keeps it off standard output`);
    }
    const key = results['apikey create'].stdout.trimEnd().split('\n').at(-1);
    assert.match(key ?? '', /^quire_[A-Za-z0-9_-]{32}$/, 'the key is still the last line');
  });

  test('help and usage errors open nothing, so they name nothing', async () => {
    for (const args of [['--help'], ['user', 'create', '--help'], ['feeds'], ['migrate', 'x']]) {
      const r = await quire(args, env);
      assert.equal(r.database, undefined, args.join(' '));
    }
  });
});
