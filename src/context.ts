/** Everything a request or a command needs, built once per process. */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { type Clock, systemClock } from './clock.ts';
import { type Config, resolveSecret } from './config.ts';
import { connect } from './db/connect.ts';
import type { Database } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { EventHead } from './events/event-head.ts';

export interface AppContext {
  config: Config;
  /** Signs cookies and CSRF tokens; the same on every node. */
  secret: string;
  database: Database;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** The newest outbox event, which keys every cache of pages and feeds. */
  eventHead: EventHead;
}

export interface ContextOptions {
  clock?: Clock;
  logger?: FastifyBaseLogger;
  /** Apply pending migrations before returning (what `quire serve` does at start). */
  migrate?: boolean;
}

export async function openContext(
  config: Config,
  options: ContextOptions = {},
): Promise<AppContext> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'quire' } });
  for (const warning of config.warnings) logger.warn(warning);
  const secret = resolveSecret(config);
  const database = await connect(config.database, {
    sqliteReaders: config.sqliteReaders,
    sqliteReadQueue: config.sqliteReadQueue,
  });
  try {
    if (options.migrate) {
      const applied = await migrateToLatest(database);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const eventHead = new EventHead(database);
  return { config, secret, database, clock: options.clock ?? systemClock, logger, eventHead };
}
