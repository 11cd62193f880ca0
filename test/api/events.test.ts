/**
 * The events outbox: every change appends its events, in order, in the transaction that makes the
 * change; refused requests append nothing; a failed transaction leaves no event and runs no
 * after-commit hook.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { appendEvent } from '../../src/events/outbox.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { findPgBin } from '../helpers/pg-cluster.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let alice: Author;
let bob: Author;

type Json = Record<string, any>;

interface Event {
  id: number;
  type: string;
  subject: string;
  created_at: string;
  payload: { type: string; timestamp: string; data: Json };
}

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

async function events(): Promise<Event[]> {
  const rows = await server.ctx.database.db
    .selectFrom('events')
    .selectAll()
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), payload: JSON.parse(r.payload) }));
}

/** Runs `fn` and returns the events it appended. */
async function appended(fn: () => Promise<unknown>): Promise<Event[]> {
  const last = (await events()).at(-1)?.id ?? 0;
  await fn();
  return (await events()).filter((e) => e.id > last);
}

/** Moves the clock on and returns the new "now" as the events should stamp it. */
function tick(ms = 1_234): string {
  server.clock.advance(ms);
  return server.clock.now().toISOString();
}

function assertEvents(list: Event[], types: string[], subject: string, timestamp: string) {
  assert.deepEqual(
    list.map((e) => e.type),
    types,
  );
  for (const e of list) {
    assert.equal(e.payload.type, e.type);
    assert.equal(e.subject, subject);
    assert.equal(e.payload.timestamp, timestamp);
    assert.equal(e.created_at, timestamp);
    assert.deepEqual(Object.keys(e.payload).sort(), ['data', 'timestamp', 'type']);
  }
}

async function call(
  method: 'post' | 'put' | 'delete',
  path: string,
  author: Author | null,
  article?: Json,
) {
  return server.client()[method](path, {
    ...(author && { key: author.key }),
    ...(article && { json: { article } }),
  });
}

async function ok(method: 'post' | 'put', path: string, author: Author, article: Json) {
  const res = await call(method, path, author, article);
  assert.equal(res.status, method === 'post' ? 201 : 200, res.text);
  return res.json();
}

test('user.created is appended with the account as the API shows it', async () => {
  assert.deepEqual(await events(), [], 'a fresh database has no events');
  const at = tick();
  let admin: Author | undefined;
  const list = await appended(async () => {
    admin = await makeAuthor(server, 'evt_admin');
  });
  assert.ok(admin);
  assertEvents(list, ['user.created'], `user:${admin.id}`, at);
  const shown = await server.client().get(`/api/users/${admin.id}`);
  assert.deepEqual(list[0]?.payload.data, shown.json());

  alice = await makeAuthor(server, 'evt_alice');
  bob = await makeAuthor(server, 'evt_bob');
  const all = await events();
  assert.deepEqual(
    all.map((e) => [e.type, e.subject]),
    [
      ['user.created', `user:${admin.id}`],
      ['user.created', `user:${alice.id}`],
      ['user.created', `user:${bob.id}`],
    ],
  );
});

/** What events no webhook hears carry: the single-article shape without its body. */
function withoutBody(article: Json, published: boolean): Json {
  const { body_html: _html, body_markdown: _markdown, ...rest } = article;
  return { ...rest, published };
}

test('creating a published article appends article.created then article.published', async () => {
  const at = tick();
  let article: Json = {};
  const list = await appended(async () => {
    article = await ok('post', '/api/articles', alice, {
      title: 'Evented',
      published: true,
      tags: ['events', 'outbox'],
      series: 'Event Series',
      body_markdown: 'Some *body*.',
    });
  });
  assertEvents(list, ['article.created', 'article.published'], `article:${article.id}`, at);
  // article.created is for caches only: the article without its body, which webhooks get.
  assert.deepEqual(list[0]?.payload.data, withoutBody(article, true));
  const data = list[1]?.payload.data ?? {};
  assert.equal(data.tag_list, 'events, outbox', 'the single-article shape');
  assert.deepEqual(data.tags, ['events', 'outbox']);
  assert.equal(data.body_markdown, 'Some *body*.');
  assert.match(data.body_html, /<em>body<\/em>/);
  assert.deepEqual(data, (await server.client().get(`/api/articles/${article.id}`)).json());
});

test('a draft appends only article.created; publishing it appends updated then published', async () => {
  let at = tick();
  let draft: Json = {};
  let list = await appended(async () => {
    draft = await ok('post', '/api/articles', alice, { title: 'Draft first' });
  });
  assertEvents(list, ['article.created'], `article:${draft.id}`, at);
  assert.deepEqual(list[0]?.payload.data, withoutBody(draft, false));
  assert.equal(list[0]?.payload.data.published_at, null);

  at = tick();
  let published: Json = {};
  list = await appended(async () => {
    published = await ok('put', `/api/articles/${draft.id}`, alice, { published: true });
  });
  assertEvents(list, ['article.updated', 'article.published'], `article:${draft.id}`, at);
  for (const e of list) assert.deepEqual(e.payload.data, published);
  assert.notEqual(published.slug, draft.slug, 'the data is the article after the change');

  at = tick();
  let edited: Json = {};
  list = await appended(async () => {
    edited = await ok('put', `/api/articles/${draft.id}`, alice, { title: 'Edited title' });
  });
  assertEvents(list, ['article.updated'], `article:${draft.id}`, at);
  assert.deepEqual(list[0]?.payload.data, edited);
  assert.equal(list[0]?.payload.data.title, 'Edited title');
});

test('unpublishing and republishing append their events after article.updated', async () => {
  const article = await ok('post', '/api/articles', bob, { title: 'On and off', published: true });
  let at = tick();
  let off: Json = {};
  let list = await appended(async () => {
    off = await ok('put', `/api/articles/${article.id}`, bob, { published: false });
  });
  assertEvents(list, ['article.updated', 'article.unpublished'], `article:${article.id}`, at);
  for (const e of list) assert.deepEqual(e.payload.data, off);

  at = tick();
  list = await appended(async () => {
    await ok('put', `/api/articles/${article.id}`, bob, { title: 'Still off' });
  });
  assertEvents(list, ['article.updated'], `article:${article.id}`, at);

  at = tick();
  let on: Json = {};
  list = await appended(async () => {
    on = await ok('put', `/api/articles/${article.id}`, bob, { published: true });
  });
  assertEvents(list, ['article.updated', 'article.published'], `article:${article.id}`, at);
  for (const e of list) assert.deepEqual(e.payload.data, on);
});

test('a future publication date appends article.scheduled instead of article.published', async () => {
  const when = new Date(server.clock.now().getTime() + 3 * 86_400_000).toISOString();
  let at = tick();
  let scheduled: Json = {};
  let list = await appended(async () => {
    scheduled = await ok('post', '/api/articles', alice, {
      body_markdown: `---\ntitle: Later\npublished: true\ndate: ${when}\n---\nSoon.`,
    });
  });
  assertEvents(list, ['article.created', 'article.scheduled'], `article:${scheduled.id}`, at);
  for (const e of list) assert.deepEqual(e.payload.data, withoutBody(scheduled, true));
  assert.equal(list[1]?.payload.data.published_at, when.replace(/\.\d{3}Z$/, 'Z'));

  const draft = await ok('post', '/api/articles', alice, { title: 'Draft to schedule' });
  at = tick();
  list = await appended(async () => {
    await ok('put', `/api/articles/${draft.id}`, alice, { published: true, published_at: when });
  });
  assertEvents(list, ['article.updated', 'article.scheduled'], `article:${draft.id}`, at);
});

test('deleting appends article.deleted: the single-article shape without the body', async () => {
  const article = await ok('post', '/api/articles', bob, {
    title: 'Soon gone',
    published: true,
    tags: 'gone, deleted',
    body_markdown: 'Body that the event leaves out.',
  });
  const at = tick();
  const shown = (await server.client().get(`/api/articles/${article.id}`)).json();
  const list = await appended(async () => {
    const res = await call('delete', `/api/articles/${article.id}`, bob);
    assert.equal(res.status, 204);
  });
  assertEvents(list, ['article.deleted'], `article:${article.id}`, at);
  const data = list[0]?.payload.data ?? {};
  assert.equal('body_html' in data, false);
  assert.equal('body_markdown' in data, false);
  const { body_html: _html, body_markdown: _markdown, ...rest } = shown;
  for (const [key, value] of Object.entries(rest)) assert.deepEqual(data[key], value, key);
  assert.equal(data.tag_list, 'gone, deleted');
  assert.deepEqual(data.tags, ['gone', 'deleted']);
});

test('refused requests append no event and change no row', async () => {
  const mine = await ok('post', '/api/articles', alice, { title: 'Guarded', published: true });
  const draft = await ok('post', '/api/articles', alice, { title: 'Guarded draft' });
  const before = await snapshot(server);
  const refusals: Array<[number, () => ReturnType<typeof call>]> = [
    [422, () => call('put', `/api/articles/${mine.id}`, alice, { tags: 'a, b, c, d, e' })],
    [422, () => call('put', `/api/articles/${mine.id}`, alice, { title: 'x'.repeat(129) })],
    [
      422,
      () => call('put', `/api/articles/${mine.id}`, alice, { canonical_url: 'ftp://x.example' }),
    ],
    [403, () => call('put', `/api/articles/${mine.id}`, bob, { title: 'Taken over' })],
    [403, () => call('delete', `/api/articles/${mine.id}`, bob)],
    [404, () => call('put', `/api/articles/${draft.id}`, bob, { published: true })],
    [404, () => call('delete', `/api/articles/${draft.id}`, bob)],
    [401, () => call('put', `/api/articles/${mine.id}`, null, { title: 'Anonymous' })],
    [
      422,
      () =>
        call('post', '/api/articles', alice, { title: 'Five', tags: ['a', 'b', 'c', 'd', 'e'] }),
    ],
    [422, () => call('post', '/api/articles', alice, { body_markdown: 'no title' })],
    [401, () => call('post', '/api/articles', null, { title: 'Anonymous' })],
    [404, () => call('delete', '/api/articles/999999', alice)],
  ];
  for (const [status, send] of refusals) {
    const res = await send();
    assert.equal(res.status, status, res.text);
  }
  assert.deepEqual(await snapshot(server), before);
});

/** Makes the database refuse to store events of one type, for the length of `fn`. */
async function refusingEvents(type: string, fn: () => Promise<void>): Promise<void> {
  assert.match(type, /^[a-z.]+$/);
  const db = server.ctx.database.db;
  if (server.ctx.database.dialect === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER quire_test_refuse BEFORE INSERT ON events WHEN NEW.type = '${type}' ` +
          `BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
      )
      .execute(db);
  } else {
    await sql
      .raw(
        `ALTER TABLE events ADD CONSTRAINT quire_test_refuse CHECK (type <> '${type}') NOT VALID`,
      )
      .execute(db);
  }
  try {
    await fn();
  } finally {
    const drop =
      server.ctx.database.dialect === 'sqlite'
        ? 'DROP TRIGGER quire_test_refuse'
        : 'ALTER TABLE events DROP CONSTRAINT quire_test_refuse';
    await sql.raw(drop).execute(db);
  }
}

test('a change whose event cannot be stored does not happen at all', async () => {
  const existing = await ok('post', '/api/articles', alice, {
    title: 'Survivor',
    published: true,
    tags: 'survivor',
  });
  const before = await snapshot(server);

  await refusingEvents('article.published', async () => {
    const res = await call('post', '/api/articles', alice, {
      title: 'Never stored',
      published: true,
      tags: 'brandnewtag',
      series: 'Brand New Series',
    });
    assert.equal(res.status, 500);
  });
  await refusingEvents('article.updated', async () => {
    const res = await call('put', `/api/articles/${existing.id}`, alice, {
      title: 'Never renamed',
      tags: 'othertag',
    });
    assert.equal(res.status, 500);
  });
  await refusingEvents('article.unpublished', async () => {
    const res = await call('put', `/api/articles/${existing.id}`, alice, { published: false });
    assert.equal(res.status, 500);
  });
  await refusingEvents('article.deleted', async () => {
    const res = await call('delete', `/api/articles/${existing.id}`, alice);
    assert.equal(res.status, 500);
  });
  assert.deepEqual(await snapshot(server), before, 'no article, tag, series or event changed');
  const still = await server.client().get(`/api/articles/${existing.id}`);
  assert.equal(still.status, 200);
  assert.equal(still.json().title, 'Survivor');

  await refusingEvents('user.created', async () => {
    await assert.rejects(makeAuthor(server, 'evt_never'));
  });
  assert.deepEqual(await snapshot(server), before, 'no account without its event');

  // With the refusal gone, the same requests go through and append their events.
  const list = await appended(async () => {
    assert.equal((await call('delete', `/api/articles/${existing.id}`, alice)).status, 204);
  });
  assert.deepEqual(
    list.map((e) => e.type),
    ['article.deleted'],
  );
});

test('appendEvent in a transaction that fails leaves no event', async () => {
  const subject = 'test:rollback';
  const count = async () =>
    (
      await server.ctx.database.db
        .selectFrom('events')
        .select('id')
        .where('subject', '=', subject)
        .execute()
    ).length;
  let insideCount = -1;
  await assert.rejects(
    server.ctx.database.transaction(async (tx) => {
      await appendEvent(
        tx,
        { type: 'article.created', subject: subject, data: { marker: 1 }, ownerId: null, keys: [] },
        server.clock.now(),
      );
      insideCount = (
        await tx.db.selectFrom('events').select('id').where('subject', '=', subject).execute()
      ).length;
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(insideCount, 1, 'the event existed inside the transaction');
  assert.equal(await count(), 0, 'and is gone after the rollback');

  await server.ctx.database.transaction(async (tx) => {
    await appendEvent(
      tx,
      { type: 'article.created', subject: subject, data: { marker: 2 }, ownerId: null, keys: [] },
      server.clock.now(),
    );
  });
  assert.equal(await count(), 1, 'a committed transaction keeps it');
  const row = (await events()).find((e) => e.subject === subject);
  assert.deepEqual(row?.payload, {
    type: 'article.created',
    timestamp: server.clock.now().toISOString(),
    data: { marker: 2 },
  });
});

test('onCommit hooks run after the commit, and never after a rollback', async () => {
  const subject = 'test:hooks';
  const countCommitted = async () =>
    (
      await server.ctx.database.db
        .selectFrom('events')
        .select('id')
        .where('subject', '=', subject)
        .execute()
    ).length;
  /**
   * What another connection sees at this very moment. The read is synchronous (a second SQLite
   * connection, or psql in a child process), so the server cannot commit while it runs.
   */
  const seenFromOutside = (): number => {
    const target = server.ctx.config.database;
    if (target.kind === 'postgres') {
      const bin = findPgBin();
      assert.ok(bin, 'psql is needed');
      const query = `SELECT count(*) FROM events WHERE subject = '${subject}'`;
      return Number(execFileSync(join(bin, 'psql'), [target.url, '-Atc', query]).toString().trim());
    }
    const reader = new DatabaseSync(target.path, { readOnly: true });
    try {
      const row = reader
        .prepare('SELECT count(*) AS n FROM events WHERE subject = ?')
        .get(subject) as { n: number };
      return Number(row.n);
    } finally {
      reader.close();
    }
  };
  const steps: string[] = [];
  let seenByHook: number | undefined;
  const result = await server.ctx.database.transaction(async (tx) => {
    tx.onCommit(() => {
      steps.push('first hook');
      seenByHook = seenFromOutside();
    });
    tx.onCommit(() => steps.push('second hook'));
    await appendEvent(
      tx,
      { type: 'article.created', subject: subject, data: {}, ownerId: null, keys: [] },
      server.clock.now(),
    );
    steps.push('body done');
    return 'result';
  });
  assert.equal(result, 'result');
  assert.deepEqual(steps, ['body done', 'first hook', 'second hook']);
  assert.equal(seenByHook, 1, 'the hook sees the committed row');

  let ran = false;
  await assert.rejects(
    server.ctx.database.transaction(async (tx) => {
      tx.onCommit(() => {
        ran = true;
      });
      await appendEvent(
        tx,
        { type: 'article.created', subject: subject, data: {}, ownerId: null, keys: [] },
        server.clock.now(),
      );
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(ran, false, 'no hook after a rollback');

  // A failure inside the database (not in our code) rolls back and skips the hooks too.
  await assert.rejects(
    server.ctx.database.transaction(async (tx) => {
      tx.onCommit(() => {
        ran = true;
      });
      await appendEvent(
        tx,
        { type: 'article.created', subject: subject, data: {}, ownerId: null, keys: [] },
        server.clock.now(),
      );
      await tx.db
        .insertInto('settings')
        .values([
          { key: 'test_dup', value: '1', updated_at: 'x' },
          { key: 'test_dup', value: '2', updated_at: 'x' },
        ])
        .execute();
    }),
  );
  assert.equal(ran, false);
  assert.equal(await countCommitted(), 1, 'only the committed event remains');
});
