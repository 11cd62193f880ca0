/** The help texts: the overview, a group's commands (`quire feeds --help`), one command's options. */
import type { Command } from './command.ts';

/** The group a two-word command belongs to ("feeds" for "feeds add"), or undefined. */
export function groupOf(name: string): string | undefined {
  return name.includes(' ') ? name.split(' ')[0] : undefined;
}

export function commandHelp(name: string, command: Command): string {
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

/** Each command of the group with its usage line and what it does. */
export function groupHelp(group: string, commands: Record<string, Command>): string {
  const members = Object.entries(commands).filter(([name]) => groupOf(name) === group);
  return [
    `Usage: quire ${group} <command> [options]`,
    '',
    'Commands:',
    ...members.flatMap(([, c]) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    `Run "quire ${group} <command> --help" for a command's options.`,
  ].join('\n');
}

/** Every command, the single-word ones first, then each group in a block of its own. */
export function overview(commands: Record<string, Command>): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((name) => name.length)) + 2;
  const row = (name: string) => `  ${name.padEnd(width)}${commands[name]?.summary ?? ''}`;
  const groups = [...new Set(names.map(groupOf))].filter((g) => g !== undefined);
  const blocks = [
    names.filter((name) => !groupOf(name)).map(row),
    ...groups.map((group) => names.filter((name) => groupOf(name) === group).map(row)),
  ];
  return [
    'Usage: quire <command> [options]',
    '',
    'Commands:',
    ...blocks.flatMap((block, i) => (i === 0 ? block : ['', ...block])),
    '',
    'Run "quire <command> --help" for its options, and "quire <group> --help" for the commands',
    `of a group (${groups.join(', ')}). Commands name the database they open on standard error.`,
  ].join('\n');
}
