/**
 * Driving the HTML pages over HTTP as a browser without script would: read a form's CSRF token
 * from the page, post the form, keep the session cookie.
 */
import assert from 'node:assert/strict';
import type { HttpClient } from './http.ts';
import type { TestServer } from './server.ts';

/** The password makeAuthor gives every account. */
export const AUTHOR_PASSWORD = 'a-long-password';

/** The CSRF token of the form that posts to `action` (a page may hold several forms). */
export function formToken(page: string, action: string): string {
  const escaped = action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(
    `<form method="post" action="${escaped}"[^>]*>\\s*<input type="hidden" name="_csrf" value="([^"]+)"`,
  ).exec(page);
  assert.ok(match?.[1], `no form posting to ${action}`);
  return match[1];
}

export async function tokenFor(client: HttpClient, path: string, action: string): Promise<string> {
  const page = await client.get(path);
  assert.equal(page.status, 200, `GET ${path}: ${page.status}`);
  return formToken(page.text, action);
}

/** Posts a form with the token of the form that `path` shows for `action`. */
export async function submit(
  client: HttpClient,
  path: string,
  action: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const _csrf = await tokenFor(client, path, action);
  return client.post(action, { form: { _csrf, ...fields }, headers });
}

/** A client signed in through the sign-in form. */
export async function signInWeb(
  server: Pick<TestServer, 'client'>,
  login: string,
  password = AUTHOR_PASSWORD,
): Promise<HttpClient> {
  const client = server.client();
  const res = await submit(client, '/enter', '/enter', { login, password });
  assert.equal(res.status, 303, res.text);
  return client;
}
