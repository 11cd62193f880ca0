/** Runs the `quire` command in a child process, as an operator would. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const QUIRE_BIN = fileURLToPath(new URL('../../bin/quire.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  /** Standard error after the "using <database>" line, when there was one. */
  stderr: string;
  /** The database the command named on its first line of standard error ("using ..."). */
  database: string | undefined;
}

/** Splits the "using <database>" line a command that opens the database prints first. */
export function splitUsing(stderr: string): { database: string | undefined; stderr: string } {
  const match = /^using (.*)\r?\n/.exec(stderr);
  return match
    ? { database: match[1], stderr: stderr.slice(match[0].length) }
    : { database: undefined, stderr };
}

export interface CliOptions {
  /** Standard input; without it, the command reads an empty one. */
  input?: string;
  /** Another copy's `bin/quire.js` (an installed release), and the folder to run it in. */
  bin?: string;
  cwd?: string;
}

export function quire(
  args: string[],
  env: Record<string, string> = {},
  { input, bin = QUIRE_BIN, cwd }: CliOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, ...splitUsing(stderr) }));
  });
}

/** Debian's `script` (util-linux), which runs a command on a pseudo-terminal of its own. */
export const SCRIPT_BIN = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));

/**
 * Runs `quire` on a pseudo-terminal through `script`, as a person at a terminal would: each
 * time the screen shows the next prompt, its answer is typed (with Enter). Resolves with
 * everything the terminal showed, prompts and echo included.
 */
export function quireInTerminal(
  args: string[],
  env: Record<string, string>,
  answers: Array<{ prompt: string; type: string }>,
): Promise<{ code: number | null; screen: string }> {
  if (!SCRIPT_BIN) throw new Error('script (util-linux) is not installed');
  const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, QUIRE_BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT_BIN, ['-qec', command, '/dev/null'], {
      env: { ...process.env, ...env, SHELL: '/bin/sh' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let next = 0;
    // Where the last prompt answered ended: each answer waits for its prompt after that point.
    let from = 0;
    const onData = (d: Buffer) => {
      screen += d.toString();
      const answer = answers[next];
      const at = answer ? screen.indexOf(answer.prompt, from) : -1;
      if (answer && at >= 0) {
        next += 1;
        from = at + answer.prompt.length;
        child.stdin.write(`${answer.type}\r`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, screen });
    });
  });
}

export interface RunningQuire {
  child: ChildProcess;
  /** Lines written to stdout so far (the JSON log). */
  logs: () => string[];
  exited: Promise<number | null>;
}

/** Starts `quire serve` and resolves once it logs that it is listening. */
export function serve(
  env: Record<string, string>,
  options: Omit<CliOptions, 'input'> = {},
): Promise<RunningQuire> {
  return start(['serve'], env, /listening on/, options);
}

/** Starts `quire worker` and resolves once it logs that it started. */
export function worker(env: Record<string, string>): Promise<RunningQuire> {
  return start(['worker'], env, /worker started/);
}

function start(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  { bin = QUIRE_BIN, cwd }: Omit<CliOptions, 'input'> = {},
): Promise<RunningQuire> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const logs = () => out.split('\n').filter(Boolean);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve({ child, logs, exited });
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    exited.then((code) =>
      reject(new Error(`quire ${args.join(' ')} exited early (${code}): ${err}${out}`)),
    );
  });
}
