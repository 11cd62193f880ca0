/** Runs the `quire` command in a child process, as an operator would. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const QUIRE_BIN = fileURLToPath(new URL('../../bin/quire.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function quire(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [QUIRE_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningQuire {
  child: ChildProcess;
  /** Lines written to stdout so far (the JSON log). */
  logs: () => string[];
  exited: Promise<number | null>;
}

/** Starts `quire serve` and resolves once it logs that it is listening. */
export function serve(env: Record<string, string>): Promise<RunningQuire> {
  return start(['serve'], env, /listening on/);
}

/** Starts `quire worker` and resolves once it logs that it started. */
export function worker(env: Record<string, string>): Promise<RunningQuire> {
  return start(['worker'], env, /worker started/);
}

function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<RunningQuire> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [QUIRE_BIN, ...args], {
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
