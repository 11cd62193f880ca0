/**
 * What the benchmarks share: the machine's description, their section of docs/benchmarks.md,
 * child processes that report readiness over IPC, and number formatting.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
const DOC = join(ROOT, 'docs', 'benchmarks.md');

export interface Machine {
  cores: number;
  model: string;
  ramGiB: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cores} × ${m.model}, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.os}`;
}

/** Today in UTC, as YYYY-MM-DD. */
export const today = () => new Date().toISOString().slice(0, 10);

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in
 * docs/benchmarks.md, so a rerun refreshes its own results and leaves the others alone.
 */
export function writeSection(name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, next);
}

/** A Markdown table. */
export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const fixed = (n: number, digits = 1) => n.toFixed(digits);
export const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/**
 * Starts `bench/<script>` in a child Node (the same binary as this one) and resolves with the
 * first message it sends. The child is killed if it has not answered within `timeoutMs`.
 */
export function forkScript<T>(
  script: string,
  args: string[],
  options: { stdout?: number | 'inherit'; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ child: ChildProcess; message: T }> {
  const child = fork(join(ROOT, 'bench', script), args, {
    execPath: process.execPath,
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${script} did not answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve({ child, message: message as T });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before answering`));
    });
  });
}

/** Asks a child made by forkScript to stop, and kills it if it has not exited within 10 s. */
/**
 * The environment of a `quire serve` a benchmark starts: only what it is given (PATH and HOME
 * aside), listening on 127.0.0.1. `loadFromOneAddress` raises the API and write limits out of
 * reach, since a load generator sends everything from one address, and lets slow answers be
 * timed rather than cut at the request timeout.
 */
export function quireEnv(options: {
  databaseUrl: string;
  port: number;
  secret: string;
  logLevel: string;
  baseUrl: string;
  loadFromOneAddress?: { requestTimeoutSeconds: number };
  more?: Record<string, string>;
}): Record<string, string> {
  const load = options.loadFromOneAddress;
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: options.databaseUrl,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel,
    QUIRE_BASE_URL: options.baseUrl,
    QUIRE_SECRET: options.secret,
    ...(load && {
      QUIRE_API_RATE_LIMIT: '1000000',
      QUIRE_WRITE_RATE_LIMIT: '1000000',
      QUIRE_REQUEST_TIMEOUT: String(load.requestTimeoutSeconds),
    }),
    ...options.more,
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send('stop');
    else child.kill();
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc; null where there is none. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU seconds the whole machine has been busy (all cores), and stolen by the hypervisor (time
 * a virtual core wanted to run and could not); null without /proc.
 */
export function machineSeconds(): { busy: number; steal: number } | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return { busy: (user + nice + system + irq + softirq) / 100, steal: steal / 100 };
  } catch {
    return null;
  }
}

/** Resident memory of a process now and at its peak (VmRSS, VmHWM), in bytes; null without /proc. */
export function memoryOf(pid: number | undefined): { rss: number; peak: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
  } catch {
    return null;
  }
}
