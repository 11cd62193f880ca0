/** Settings an administrator changes at run time, kept in the database for every node. */
import type { AppContext } from '../../context.ts';

export async function siteName(ctx: AppContext): Promise<string> {
  const row = await ctx.database.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'site_name')
    .executeTakeFirst();
  return row?.value ?? ctx.config.siteName;
}

export async function setSiteName(ctx: AppContext, name: string): Promise<void> {
  const now = ctx.clock.now().toISOString();
  const value = name.trim().slice(0, 100);
  await ctx.database.db
    .insertInto('settings')
    .values({ key: 'site_name', value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}
