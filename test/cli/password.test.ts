/** `quire user create` takes its password from standard input or a silent prompt, not only argv. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openContext } from '../../src/context.ts';
import { quire, quireInTerminal, SCRIPT_BIN } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { TEST_SECRET } from '../helpers/server.ts';

let db: TestDatabase;
let env: Record<string, string>;

before(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url, QUIRE_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' };
});
after(() => db.drop());

/** Signs in through the JSON API of an app on the same database; answers the status. */
async function signIn(login: string, password: string): Promise<number> {
  const ctx = await openContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }), {
    logger: pino({ level: 'silent' }),
  });
  const app = await buildApp(ctx);
  try {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { login, password },
    });
    return res.statusCode;
  } finally {
    await app.close();
    await ctx.database.close();
  }
}

const create = (username: string, extra: string[] = []) => [
  'user',
  'create',
  '--username',
  username,
  '--email',
  `${username}@example.test`,
  ...extra,
];

test('--password-stdin creates an account that signs in with that password', async () => {
  const r = await quire(create('from_stdin', ['--password-stdin']), env, {
    input: 'pipéd pässword ✓\n',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Created (administrator|user) @from_stdin/);
  assert.equal(await signIn('from_stdin', 'pipéd pässword ✓'), 200);
  assert.equal(await signIn('from_stdin', 'pipéd pässword ✓\n'), 401, 'the newline is not kept');
});

test('--password-stdin refuses empty input and several lines, creating nothing', async () => {
  const empty = await quire(create('empty_in', ['--password-stdin']), env, { input: '' });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /^quire: --password-stdin found no password/);
  const two = await quire(create('two_lines', ['--password-stdin']), env, {
    input: 'first one\nsecond\n',
  });
  assert.equal(two.code, 2);
  assert.match(two.stderr, /^quire: --password-stdin takes one line/);
  assert.equal(await signIn('two_lines', 'first one'), 401);
});

test('with no password option and no terminal, a usage error (exit 2) says what to do', async () => {
  const r = await quire(create('no_password'), env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^quire: no password: pipe it in with --password-stdin/);
  const both = await quire(
    create('both_ways', ['--password', 'long enough', '--password-stdin']),
    env,
    { input: 'long enough\n' },
  );
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^quire: give --password or --password-stdin, not both/);
});

test('--password still works, and its help says who else can see it', async () => {
  const r = await quire(create('on_argv', ['--password', 'long enough']), env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await signIn('on_argv', 'long enough'), 200);
  const help = await quire(['user', 'create', '--help']);
  assert.match(help.stdout, /--password <value> .*visible to other users of this machine/);
  assert.match(help.stdout, /--password-stdin /);
});

test(
  'on a terminal, the password is asked twice without being echoed',
  { skip: SCRIPT_BIN ? false : 'script (util-linux) is not installed: no pseudo-terminal' },
  async () => {
    const secret = 'typed-not-shown-42';
    const r = await quireInTerminal(create('at_terminal'), env, [
      { prompt: 'Password: ', type: secret },
      { prompt: 'Password again: ', type: secret },
    ]);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /using (sqlite|postgres):[^\n]*\n[\s\S]*Password: [\s\S]*again: /);
    assert.match(r.screen, /Created (administrator|user) @at_terminal/);
    assert.ok(!r.screen.includes(secret), `the password is not on the screen:\n${r.screen}`);
    assert.ok(!r.screen.includes('*'), 'nor a mask that tells its length');
    assert.equal(await signIn('at_terminal', secret), 200);

    const differ = await quireInTerminal(create('mistyped'), env, [
      { prompt: 'Password: ', type: 'one password' },
      { prompt: 'Password again: ', type: 'another one' },
    ]);
    assert.equal(differ.code, 2, differ.screen);
    assert.match(differ.screen, /the two passwords differ; nothing was created/);
    assert.equal(await signIn('mistyped', 'one password'), 401);
  },
);
