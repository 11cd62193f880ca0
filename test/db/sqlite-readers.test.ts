/**
 * Reads beside the writer: on SQLite, a SELECT outside a transaction runs on a reader thread,
 * so a slow one leaves the event loop free; what a transaction reads stays on the writer. The
 * visibility rules (a read after a commit sees it; a transaction sees its own writes, others do
 * not until it commits) hold on both databases.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { Database, type DbHandle } from '../../src/db/database.ts';
import type { Schema } from '../../src/db/schema.ts';
import { openSqlite } from '../../src/db/sqlite-adapter.ts';
import { RoutingSqliteDialect } from '../../src/db/sqlite-dialect.ts';
import { SqliteReaders } from '../../src/db/sqlite-readers.ts';
import { dialect } from '../helpers/database.ts';
import { countTo } from '../helpers/slow-read.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { find, one, scrape } from '../metrics/support.ts';

/** Rows a slow read counts: about a second, give or take a few times, where the suite runs. */
const SLOW = 3_000_000;
const sqliteOnly = dialect !== 'sqlite' && 'reader threads are SQLite only (pg is asynchronous)';

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { QUIRE_SQLITE_READERS: '2' } });
});
after(() => server.close());

/** 1 when the statement ran on a reader thread (its connection is query-only), else 0. */
const onReader = () =>
  dialect === 'sqlite' ? sql<number>`(select query_only from pragma_query_only())` : sql<number>`0`;

function tagNamed(db: DbHandle, name: string) {
  return db
    .selectFrom('tags')
    .select(['name', onReader().as('on_reader')])
    .where('name', '=', name)
    .executeTakeFirst();
}

/** Runs a read, counting the timer ticks of this thread between its start and its end. */
function timedRead(db: DbHandle, n: number) {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const outcome = { done: false, ticksDuring: 0 };
  const started = ticks;
  const result = countTo(db, n).finally(() => {
    outcome.done = true;
    outcome.ticksDuring = ticks - started;
    clearInterval(timer);
  });
  return { result, outcome };
}

test(
  'a slow read runs on a reader thread: timers keep ticking and /healthz answers before it ends',
  { skip: sqliteOnly },
  async () => {
    await countTo(server.ctx.database.db, 1); // a reader thread up, as on a node that has served
    const { result, outcome } = timedRead(server.ctx.database.db, SLOW);
    const health = await fetch(`${server.url}/healthz`);
    const pendingAtAnswer = !outcome.done;
    const stats = server.ctx.database.readerStats();
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.ok(pendingAtAnswer, '/healthz was answered while the read was still running');
    assert.equal(stats?.running, 1, 'the read was on a reader thread');
    assert.equal(await result, SLOW);
    assert.ok(outcome.ticksDuring > 0, 'timers ran while the read did');
  },
);

test(
  'without reader threads (QUIRE_SQLITE_READERS=0) the same read holds the event loop',
  { skip: sqliteOnly },
  async () => {
    const blocking = await startTestServer({ env: { QUIRE_SQLITE_READERS: '0' } });
    try {
      assert.equal(blocking.ctx.database.readerStats(), null);
      const { result, outcome } = timedRead(blocking.ctx.database.db, SLOW / 4);
      const health = await fetch(`${blocking.url}/healthz`);
      const pendingAtAnswer = !outcome.done;
      assert.equal(health.status, 200);
      assert.equal(await result, SLOW / 4);
      assert.equal(pendingAtAnswer, false, '/healthz waited for the read');
      assert.equal(outcome.ticksDuring, 0, 'no timer ran while the read did');
    } finally {
      await blocking.close();
    }
  },
);

test('a read that starts after a write has committed sees it, outside transactions or in them', async () => {
  const { database } = server.ctx;
  for (let i = 0; i < 40; i++) {
    const name = `raw_${i}`;
    const values = { name, created_at: '2026-03-01T12:00:00.000Z' };
    if (i % 2 === 0) await database.db.insertInto('tags').values(values).execute();
    else await database.transaction((tx) => tx.db.insertInto('tags').values(values).execute());
    const row = await tagNamed(database.db, name);
    assert.equal(row?.name, name, `write ${i} seen by the next read`);
    if (dialect === 'sqlite') assert.equal(row.on_reader, 1, 'read on a reader thread');
  }
});

test('a transaction reads its own writes on the writer; others see them only once it commits', async () => {
  const { database } = server.ctx;
  const name = 'not_yet_committed';
  await database.transaction(async (tx) => {
    await tx.db
      .insertInto('tags')
      .values({ name, created_at: '2026-03-01T12:00:00.000Z' })
      .execute();
    const inside = await tagNamed(tx.db, name);
    assert.equal(inside?.name, name, 'the transaction sees its own insert');
    assert.equal(inside.on_reader, 0, 'inside a transaction, reads stay on the writer');
    // Outside the transaction, and on SQLite not waiting for the writer it holds.
    assert.equal(await tagNamed(database.db, name), undefined, 'uncommitted: invisible outside');
  });
  assert.equal((await tagNamed(database.db, name))?.name, name, 'visible once committed');
});

test(
  'rows and errors from a reader thread are the ones the writer gives',
  { skip: sqliteOnly },
  async () => {
    const { database } = server.ctx;
    const values = (db: DbHandle) =>
      db
        .selectNoFrom([
          sql<null>`null`.as('nothing'),
          sql<Uint8Array>`x'00ff10'`.as('bytes'),
          sql<number>`9007199254740991`.as('largest'),
          sql<number>`-1.5`.as('real'),
          sql<string>`'tëxt'`.as('text'),
          onReader().as('on_reader'),
        ])
        .executeTakeFirstOrThrow();
    const fromReader = await values(database.db);
    const fromWriter = await database.transaction((tx) => values(tx.db));
    assert.equal(fromReader.on_reader, 1);
    assert.equal(fromWriter.on_reader, 0);
    assert.ok(fromReader.bytes instanceof Uint8Array);
    assert.deepEqual({ ...fromReader, on_reader: 0 }, { ...fromWriter });

    const failure = async (run: (db: DbHandle) => Promise<unknown>) => {
      const reader = (await run(database.db).catch((e: unknown) => e)) as Record<string, unknown>;
      const writer = (await database
        .transaction((tx) => run(tx.db))
        .catch((e: unknown) => e)) as Record<string, unknown>;
      const shape = (e: Record<string, unknown>) => ({
        kind: e.constructor,
        message: e.message,
        code: e.code,
        errcode: e.errcode,
      });
      assert.ok(reader instanceof Error);
      assert.deepEqual(shape(reader), shape(writer));
      return reader;
    };
    // Past 2^53 node:sqlite refuses to answer a number, on every connection alike.
    const tooLarge = await failure((db) =>
      db.selectNoFrom(sql<number>`9007199254740993`.as('n')).execute(),
    );
    assert.equal(tooLarge.code, 'ERR_OUT_OF_RANGE');
    const noTable = await failure((db) =>
      db
        .selectFrom('no_such_table' as never)
        .selectAll()
        .execute(),
    );
    assert.equal(noTable.errcode, 1);
    assert.equal(database.isUnavailable(noTable), false, 'a wrong query is not a 503');
  },
);

test(
  'a reader thread that dies fails its read as unavailable (503), and the next read gets a new one',
  { skip: sqliteOnly },
  async () => {
    const path = server.db.url.slice('sqlite:'.length);
    const crashing = new URL('../fixtures/sqlite/crashing-reader.ts', import.meta.url);
    const readers = new SqliteReaders(path, { size: 1, queueLimit: 10, script: crashing });
    const database = new Database(
      new Kysely<Schema>({ dialect: new RoutingSqliteDialect(openSqlite(path), readers) }),
      'sqlite',
      { readers },
    );
    try {
      assert.equal(await countTo(database.db, 10), 10);
      const error = await database.db
        .selectNoFrom(sql<number>`1`.as('crash_the_reader'))
        .execute()
        .catch((e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'ReaderUnavailableError');
      assert.match(error.message, /exit code 3/);
      assert.ok(database.isUnavailable(error), 'answered 503');
      assert.equal(database.readerStats()?.threads, 0, 'the dead thread is gone');
      assert.equal(await countTo(database.db, 10), 10, 'a new thread answers');
      assert.equal(database.readerStats()?.threads, 1);
    } finally {
      await database.close();
    }
  },
);

test(
  'closing the database fails a read in flight, stops the threads, and lets the process exit',
  { skip: sqliteOnly },
  async () => {
    const script = fileURLToPath(
      new URL('../fixtures/sqlite/close-during-read.ts', import.meta.url),
    );
    const child = spawn(process.execPath, [script, String(SLOW)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Not a speed check: a process kept alive by a thread would never exit at all.
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(killer);
    assert.equal(signal, null, `exited by itself; stderr: ${stderr}`);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), {
      settled: 'failed',
      name: 'ReaderUnavailableError',
      unavailable: true,
      runningBeforeClose: 1,
      threadsAfterClose: 0,
    });
  },
);

test(
  'with every reader thread busy and the queue full, a read is answered 503 at once',
  { skip: sqliteOnly },
  async () => {
    // One thread and the shortest queue allowed, which the test fills itself.
    const busy = await startTestServer({
      env: { QUIRE_SQLITE_READERS: '1', QUIRE_SQLITE_READ_QUEUE: '100' },
    });
    try {
      const { db } = busy.ctx.database;
      await countTo(db, 1);
      // Issued in one turn of the event loop, so no background read can come between them.
      const { result, outcome } = timedRead(db, SLOW);
      const waiting = Array.from({ length: 100 }, () => countTo(db, 1));
      const refused = await fetch(`${busy.url}/api/articles`);
      const pendingAtAnswer = !outcome.done;
      assert.equal(refused.status, 503);
      assert.ok(Number(refused.headers.get('retry-after')) > 0, 'with Retry-After');
      assert.ok(pendingAtAnswer, 'refused while the slow read ran, not after it');
      assert.equal(await result, SLOW, 'the read already running is not disturbed');
      assert.deepEqual(new Set(await Promise.all(waiting)), new Set([1]), 'the queued reads ran');
      const later = await fetch(`${busy.url}/api/articles`);
      assert.equal(later.status, 200, 'answered again once the thread is free');
      const s = await scrape(busy.url);
      assert.ok(one(s, 'quire_sqlite_reads_refused_total') >= 1);
    } finally {
      await busy.close();
    }
  },
);

test('/metrics shows the reader threads and their reads', { skip: sqliteOnly }, async () => {
  await countTo(server.ctx.database.db, 1);
  const s = await scrape(server.url);
  assert.equal(s.types.get('quire_sqlite_reads'), 'gauge');
  assert.equal(s.types.get('quire_sqlite_reader_threads'), 'gauge');
  assert.ok(one(s, 'quire_sqlite_reader_threads') >= 1);
  assert.equal(one(s, 'quire_sqlite_reads', { state: 'queued' }), 0);
  // The scrape's own gauges read the database on a reader while this one is collected, or not.
  assert.equal(find(s, 'quire_sqlite_reads', { state: 'running' }).length, 1);
});
