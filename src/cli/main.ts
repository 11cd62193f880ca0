/** The `quire` command. */
import module from 'node:module';
import { parseArgs } from 'node:util';
import { ConfigError, databaseLabel, loadConfig } from '../config.ts';
import { AppError, DatabaseUnavailableError, StartupError } from '../errors.ts';
import { type Command, UsageError, type Values } from './command.ts';
import { coreCommands } from './commands/core.ts';
import { eventCommands } from './commands/events.ts';
import { importCommands } from './commands/imports.ts';
import { webhookCommands } from './commands/webhooks.ts';
import { commandHelp, groupHelp, groupOf, overview } from './help.ts';

const commands: Record<string, Command> = {
  ...coreCommands,
  ...importCommands,
  ...webhookCommands,
  ...eventCommands,
};

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

export async function main(argv: string[]): Promise<number> {
  const two = `${argv[0]} ${argv[1]}`;
  const name = commands[two] ? two : (argv[0] ?? '');
  const command = commands[name];
  if (!command) {
    if (name === '' || isHelp(name) || name === 'help') {
      console.log(overview(commands));
      return name === '' ? 2 : 0;
    }
    if (Object.keys(commands).some((known) => groupOf(known) === name)) {
      const rest = argv.slice(1);
      if (rest.length === 0 || (rest.length === 1 && isHelp(rest[0]))) {
        console.log(groupHelp(name, commands));
        return rest.length === 0 ? 2 : 0;
      }
      throw new UsageError(`unknown command "${argv.join(' ')}"; run "quire ${name} --help"`);
    }
    throw new UsageError(`unknown command "${argv.join(' ')}"; run "quire --help"`);
  }
  const rest = argv.slice(name.split(' ').length);
  let values: Values;
  let positionals: string[];
  try {
    const options = Object.fromEntries(
      Object.entries(command.options).map(([k, o]) => [k, { type: o.type }]),
    );
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: (command.positionals?.length ?? 0) > 0,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see "quire ${name} --help")`);
  }
  if (values.help) {
    console.log(commandHelp(name, command));
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
  const wanted = command.positionals ?? [];
  if (positionals.length !== wanted.length) {
    throw new UsageError(
      `expected ${wanted.map((p) => `<${p}>`).join(' ')} (see "quire ${name} --help")`,
    );
  }
  // Said before anything is asked or written, so an account never lands in the wrong database.
  if (command.database !== false) console.error(`using ${databaseLabel(loadConfig().database)}`);
  await command.run(values, positionals);
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

if (import.meta.main) {
  // Run directly rather than through bin/quire.js: the cache then serves what loads from here on.
  const cache = module.enableCompileCache();
  if (cache.directory) process.env.NODE_COMPILE_CACHE ??= cache.directory;
  await runCli(process.argv.slice(2));
}
