/**
 * PostgreSQL compresses long text as it stores it; its default method (pglz) costs more time to
 * write than the bodies and event payloads it saves are worth. Where the server was built with
 * lz4, those columns use it: several times faster, nearly as small. Values already stored keep
 * their method until rewritten. SQLite does not compress.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.ts';

const COLUMNS: Array<[table: string, column: string]> = [
  ['articles', 'body_markdown'],
  ['articles', 'body_html'],
  ['events', 'payload'],
  ['deliveries', 'body'],
];

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  const { rows } = await sql<{ lz4: boolean }>`
    select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'
  `.execute(db);
  if (!rows[0]?.lz4) return;
  for (const [table, column] of COLUMNS) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} set compression lz4`.execute(
      db,
    );
  }
}
