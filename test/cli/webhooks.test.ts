/**
 * `quire webhooks list|deliveries|replay` as an operator runs them against the test server's
 * database: a table of endpoints with their state, each delivery with its attempts, replays
 * that the server then sends with the same webhook-id, and one-line errors for bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { drainAll, type Sink, startSink } from '../api/webhook-support.ts';
import { quire } from '../helpers/cli.ts';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let sink: Sink;
let env: Record<string, string>;
/** Hears every account's events, so its endpoints get deliveries. */
let admin: Author;

type Json = Record<string, any>;

before(async () => {
  // The command line stamps replays with the real time; the server's clock starts there too.
  server = await startTestServer({
    now: new Date().toISOString(),
    env: { QUIRE_ALLOW_PRIVATE_URLS: '1', QUIRE_DELIVERY_RETRY_SCHEDULE: '0' },
  });
  admin = await makeAuthor(server, 'cli_hooks', { admin: true });
  await makeAuthor(server, 'cli_quiet');
  sink = await startSink();
  env = { DATABASE_URL: server.db.url, QUIRE_SECRET: TEST_SECRET, LOG_LEVEL: 'warn' };
});
after(async () => {
  await server.close();
  await sink.close();
});

/** One readable line on stderr, no stack trace, and a non-zero exit. */
function assertOneLineFailure(
  result: { code: number | null; stdout: string; stderr: string },
  pattern: RegExp,
) {
  assert.notEqual(result.code, 0, result.stderr);
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^quire: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at |Error:/, 'no stack trace');
  assert.equal(result.stdout, '');
}

async function createHook(owner: Author, path: string, events = ['article.published']) {
  const res = await server.client().post('/api/webhooks', {
    key: owner.key,
    json: { webhook_endpoint: { target_url: sink.url(path), events } },
  });
  assert.equal(res.status, 201, res.text);
  return res.json<Json & { id: number }>();
}

async function deliveriesOf(hookId: number): Promise<Json[]> {
  const res = await server.client().get(`/api/webhooks/${hookId}/deliveries`, { key: admin.key });
  assert.equal(res.status, 200, res.text);
  return res.json();
}

async function publish(title: string) {
  await postArticle(server, admin, { title, body_markdown: `On ${title}.`, published: true });
  await drainAll(server);
}

/** Moves the server's clock past the real time, so what the command line queued is due. */
async function sendQueued() {
  server.clock.set(new Date(Math.max(Date.now() + 1000, server.clock.now().getTime())));
  await drainAll(server);
}

describe('help', () => {
  test('each command has --help, and the overview lists them', async () => {
    const overview = await quire(['--help']);
    for (const name of ['webhooks list', 'webhooks deliveries', 'webhooks replay'])
      assert.match(overview.stdout, new RegExp(`\\n  ${name} {2,}\\S`));
    const usages: Array<[string, RegExp, string[]]> = [
      ['list', /^Usage: quire webhooks list --username U\n/, ['--username']],
      [
        'deliveries',
        /^Usage: quire webhooks deliveries --username U --id N \[--status /,
        ['--username', '--id', '--status', '--page', '--per-page'],
      ],
      [
        'replay',
        /^Usage: quire webhooks replay --username U --id N \(--delivery D \| --status /,
        ['--username', '--id', '--delivery', '--status', '--since', '--until'],
      ],
    ];
    for (const [name, usage, options] of usages) {
      const help = await quire(['webhooks', name, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, usage);
      for (const option of [...options, '--help'])
        assert.match(help.stdout, new RegExp(`\\n  ${option}\\b`), `${name} ${option}`);
    }
  });
});

describe('quire webhooks list', () => {
  test('a table of id, target, events and state: active, failing, disabled', async () => {
    const none = await quire(['webhooks', 'list', '--username', 'cli_quiet'], env);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, 'No webhook endpoints.\n');

    const healthy = await createHook(admin, '/list-ok', ['article.published', 'article.deleted']);
    const failing = await createHook(admin, '/list-failing');
    const gone = await createHook(admin, '/list-gone');
    sink.answer('/list-failing', { status: 500 });
    sink.answer('/list-gone', { status: 410 });
    const failedAt = server.clock.now().toISOString();
    await publish('Listed');

    const res = await quire(['webhooks', 'list', '--username', 'cli_hooks'], env);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID +TARGET +EVENTS +STATE$/);
    const columns = (line: string) => line.split(/ {2,}/);
    assert.deepEqual(lines.slice(1).map(columns), [
      [String(healthy.id), sink.url('/list-ok'), 'article.published,article.deleted', 'active'],
      [
        String(failing.id),
        sink.url('/list-failing'),
        'article.published',
        `failing since ${failedAt}`,
      ],
      [
        String(gone.id),
        sink.url('/list-gone'),
        'article.published',
        `disabled ${failedAt}: The endpoint answered 410 Gone`,
      ],
    ]);
    // Columns line up: every row starts its target where the header's TARGET starts.
    const at = (lines[0] ?? '').indexOf('TARGET');
    for (const line of lines.slice(1)) assert.equal(line.indexOf('http'), at, line);
    for (const hook of [healthy, failing, gone])
      await server.client().delete(`/api/webhooks/${hook.id}`, { key: admin.key });
  });

  test('an unknown account is one line and exit 2; a missing --username too', async () => {
    const res = await quire(['webhooks', 'list', '--username', 'nobody_here'], env);
    assertOneLineFailure(res, /no account named "nobody_here"/);
    assert.equal(res.code, 2);
    const missing = await quire(['webhooks', 'list'], env);
    assertOneLineFailure(missing, /missing --username/);
    assert.equal(missing.code, 2);
  });
});

describe('quire webhooks deliveries and replay', () => {
  let hook: Json & { id: number };
  let dead: Json[];

  before(async () => {
    hook = await createHook(admin, '/cli');
    sink.otherwise('/cli', { status: 502, body: `upstream down ${'!'.repeat(300)}` });
    for (const title of ['First dead', 'Second dead', 'Third dead']) {
      await publish(title);
      server.clock.advance(60_000);
    }
    dead = await deliveriesOf(hook.id);
    assert.deepEqual(
      dead.map((d) => d.status),
      ['dead', 'dead', 'dead'],
    );
    sink.otherwise('/cli', { status: 200, body: 'thanks' });
  });

  test('each delivery with its attempts: outcome, status code, latency, the answer', async () => {
    const res = await quire(
      ['webhooks', 'deliveries', '--username', 'cli_hooks', '--id', String(hook.id)],
      env,
    );
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 6, res.stdout);
    for (const [i, d] of dead.entries()) {
      const head = lines[i * 2] ?? '';
      const attempt = lines[i * 2 + 1] ?? '';
      assert.equal(
        head,
        `delivery ${d.id}  ${d.message_id}  article.published  dead after 1 attempt  (created ${d.created_at})`,
      );
      const a = d.attempt_log[0];
      assert.match(
        attempt,
        new RegExp(`^  ${a.attempted_at}  failed +502 +${a.latency_ms} ms  upstream down !{86}…$`),
      );
    }
    const filtered = await quire(
      [
        'webhooks',
        'deliveries',
        '--username',
        'cli_hooks',
        '--id',
        String(hook.id),
        '--status',
        'succeeded',
      ],
      env,
    );
    assert.equal(filtered.stdout, 'No deliveries.\n');
    const paged = await quire(
      [
        'webhooks',
        'deliveries',
        '--username',
        'cli_hooks',
        '--id',
        String(hook.id),
        '--per-page',
        '1',
        '--page',
        '2',
      ],
      env,
    );
    assert.match(paged.stdout, new RegExp(`^delivery ${dead[1]?.id} `));
    assert.equal(paged.stdout.trimEnd().split('\n').length, 2);
  });

  test('replay of one delivery: the server sends it again with the same webhook-id', async () => {
    const [newest] = dead;
    assert.ok(newest);
    const before = sink.to('/cli').length;
    const res = await quire(
      [
        'webhooks',
        'replay',
        '--username',
        'cli_hooks',
        '--id',
        String(hook.id),
        '--delivery',
        String(newest.id),
      ],
      env,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      `Queued delivery ${newest.id} (${newest.message_id}) to be sent again by the running server or worker.\n`,
    );
    await sendQueued();
    const sent = sink.to('/cli').slice(before);
    assert.deepEqual(
      sent.map((r) => r.headers['webhook-id']),
      [newest.message_id],
    );
    const after = await deliveriesOf(hook.id);
    assert.equal(after.find((d) => d.id === newest.id)?.status, 'succeeded');
  });

  test('replay of the dead ones between --since and --until', async () => {
    const [, second, oldest] = dead;
    assert.ok(second && oldest);
    const before = sink.to('/cli').length;
    const res = await quire(
      [
        'webhooks',
        'replay',
        '--username',
        'cli_hooks',
        '--id',
        String(hook.id),
        '--status',
        'dead',
        '--since',
        oldest.created_at,
        '--until',
        second.created_at,
      ],
      env,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      'Queued 2 deliveries to be sent again by the running server or worker.\n',
    );
    await sendQueued();
    assert.deepEqual(
      sink
        .to('/cli')
        .slice(before)
        .map((r) => r.headers['webhook-id'])
        .sort(),
      [oldest.message_id, second.message_id].sort(),
    );
    const again = await quire(
      [
        'webhooks',
        'replay',
        '--username',
        'cli_hooks',
        '--id',
        String(hook.id),
        '--status',
        'dead',
      ],
      env,
    );
    assert.equal(
      again.stdout,
      'Queued 0 deliveries to be sent again by the running server or worker.\n',
    );
  });

  test('bad input: one line, non-zero, nothing queued', async () => {
    const base = ['--username', 'cli_hooks', '--id', String(hook.id)];
    const cases: Array<[string[], RegExp]> = [
      [
        ['webhooks', 'deliveries', '--username', 'nobody_here', '--id', '1'],
        /no account named "nobody_here"/,
      ],
      [
        ['webhooks', 'deliveries', '--username', 'cli_hooks', '--id', '999999'],
        /@cli_hooks has no webhook endpoint 999999/,
      ],
      [
        ['webhooks', 'deliveries', '--username', 'cli_quiet', '--id', String(hook.id)],
        new RegExp(`@cli_quiet has no webhook endpoint ${hook.id}`),
      ],
      [
        ['webhooks', 'deliveries', '--username', 'cli_hooks', '--id', 'abc'],
        /--id must be a positive whole number, got "abc"/,
      ],
      [
        ['webhooks', 'deliveries', ...base, '--status', 'lost'],
        /Unknown status "lost"; choose from pending, succeeded, dead/,
      ],
      [['webhooks', 'deliveries', ...base, '--per-page', '500'], /--per-page must be at most 100/],
      [['webhooks', 'replay', ...base], /give either --delivery D, or --status/],
      [
        ['webhooks', 'replay', ...base, '--delivery', '1', '--status', 'dead'],
        /give either --delivery D, or --status/,
      ],
      [
        ['webhooks', 'replay', ...base, '--since', '2026-03-01'],
        /--since and --until need --status/,
      ],
      [
        ['webhooks', 'replay', ...base, '--delivery', '99999999'],
        new RegExp(`webhook endpoint ${hook.id} has no delivery 99999999`),
      ],
      [
        ['webhooks', 'replay', ...base, '--status', 'dead', '--since', 'last tuesday'],
        /since must be an ISO 8601 date or date-time with a zone.*"last tuesday"/,
      ],
      [
        ['webhooks', 'replay', ...base, '--status', 'dead', '--until', '2026-13-01T00:00:00Z'],
        /until must be an ISO 8601/,
      ],
      [
        [
          'webhooks',
          'replay',
          ...base,
          '--status',
          'dead',
          '--since',
          '2026-03-02',
          '--until',
          '2026-03-01',
        ],
        /until must not be earlier than since/,
      ],
      [
        ['webhooks', 'replay', ...base, '--status', 'pending'],
        /Unknown status "pending"; choose from dead, succeeded/,
      ],
      [
        [
          'webhooks',
          'replay',
          '--username',
          'cli_quiet',
          '--id',
          String(hook.id),
          '--delivery',
          String(dead[0]?.id),
        ],
        /@cli_quiet has no webhook endpoint/,
      ],
    ];
    const state = JSON.stringify(await deliveriesOf(hook.id));
    for (const [args, pattern] of cases) assertOneLineFailure(await quire(args, env), pattern);
    assert.equal(JSON.stringify(await deliveriesOf(hook.id)), state, 'nothing was queued');
  });
});
