/** Accounts and keys that most tests start from. */
import { createHash } from 'node:crypto';
import { createApiKey } from '../../src/modules/apikeys/apikeys.service.ts';
import { createAccount } from '../../src/modules/users/users.service.ts';
import { AUTHOR_PASSWORD } from './pages.ts';
import type { TestServer } from './server.ts';

export interface Author {
  id: number;
  username: string;
  key: string;
  role: 'user' | 'admin';
}

let counter = 0;

/** Creates an account straight through the service, with an API key. */
export async function makeAuthor(
  server: TestServer,
  username?: string,
  options: { admin?: boolean } = {},
): Promise<Author> {
  const name = username ?? `author_${++counter}_${process.pid % 1000}`;
  const user = await createAccount(server.ctx, {
    username: name,
    email: `${name}@example.test`,
    password: AUTHOR_PASSWORD,
    admin: options.admin ?? false,
  });
  const { key } = await createApiKey(server.ctx, user, 'test');
  return { id: user.id, username: user.username, key, role: user.role };
}

/** Creates an article through the API and returns its JSON. */
export async function postArticle(
  server: TestServer,
  author: Author,
  article: Record<string, unknown>,
) {
  const res = await server.client().post('/api/articles', { key: author.key, json: { article } });
  if (res.status !== 201) throw new Error(`POST /api/articles: ${res.status} ${res.text}`);
  return res.json();
}

/** Row counts of every table, to show that a refused request changed nothing. */
export async function snapshot(server: TestServer): Promise<Record<string, number | string>> {
  const tables = [
    'users',
    'sessions',
    'api_keys',
    'articles',
    'tags',
    'article_tags',
    'series',
    'events',
    'settings',
    'feed_sources',
    'feed_items',
    'comments',
    'reactions',
    'reports',
  ] as const;
  const out: Record<string, number | string> = {};
  for (const table of tables) {
    const row = await server.ctx.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  const articles = await server.ctx.database.db
    .selectFrom('articles')
    .selectAll()
    .orderBy('id')
    .execute();
  out.articles_digest = createHash('sha256').update(JSON.stringify(articles)).digest('hex');
  for (const table of ['comments', 'reports'] as const) {
    const rows = await server.ctx.database.db.selectFrom(table).selectAll().orderBy('id').execute();
    out[`${table}_digest`] = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  }
  return out;
}
