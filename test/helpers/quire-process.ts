/**
 * What tests of `quire serve` and `quire worker` as processes start from: an environment on a
 * free port, an account and its API key made through the command line as an operator would, a
 * webhook endpoint, and articles published over HTTP.
 */
import { quire } from './cli.ts';
import { freePort } from './net.ts';
import { TEST_SECRET } from './server.ts';

export interface ProcessSetup {
  /** `http://127.0.0.1:<port>`, where `quire serve` will listen. */
  base: string;
  env: Record<string, string>;
  /** An API key of the account. */
  key: string;
}

/** The environment for a node on `databaseUrl` (plus `extra`), with an account named `username`. */
export async function processSetup(
  databaseUrl: string,
  username: string,
  extra: Record<string, string> = {},
): Promise<ProcessSetup> {
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    QUIRE_SECRET: TEST_SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    QUIRE_ALLOW_PRIVATE_URLS: '1',
    QUIRE_API_RATE_LIMIT: '1000000',
    QUIRE_WRITE_RATE_LIMIT: '1000000',
    ...extra,
  };
  const email = `${username}@example.test`;
  const created = await quire(
    ['user', 'create', '--username', username, '--email', email, '--password', 'long enough'],
    env,
  );
  if (created.code !== 0) throw new Error(`quire user create: ${created.stderr}`);
  const key = (await quire(['apikey', 'create', '--username', username], env)).stdout
    .trimEnd()
    .split('\n')
    .at(-1);
  if (!key) throw new Error('quire apikey create printed no key');
  return { base: `http://127.0.0.1:${port}`, env, key };
}

/** Subscribes `url` to `article.published` through the API of a running node. */
export async function addWebhook(setup: ProcessSetup, url: string): Promise<void> {
  const res = await fetch(`${setup.base}/api/webhooks`, {
    method: 'POST',
    headers: { 'api-key': setup.key, 'content-type': 'application/json' },
    body: JSON.stringify({ webhook_endpoint: { target_url: url, events: ['article.published'] } }),
  });
  if (res.status !== 201) throw new Error(`POST /api/webhooks: ${res.status} ${await res.text()}`);
}

/** Publishes an article through the API; the answer is the caller's to read. */
export function publish(
  setup: ProcessSetup,
  title: string,
  options: { published?: boolean; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${setup.base}/api/articles`, {
    method: 'POST',
    headers: { 'api-key': setup.key, 'content-type': 'application/json' },
    body: JSON.stringify({
      article: { title, body_markdown: 'Text.', published: options.published ?? true },
    }),
    signal: options.signal,
  });
}
