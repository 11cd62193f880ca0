/** The `quire` command. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { DatabaseUnavailableError } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { StartupError } from '../main.ts';
import { type Command, UsageError, type Values } from './command.ts';
import { coreCommands } from './commands/core.ts';
import { importCommands } from './commands/imports.ts';
import { webhookCommands } from './commands/webhooks.ts';

const commands: Record<string, Command> = {
  ...coreCommands,
  ...importCommands,
  ...webhookCommands,
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
  const width = Math.max(...Object.keys(commands).map((name) => name.length)) + 2;
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
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
  const wanted = command.positionals ?? [];
  if (positionals.length !== wanted.length) {
    throw new UsageError(
      `expected ${wanted.map((p) => `<${p}>`).join(' ')} (see "quire ${name} --help")`,
    );
  }
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

if (import.meta.main) await runCli(process.argv.slice(2));
