/** Settings an administrator changes at run time, kept in the database for every node. */
import type { AppContext } from '../../context.ts';
import { type FieldError, validationFailed } from '../../errors.ts';
import { appendEvent } from '../../events/outbox.ts';
import { checkStorable } from '../articles/articles.rules.ts';

export const SITE_NAME_MAX = 100;
export const SITE_DESCRIPTION_MAX = 300;

type SettingKey = 'site_name' | 'site_description';

export interface SiteSettings {
  site_name: string;
  site_description: string;
}

async function readSettings(ctx: AppContext, keys: SettingKey[]): Promise<Map<string, string>> {
  const rows = await ctx.database.db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', keys)
    .execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

export async function siteName(ctx: AppContext): Promise<string> {
  return (await readSettings(ctx, ['site_name'])).get('site_name') ?? ctx.config.siteName;
}

/** The name, and the description ('' until an administrator writes one). */
export async function siteSettings(ctx: AppContext): Promise<SiteSettings> {
  const found = await readSettings(ctx, ['site_name', 'site_description']);
  return {
    site_name: found.get('site_name') ?? ctx.config.siteName,
    site_description: found.get('site_description') ?? '',
  };
}

/** Writes the settings given; the event tells every cache of pages and feeds, which show them. */
async function writeSettings(ctx: AppContext, values: Partial<SiteSettings>): Promise<void> {
  const at = ctx.clock.now();
  const now = at.toISOString();
  await ctx.database.transaction(async (tx) => {
    for (const [key, value] of Object.entries(values)) {
      await tx.db
        .insertInto('settings')
        .values({ key, value, updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
        .execute();
    }
    await appendEvent(tx, 'site.updated', 'site', values, at);
  });
}

/** Renames the site at first run, where a long name is shortened rather than refused. */
export async function setSiteName(ctx: AppContext, name: string): Promise<void> {
  await writeSettings(ctx, { site_name: name.trim().slice(0, SITE_NAME_MAX) });
}

/** The administrator's form: both settings checked, then saved together. */
export async function updateSiteSettings(ctx: AppContext, input: SiteSettings): Promise<void> {
  const values = {
    site_name: input.site_name.trim(),
    site_description: input.site_description.trim(),
  };
  const errors: (FieldError | null)[] = [
    checkStorable('site_name', values.site_name),
    checkStorable('site_description', values.site_description),
  ];
  if (values.site_name === '' || [...values.site_name].length > SITE_NAME_MAX) {
    errors.push({
      field: 'site_name',
      message: `Site name must be 1 to ${SITE_NAME_MAX} characters`,
    });
  }
  if ([...values.site_description].length > SITE_DESCRIPTION_MAX) {
    errors.push({
      field: 'site_description',
      message: `Site description is too long (maximum is ${SITE_DESCRIPTION_MAX} characters)`,
    });
  }
  const failed = errors.filter((e): e is FieldError => e !== null);
  if (failed.length > 0) throw validationFailed(failed);
  await writeSettings(ctx, values);
}
