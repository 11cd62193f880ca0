/** The database layer: SQLite settings, migrations, constraints and transactions on both dialects. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, pendingMigrations } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { dialect } from '../helpers/database.ts';
import { makeAuthor } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test('the database wrapper reports the dialect under test', () => {
  assert.equal(server.ctx.database.dialect, dialect);
});

test(
  'SQLite runs with WAL, synchronous=FULL, foreign keys and a busy timeout',
  {
    skip: dialect !== 'sqlite' && 'SQLite pragmas only apply to SQLite',
  },
  async () => {
    const pragma = async (name: string) => {
      const { rows } = await sql.raw(`pragma ${name}`).execute(server.ctx.database.db);
      return Object.values(rows[0] as Record<string, unknown>)[0];
    };
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('synchronous'), 2, 'FULL');
    assert.equal(await pragma('foreign_keys'), 1);
    assert.equal(await pragma('busy_timeout'), 5000);
  },
);

test('migrations are applied once and listed in the static index', async () => {
  assert.deepEqual(await pendingMigrations(server.ctx.database), []);
  assert.deepEqual(await migrateToLatest(server.ctx.database), [], 'a second run applies nothing');
  const applied = await server.ctx.database.db
    .selectFrom('kysely_migration' as never)
    .select(sql<string>`name`.as('name'))
    .execute();
  assert.deepEqual(
    applied.map((r) => r.name),
    Object.keys(migrations),
  );
});

test(
  'PostgreSQL stores long bodies and payloads with lz4 where the server has it',
  { skip: dialect !== 'postgres' && 'only PostgreSQL compresses text' },
  async () => {
    const db = server.ctx.database.db;
    const { rows: setting } = await sql<{ lz4: boolean }>`
      select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'
    `.execute(db);
    const { rows } = await sql<{ column: string; method: string }>`
      select attrelid::regclass || '.' || attname as column, attcompression as method
      from pg_attribute
      where (attrelid = 'articles'::regclass and attname in ('body_markdown', 'body_html'))
         or (attrelid = 'events'::regclass and attname = 'payload')
         or (attrelid = 'deliveries'::regclass and attname = 'body')
      order by 1
    `.execute(db);
    assert.equal(rows.length, 4);
    const expected = setting[0]?.lz4 ? 'l' : '';
    for (const row of rows) assert.equal(row.method, expected, row.column);
  },
);

test('foreign keys are enforced', async () => {
  await assert.rejects(
    server.ctx.database.db
      .insertInto('api_keys')
      .values({
        user_id: 999_999,
        name: 'x',
        key_hash: 'h',
        prefix: 'p',
        created_at: 'now',
        last_used_at: null,
        revoked_at: null,
      })
      .execute(),
  );
});

test('a unique violation is recognised on either dialect', async () => {
  await makeAuthor(server, 'unique_one');
  const error = await server.ctx.database.db
    .insertInto('tags')
    .values([
      { name: 'dup', created_at: 'x' },
      { name: 'dup', created_at: 'x' },
    ])
    .execute()
    .catch((e: unknown) => e);
  assert.ok(server.ctx.database.isUniqueViolation(error));
  assert.ok(!server.ctx.database.isUniqueViolation(new Error('something else')));
});

test('a failed transaction leaves nothing behind and runs no commit hooks', async () => {
  let hooked = 0;
  await assert.rejects(
    server.ctx.database.transaction(async (tx) => {
      tx.onCommit(() => hooked++);
      await tx.db.insertInto('tags').values({ name: 'rolled_back', created_at: 'x' }).execute();
      throw new Error('boom');
    }),
    /boom/,
  );
  const row = await server.ctx.database.db
    .selectFrom('tags')
    .select('id')
    .where('name', '=', 'rolled_back')
    .executeTakeFirst();
  assert.equal(row, undefined);
  assert.equal(hooked, 0);
  await server.ctx.database.transaction(async (tx) => {
    tx.onCommit(() => hooked++);
    await tx.db.insertInto('tags').values({ name: 'committed', created_at: 'x' }).execute();
    assert.equal(hooked, 0, 'hooks wait for the commit');
  });
  assert.equal(hooked, 1);
});

test('counts come back as numbers on both dialects', async () => {
  const row = await server.ctx.database.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(typeof row.n, 'number');
});
