/**
 * A throwaway PostgreSQL cluster from the local binaries: initdb into a temp folder, start on a
 * free port, and stop and delete it afterwards. As root, the server runs as `postgres`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';

export interface PgCluster {
  url: string;
  /** Kills the server as a crash would (`pg_ctl stop -m immediate`); the data stays. */
  kill(): void;
  /** Starts the server again on the same port and data. */
  start(): void;
  /** Stops the server and deletes the cluster. */
  stop(): void;
}

export interface PgClusterOptions {
  /**
   * Commit durably (synchronous_commit on), so a transaction that committed survives a crash of
   * the server; the shared test cluster trades that for speed.
   */
  durable?: boolean;
  /**
   * Run as a production server does: fsync, synchronous_commit and full_page_writes on, so
   * every commit waits for its WAL to reach the disk (what a benchmark of writes must pay).
   */
  fsync?: boolean;
}

export function findPgBin(): string | null {
  if (process.env.PG_BIN && existsSync(join(process.env.PG_BIN, 'initdb')))
    return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL binaries not found (install Debian package "postgresql")');
  const dir = mkdtempSync(join(tmpdir(), 'quire-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
    const result = spawnSync(file, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    `-c fsync=${options.fsync ? 'on' : 'off'}`,
    `-c synchronous_commit=${options.durable || options.fsync ? 'on' : 'off'}`,
    `-c full_page_writes=${options.fsync ? 'on' : 'off'}`,
    '-c max_connections=300',
  ].join(' ');
  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-o',
      settings,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  start();
  let stopped = false;
  let running = true;
  const kill = () => {
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kill,
    start() {
      start();
      running = true;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (running) kill();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
