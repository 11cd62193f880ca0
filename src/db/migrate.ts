/** Applies the static migration index, telling each migration its dialect. */
import { type Migration, Migrator } from 'kysely/migration';
import type { Database } from './database.ts';
import { migrations } from './migrations/index.ts';

function migrator(database: Database): Migrator {
  return new Migrator({
    db: database.db,
    provider: {
      async getMigrations() {
        const out: Record<string, Migration> = {};
        for (const [name, m] of Object.entries(migrations)) {
          out[name] = { up: (db) => m.up(db, database.dialect) };
        }
        return out;
      },
    },
  });
}

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const { error, results } = await migrator(database).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations in the index that the database has not applied yet. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const all = await migrator(database).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Applies the migrations up to and including `name`, and no further (for tests of a migration). */
export async function migrateTo(database: Database, name: string): Promise<void> {
  const { error } = await migrator(database).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
}
