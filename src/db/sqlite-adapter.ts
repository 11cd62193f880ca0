/** Lets Kysely's SQLite dialect drive Node's built-in `node:sqlite`. */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export function openSqlite(path: string): SqliteDatabase {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: 5000 });
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const stmt = db.prepare(sql);
      const params = (values: ReadonlyArray<unknown>) => values as SQLInputValue[];
      return {
        reader: stmt.columns().length > 0,
        all: (values) => stmt.all(...params(values)),
        run: (values) => stmt.run(...params(values)),
        iterate: (values) => stmt.iterate(...params(values)),
      };
    },
  };
}
