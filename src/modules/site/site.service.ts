/** Settings an administrator changes at run time, kept in the database for every node. */
import type { AppContext } from '../../context.ts';
import { type FieldError, validationFailed } from '../../errors.ts';
import { SITE_KEY } from '../../events/cache-keys.ts';
import { appendEvent } from '../../events/outbox.ts';
import { checkStorable } from '../articles/articles.rules.ts';
import { readSettings, type SiteSettings, upsertSettings } from './site.repository.ts';
import { SITE_DESCRIPTION_MAX, SITE_NAME_MAX } from './site.rules.ts';

export type { SiteSettings } from './site.repository.ts';

export async function siteName(ctx: AppContext): Promise<string> {
  return (
    (await readSettings(ctx.database.db, ['site_name'])).get('site_name') ?? ctx.config.siteName
  );
}

/** The name, and the description ('' until an administrator writes one). */
export async function siteSettings(ctx: AppContext): Promise<SiteSettings> {
  const found = await readSettings(ctx.database.db, ['site_name', 'site_description']);
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
    await upsertSettings(tx.db, values, now);
    await appendEvent(
      tx,
      { type: 'site.updated', subject: 'site', data: values, ownerId: null, keys: [SITE_KEY] },
      at,
    );
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
