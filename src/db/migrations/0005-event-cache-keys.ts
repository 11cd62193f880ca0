/**
 * Each event names the cache keys its change touches (`src/events/cache-keys.ts`), so a node
 * drops only the cached answers built from them. Events written before have none (null), which
 * readers take as "everything".
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('cache_keys', 'text').execute();
}
