/**
 * A database that does not answer in time is a 503 with Retry-After and a problem body, never
 * a 500 or a request that hangs: on PostgreSQL a query held behind a lock past
 * QUIRE_REQUEST_TIMEOUT; on SQLite a write behind another process's write lock past the busy
 * timeout.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { dialect } from '../helpers/database.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let author: Author;

before(async () => {
  server = await startTestServer({ env: { QUIRE_REQUEST_TIMEOUT: '1' } });
  author = await makeAuthor(server, 'waiting');
});
after(() => server.close());

/** Holds the database's lock from another connection while `fn` runs. */
async function whileLocked<T>(fn: () => Promise<T>): Promise<T> {
  if (dialect === 'sqlite') {
    const other = new DatabaseSync(server.db.url.slice('sqlite:'.length));
    other.exec('begin immediate');
    try {
      return await fn();
    } finally {
      other.exec('rollback');
      other.close();
    }
  }
  const other = new pg.Client({ connectionString: server.db.url });
  await other.connect();
  await other.query('begin');
  await other.query('lock table articles in access exclusive mode');
  try {
    return await fn();
  } finally {
    await other.query('rollback');
    await other.end();
  }
}

test('a database that does not answer in time: 503, Retry-After, a problem, nothing written', async () => {
  const before = await snapshot(server);
  const res = await whileLocked(() =>
    server.client().post('/api/articles', {
      key: author.key,
      json: { article: { title: 'Behind a lock', body_markdown: 'x', published: true } },
    }),
  );
  assert.equal(res.status, 503, res.text);
  assert.ok(Number(res.headers.get('retry-after')) > 0, 'says when to retry');
  const problem = res.json<{ status: number; error: string; type: string; detail: string }>();
  assert.equal(problem.status, 503);
  assert.equal(problem.type, 'urn:quire:problem:unavailable');
  assert.match(problem.detail, dialect === 'sqlite' ? /database/ : /took too long/);
  // On PostgreSQL the write goes on once the lock is gone; it is not cut short, only answered.
  if (dialect === 'sqlite') assert.deepEqual(await snapshot(server), before, 'nothing written');
});

test(
  'a page behind the same wait is the 503 page of the site',
  { skip: dialect === 'sqlite' && 'reads on SQLite do not wait for a writer' },
  async () => {
    const page = await whileLocked(() =>
      server.client().get('/', { headers: { accept: 'text/html' } }),
    );
    assert.equal(page.status, 503);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    assert.match(page.text, /Service Unavailable/);
    assert.match(page.text, /retry shortly/);
  },
);
