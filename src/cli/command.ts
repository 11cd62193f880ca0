/**
 * What a `quire` subcommand is, and the helpers its implementations share. The database and
 * the application are imported when a command runs, never to show help.
 */
import { loadConfig } from '../config.ts';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';

/** A mistake in how the command was called; exits 2. */
export class UsageError extends Error {}

export type Values = Record<string, string | boolean | undefined>;

export interface Command {
  usage: string;
  summary: string;
  options: Record<string, { type: 'string' | 'boolean'; description: string; required?: boolean }>;
  /** Names of the positional arguments, all required. */
  positionals?: string[];
  /** False for a command that never opens the database; the others name it on stderr first. */
  database?: false;
  run(values: Values, positionals: string[]): Promise<void>;
}

/** Opens the database (migrating it), runs `fn`, and closes it again. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const [{ pino }, { openContext }] = await Promise.all([import('pino'), import('../context.ts')]);
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const ctx = await openContext(loadConfig(), { migrate: true, logger });
  try {
    return await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

export async function userNamed(ctx: AppContext, username: unknown): Promise<UserRow> {
  const { findUserByUsername } = await import('../modules/users/users.repository.ts');
  const user = await findUserByUsername(ctx.database.db, String(username).toLowerCase());
  if (!user) throw new UsageError(`no account named "${String(username)}"`);
  return user;
}
