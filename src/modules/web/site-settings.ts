/** Settings an administrator changes at run time, kept in the database for every node. */
import type { AppContext } from '../../context.ts';
import { appendEvent } from '../../events/outbox.ts';

export async function siteName(ctx: AppContext): Promise<string> {
  const row = await ctx.database.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'site_name')
    .executeTakeFirst();
  return row?.value ?? ctx.config.siteName;
}

/** Renames the site; the event tells every cache of pages and feeds, which all show the name. */
export async function setSiteName(ctx: AppContext, name: string): Promise<void> {
  const at = ctx.clock.now();
  const now = at.toISOString();
  const value = name.trim().slice(0, 100);
  await ctx.database.transaction(async (tx) => {
    await tx.db
      .insertInto('settings')
      .values({ key: 'site_name', value, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
      .execute();
    await appendEvent(tx, 'site.updated', 'site', { site_name: value }, at);
  });
}
