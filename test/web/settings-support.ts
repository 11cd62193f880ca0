/**
 * For the settings and admin page tests: a fingerprint of everything those pages can change, and
 * the check that a form post without its token or from another site is refused with nothing
 * changed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { snapshot } from '../helpers/fixtures.ts';
import type { HttpClient } from '../helpers/http.ts';
import { tokenFor } from '../helpers/pages.ts';
import type { TestServer } from '../helpers/server.ts';

const EVIL = 'https://evil.example';

/** Row counts of every table, and a digest of the rows of those these pages write to. */
export async function stateOf(server: TestServer): Promise<Record<string, number | string>> {
  const db = server.ctx.database.db;
  const digest = (rows: unknown) => createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  return {
    ...(await snapshot(server)),
    users: digest(await db.selectFrom('users').selectAll().orderBy('id').execute()),
    sessions: digest(await db.selectFrom('sessions').selectAll().orderBy('id').execute()),
    api_keys: digest(await db.selectFrom('api_keys').selectAll().orderBy('id').execute()),
    settings: digest(await db.selectFrom('settings').selectAll().orderBy('key').execute()),
    feed_sources: digest(await db.selectFrom('feed_sources').selectAll().orderBy('id').execute()),
    webhook_endpoints: digest(
      await db.selectFrom('webhook_endpoints').selectAll().orderBy('id').execute(),
    ),
    deliveries: digest(await db.selectFrom('deliveries').selectAll().orderBy('id').execute()),
    delivery_attempts: digest(
      await db.selectFrom('delivery_attempts').selectAll().orderBy('id').execute(),
    ),
  };
}

/**
 * Posts `fields` to `action` without a token, with a token from another browser, and with this
 * browser's token from another site (Origin, then Sec-Fetch-Site): each is a 403, and nothing
 * changes. The token is that of the form posting to `tokenAction` on `page` (by default the
 * action's own form).
 */
export async function assertForgeriesRefused(
  server: TestServer,
  client: HttpClient,
  page: string,
  action: string,
  fields: Record<string, string>,
  tokenAction = action,
): Promise<void> {
  const before = await stateOf(server);
  const token = await tokenFor(client, page, tokenAction);
  const stranger = server.client();
  const foreignToken = await tokenFor(stranger, '/enter', '/enter');
  const attempts: [string, Record<string, string>, Record<string, string>][] = [
    ['no token', fields, {}],
    ["another browser's token", { ...fields, _csrf: foreignToken }, {}],
    ['from another origin', { ...fields, _csrf: token }, { origin: EVIL }],
    ['cross-site', { ...fields, _csrf: token }, { 'sec-fetch-site': 'cross-site' }],
  ];
  for (const [what, form, headers] of attempts) {
    const res = await client.post(action, { form, headers });
    assert.equal(res.status, 403, `${action} ${what}: ${res.status}`);
  }
  assert.deepEqual(await stateOf(server), before, `${action}: nothing changed`);
}
