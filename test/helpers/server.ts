/**
 * A real Quire server on 127.0.0.1 over a fresh database, for one test file. Tests talk to it
 * over HTTP and may look into its database through `ctx.database`.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { type AppContext, openContext } from '../../src/context.ts';
import type { Dispatcher } from '../../src/events/dispatcher.ts';
import { createDispatcher } from '../../src/background.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { HttpClient } from './http.ts';
import { freePort } from './net.ts';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestServer {
  url: string;
  ctx: AppContext;
  app: FastifyInstance;
  clock: ManualClock;
  db: TestDatabase;
  /**
   * The server's event dispatcher: running (woken by commits) with `dispatcher: true`; otherwise
   * idle until a test calls `drain()`, which is how tests on the fake clock move it.
   */
  dispatcher: Dispatcher;
  /** A new client with its own cookie jar. */
  client(): HttpClient;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Extra environment for the configuration (e.g. QUIRE_WRITE_RATE_LIMIT). */
  env?: Record<string, string>;
  /** Where the fake clock starts. */
  now?: string;
  /** Start the dispatcher, as `quire serve` does. */
  dispatcher?: boolean;
  /** Where the server logs; silent unless given. */
  logger?: FastifyBaseLogger;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    QUIRE_BASE_URL: url,
    QUIRE_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    QUIRE_API_RATE_LIMIT: '100000',
    QUIRE_WRITE_RATE_LIMIT: '100000',
    ...options.env,
  });
  const clock = new ManualClock(options.now ?? '2026-03-01T12:00:00.000Z');
  const ctx = await openContext(config, {
    migrate: true,
    clock,
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  const app = await buildApp(ctx);
  await app.listen({ port, host: '127.0.0.1', listenTextResolver: () => '' });
  const dispatcher = createDispatcher(ctx);
  if (options.dispatcher) await dispatcher.start();
  else await dispatcher.prepare();
  return {
    url,
    ctx,
    app,
    clock,
    db,
    dispatcher,
    client: () => new HttpClient(url),
    async close() {
      await dispatcher.stop();
      await app.close();
      await ctx.database.close();
      await db.drop();
    },
  };
}
