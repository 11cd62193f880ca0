/**
 * The servers under load in bench/feed.ts and bench/scale.ts, each in its own process so that
 * the load generator does not share their event loop. `--mode quire` starts Quire as `quire
 * serve` does (its logs go to this process's stdout, which the parent points at a file); `--mode
 * bare` answers with bytes and headers captured from Quire, with nothing else in between;
 * `--mode answers` does the same for several paths at once (bench/scale.ts). Started by those
 * scripts, which import only the types below.
 */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { createArticle } from '../src/modules/articles/articles.service.ts';
import { createAccount } from '../src/modules/users/users.service.ts';
import { freePort } from '../test/helpers/net.ts';
import { markdownArticle } from './content.ts';

/** One captured answer: its status, headers and body file, as bench/feed.ts saved them. */
export interface Variant {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

export interface Variants {
  identity: Variant;
  br: Variant;
  notModified: Variant;
}

/** Captured answers by path (query string included), for `--mode answers`. */
export type Answers = Record<string, Variant>;

export interface Ready {
  url: string;
}

const send = (message: Ready) => process.send?.(message);

interface Seed {
  author: string;
  articles: number;
}

async function quire(database: string, logLevel: string, seed: Seed | null): Promise<void> {
  const port = await freePort();
  const server = await startServer(
    loadConfig({
      DATABASE_URL: database,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: logLevel,
      QUIRE_BASE_URL: 'https://blog.example.test',
      QUIRE_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    }),
  );
  if (seed) {
    const author = await createAccount(server.ctx, {
      username: seed.author,
      email: `${seed.author}@example.test`,
      password: 'a-long-bench-password',
      name: 'Bench Author',
    });
    for (let n = 1; n <= seed.articles; n++) {
      await createArticle(server.ctx, author, { body_markdown: markdownArticle(n) });
    }
  }
  process.on('message', (message) => {
    if (message === 'stop') void server.stop().then(() => process.exit(0));
  });
  send({ url: server.url });
}

/** A captured answer with its body read from `dir`. */
function loadVariant(dir: string, v: Variant) {
  return {
    status: v.status,
    headers: v.headers,
    body: v.body === null ? undefined : readFileSync(join(dir, v.body)),
  };
}

/** Listens on 127.0.0.1, tells the parent where, and stops when the parent says so. */
async function serveOnFreePort(listener: RequestListener): Promise<void> {
  const server = createServer(listener);
  const port = await freePort();
  server.listen(port, '127.0.0.1', () => send({ url: `http://127.0.0.1:${port}` }));
  process.on('message', (message) => {
    if (message !== 'stop') return;
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

async function bare(dir: string): Promise<void> {
  const variants = JSON.parse(readFileSync(join(dir, 'variants.json'), 'utf8')) as Variants;
  const identity = loadVariant(dir, variants.identity);
  const br = loadVariant(dir, variants.br);
  const notModified = loadVariant(dir, variants.notModified);
  // The least a server can do and still negotiate: one header look-up per decision.
  await serveOnFreePort((req, res) => {
    const answer =
      req.headers['if-none-match'] !== undefined
        ? notModified
        : req.headers['accept-encoding']?.includes('br')
          ? br
          : identity;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
}

/** One captured identity answer per path; anything else is a 404. */
async function answers(dir: string): Promise<void> {
  const captured = JSON.parse(readFileSync(join(dir, 'answers.json'), 'utf8')) as Answers;
  const byPath = new Map(Object.entries(captured).map(([path, v]) => [path, loadVariant(dir, v)]));
  await serveOnFreePort((req, res) => {
    const answer = byPath.get(req.url ?? '');
    if (!answer) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
}

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    database: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    seed: { type: 'string' },
    articles: { type: 'string', default: '12' },
    dir: { type: 'string' },
  },
});

if (values.mode === 'quire' && values.database) {
  const seed = values.seed ? { author: values.seed, articles: Number(values.articles) } : null;
  await quire(values.database, values['log-level'], seed);
} else if (values.mode === 'bare' && values.dir) {
  await bare(values.dir);
} else if (values.mode === 'answers' && values.dir) {
  await answers(values.dir);
} else {
  console.error(
    'usage: feed-server.ts --mode quire --database URL [--log-level L] [--seed USERNAME] [--articles N]\n' +
      '       feed-server.ts --mode bare --dir DIR\n' +
      '       feed-server.ts --mode answers --dir DIR',
  );
  process.exit(2);
}
