/** What a `quire` subcommand is, and the helpers its implementations share. */
import { pino } from 'pino';
import { loadConfig } from '../config.ts';
import { type AppContext, openContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { findUserByUsername } from '../modules/users/users.repository.ts';

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

const quietLogger = () => pino({ level: 'warn' }, pino.destination(2));

/** Opens the database (migrating it), runs `fn`, and closes it again. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await openContext(loadConfig(), { migrate: true, logger: quietLogger() });
  try {
    return await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

export async function userNamed(ctx: AppContext, username: unknown): Promise<UserRow> {
  const user = await findUserByUsername(ctx.database.db, String(username).toLowerCase());
  if (!user) throw new UsageError(`no account named "${String(username)}"`);
  return user;
}
