/** The `settings` table: site-wide values by key. */
import type { DbHandle } from '../../db/database.ts';

export type SettingKey = 'site_name' | 'site_description';

export interface SiteSettings {
  site_name: string;
  site_description: string;
}

export async function readSettings(db: DbHandle, keys: SettingKey[]): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', keys)
    .execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

export async function upsertSettings(
  db: DbHandle,
  values: Partial<SiteSettings>,
  now: string,
): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await db
      .insertInto('settings')
      .values({ key, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
      .execute();
  }
}
