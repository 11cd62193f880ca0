/** The `quire` command. */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.ts';
import { openContext } from '../context.ts';
import { DatabaseUnavailableError } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { AppError } from '../errors.ts';
import { StartupError, startServer, stopOnSignals } from '../main.ts';
import { createApiKey } from '../modules/apikeys/apikeys.service.ts';
import { findUserByUsername } from '../modules/users/users.repository.ts';
import { createAccount } from '../modules/users/users.service.ts';

/** A mistake in how the command was called; exits 2. */
class UsageError extends Error {}

interface Command {
  usage: string;
  summary: string;
  options: Record<string, { type: 'string' | 'boolean'; description: string; required?: boolean }>;
  run(values: Record<string, string | boolean | undefined>): Promise<void>;
}

const quietLogger = () => pino({ level: 'warn' }, pino.destination(2));

async function withContext<T>(
  fn: (ctx: Awaited<ReturnType<typeof openContext>>) => Promise<T>,
): Promise<T> {
  const ctx = await openContext(loadConfig(), { migrate: true, logger: quietLogger() });
  try {
    return await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

const commands: Record<string, Command> = {
  serve: {
    usage: 'quire serve',
    summary: 'Run the web server (configured from the environment; see README).',
    options: {},
    async run() {
      const server = await startServer(loadConfig());
      stopOnSignals(server);
    },
  },
  migrate: {
    usage: 'quire migrate',
    summary: 'Apply pending database migrations, then exit.',
    options: {},
    async run() {
      const config = loadConfig();
      const ctx = await openContext(config, { logger: quietLogger() });
      try {
        const applied = await migrateToLatest(ctx.database);
        console.log(
          applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`,
        );
      } finally {
        await ctx.database.close();
      }
    },
  },
  'user create': {
    usage: 'quire user create --username U --email E --password P [--name N] [--admin]',
    summary: 'Create an account. The first account of an instance is always an administrator.',
    options: {
      username: {
        type: 'string',
        description: '3 to 30 characters: a-z, 0-9 and _',
        required: true,
      },
      email: { type: 'string', description: 'the account email', required: true },
      password: { type: 'string', description: '8 to 1024 characters', required: true },
      name: { type: 'string', description: 'display name (default: the username)' },
      admin: { type: 'boolean', description: 'make the account an administrator' },
    },
    async run(v) {
      const user = await withContext((ctx) =>
        createAccount(ctx, {
          username: String(v.username),
          email: String(v.email),
          password: String(v.password),
          name: v.name as string | undefined,
          admin: v.admin === true,
        }),
      );
      console.log(
        `Created ${user.role === 'admin' ? 'administrator' : 'user'} @${user.username} (id ${user.id}).`,
      );
    },
  },
  'apikey create': {
    usage: 'quire apikey create --username U [--name N]',
    summary: 'Create an API key for an account. The key is printed alone on the last line.',
    options: {
      username: { type: 'string', description: 'the account that owns the key', required: true },
      name: { type: 'string', description: 'a label to recognise the key by' },
    },
    async run(v) {
      const created = await withContext(async (ctx) => {
        const user = await findUserByUsername(ctx.database.db, String(v.username).toLowerCase());
        if (!user) throw new UsageError(`no account named "${v.username}"`);
        return createApiKey(ctx, user, (v.name as string | undefined) ?? 'CLI');
      });
      console.log(`API key "${created.row.name}" for @${v.username} (shown once, keep it safe):`);
      console.log(created.key);
    },
  },
};

function help(name: string, command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  const opts = Object.entries(command.options);
  if (opts.length > 0) {
    lines.push('', 'Options:');
    for (const [key, o] of opts)
      lines.push(`  --${key}${o.type === 'string' ? ' <value>' : ''}`.padEnd(26) + o.description);
  }
  lines.push(`${`  --help`.padEnd(26)}show this help for "quire ${name}"`);
  return lines.join('\n');
}

function overview(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`);
  return [
    'Usage: quire <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    'Run "quire <command> --help" for its options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const two = `${argv[0]} ${argv[1]}`;
  const name = commands[two] ? two : (argv[0] ?? '');
  const command = commands[name];
  if (!command) {
    if (name === '' || name === '--help' || name === '-h' || name === 'help') {
      console.log(overview());
      return name === '' ? 2 : 0;
    }
    throw new UsageError(`unknown command "${argv.join(' ')}"; run "quire --help"`);
  }
  const rest = argv.slice(name.split(' ').length);
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(
      Object.entries(command.options).map(([k, o]) => [k, { type: o.type }]),
    );
    values = parseArgs({
      args: rest,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see "quire ${name} --help")`);
  }
  if (values.help) {
    console.log(help(name, command));
    return 0;
  }
  const missing = Object.entries(command.options).filter(
    ([k, o]) => o.required && values[k] === undefined,
  );
  if (missing.length > 0) {
    throw new UsageError(
      `missing ${missing.map(([k]) => `--${k}`).join(', ')} (see "quire ${name} --help")`,
    );
  }
  await command.run(values);
  return 0;
}

/** Errors an operator can act on are one line; anything else is a bug and keeps its stack. */
function report(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`quire: ${error.message}`);
    return 2;
  }
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof StartupError
  ) {
    console.error(`quire: ${error.message}`);
    return 1;
  }
  if (error instanceof AppError) {
    const details = error.errors?.map((e) => e.message).join('; ');
    console.error(`quire: ${details || error.message}`);
    return 1;
  }
  console.error(error);
  return 1;
}

/** Runs the command line and sets the exit code; the process ends when its work is done. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    const code = await main(argv);
    if (code !== 0) process.exitCode = code;
  } catch (error) {
    process.exitCode = report(error);
  }
}

if (import.meta.main) await runCli(process.argv.slice(2));
