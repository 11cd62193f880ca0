/**
 * The server under bench/event-loop.ts: Quire started as `quire serve` starts it, on the SQLite
 * file and with the QUIRE_SQLITE_READERS it is given, in its own process so that the load
 * generator does not share its event loop. The parent drives it over IPC: seed articles, list
 * the URLs of distinct pages and feeds, run a slow read through the server's own database handle
 * (the stand-in for the heaviest cache miss), and measure this process's event-loop delay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { createArticle } from '../src/modules/articles/articles.service.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { countTo } from '../test/helpers/slow-read.ts';
import { freePort } from '../test/helpers/net.ts';
import { markdownArticle, random } from './content.ts';

export interface Ready {
  url: string;
}

/** Event-loop delay over one measured stretch, in milliseconds (sampled every 1 ms). */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export type Call =
  | { op: 'seed'; articles: number; authors: number }
  | { op: 'urls' }
  | { op: 'slow'; rows: number }
  | { op: 'monitor' }
  | { op: 'delay' };

export interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

const PAGE_SIZE = 20;
const FEED_PAGE_SIZE = 12;

const { values: args } = parseArgs({
  options: {
    database: { type: 'string' },
    readers: { type: 'string', default: '2' },
  },
});
if (!args.database) throw new Error('--database is required');

const port = await freePort();
const server = await startServer(
  loadConfig({
    DATABASE_URL: `sqlite:${args.database}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    QUIRE_BASE_URL: 'https://blog.example.test',
    QUIRE_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    QUIRE_SQLITE_READERS: args.readers,
  }),
);
const { ctx } = server;
let histogram: ReturnType<typeof monitorEventLoopDelay> | null = null;

async function seed(articles: number, authors: number): Promise<number> {
  const accounts = [];
  for (let a = 1; a <= authors; a++) {
    accounts.push(
      await createAccount(ctx, {
        username: `author${a}`,
        email: `author${a}@example.test`,
        password: 'a-long-bench-password',
        name: `Bench Author ${a}`,
      }),
    );
  }
  for (let n = 1; n <= articles; n++) {
    const author = accounts[n % authors];
    if (author) await createArticle(ctx, author, { body_markdown: markdownArticle(n) });
  }
  return articles;
}

/** Every distinct page and feed page of the seeded site, in a fixed shuffled order. */
async function urls(): Promise<string[]> {
  const { db } = ctx.database;
  const articles = await db
    .selectFrom('articles')
    .innerJoin('users', 'users.id', 'articles.user_id')
    .select(['users.username', 'articles.slug'])
    .execute();
  const authors = await db
    .selectFrom('articles')
    .innerJoin('users', 'users.id', 'articles.user_id')
    .select((eb) => ['users.username', eb.fn.countAll<number>().as('n')])
    .groupBy('users.username')
    .execute();
  const tags = await db
    .selectFrom('article_tags')
    .innerJoin('tags', 'tags.id', 'article_tags.tag_id')
    .select((eb) => ['tags.name', eb.fn.countAll<number>().as('n')])
    .groupBy('tags.name')
    .execute();
  const out = articles.map((a) => `/${a.username}/${a.slug}`);
  const pages = (base: string, n: number, size: number) => {
    const sep = base.includes('?') ? '&' : '?';
    for (let p = 1; p <= Math.ceil(n / size); p++)
      out.push(p === 1 ? base : `${base}${sep}page=${p}`);
  };
  const feeds = (path: string, n: number) => {
    for (const suffix of ['', '.atom', '.json']) pages(`${path}${suffix}`, n, FEED_PAGE_SIZE);
  };
  pages('/', articles.length, PAGE_SIZE);
  feeds('/feed', articles.length);
  for (const a of authors) {
    pages(`/${a.username}`, a.n, PAGE_SIZE);
    feeds(`/feed/${a.username}`, a.n);
  }
  for (const t of tags) {
    pages(`/t/${t.name}`, t.n, PAGE_SIZE);
    feeds(`/feed/tag/${t.name}`, t.n);
  }
  const rnd = random(42);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as string, out[i] as string];
  }
  return out;
}

const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;

async function answer(call: Call): Promise<unknown> {
  switch (call.op) {
    case 'seed':
      return seed(call.articles, call.authors);
    case 'urls':
      return urls();
    case 'slow': {
      const started = performance.now();
      await countTo(ctx.database.db, call.rows);
      return Math.round(performance.now() - started);
    }
    case 'monitor':
      histogram?.disable();
      histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      return null;
    case 'delay': {
      const h = histogram;
      if (!h) throw new Error('no monitor running');
      h.disable();
      histogram = null;
      const delay: LoopDelay = {
        p50: ms(h.percentile(50)),
        p99: ms(h.percentile(99)),
        max: ms(h.max),
        samples: h.count,
      };
      return delay;
    }
  }
}

process.on('message', (message: 'stop' | ({ id: number } & Call)) => {
  if (message === 'stop') {
    void server.stop().then(() => process.exit(0));
    return;
  }
  answer(message).then(
    (result) => process.send?.({ id: message.id, result } satisfies Reply),
    (error: Error) => process.send?.({ id: message.id, error: error.message } satisfies Reply),
  );
});
process.send?.({ url: server.url } satisfies Ready);
