/**
 * A fresh, empty database for one test file, on whichever database this run targets
 * (QUIRE_TEST_DB=sqlite|postgres). SQLite gets a temp file; PostgreSQL a new database in the
 * run's throwaway cluster (QUIRE_TEST_PG_URL).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';
export const dialect: TestDialect =
  process.env.QUIRE_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  /** A DATABASE_URL for the new database. */
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'quire-test-'));
    return {
      url: `sqlite:${join(dir, 'quire.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = process.env.QUIRE_TEST_PG_URL;
  if (!admin) throw new Error('QUIRE_TEST_PG_URL is not set: run the suite through "npm test"');
  const name = `quire_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
