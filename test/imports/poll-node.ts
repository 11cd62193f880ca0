/**
 * A second Quire node for the feed poller tests: its own process, node id and connection on the
 * test's database, with a fixed clock. (Two SQLite connections cannot share one thread: a
 * writer waiting for the lock would block the very event loop the other needs to finish.)
 *
 *   poll-node.ts <now-iso> poll        -> {"polled": n}
 *   poll-node.ts <now-iso> claim <id>  -> {"claimed": id | null}
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { openContext } from '../../src/context.ts';
import { claimSource, pollDueSources } from '../../src/modules/imports/feed-sources.service.ts';
import { TEST_SECRET } from '../helpers/server.ts';

/** Runs one command on a second node and returns what it printed, parsed. */
export function onSecondNode(databaseUrl: string, now: Date, args: string[]): Promise<any> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, now.toISOString(), ...args], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        QUIRE_SECRET: TEST_SECRET,
        QUIRE_ALLOW_PRIVATE_URLS: '1',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`second node exited ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
  });
}

if (import.meta.main) {
  const [now, command, id] = process.argv.slice(2);
  const ctx = await openContext(loadConfig(), {
    clock: new ManualClock(now),
    logger: pino({ level: 'silent' }),
  });
  try {
    const result =
      command === 'poll'
        ? { polled: await pollDueSources(ctx) }
        : { claimed: (await claimSource(ctx, Number(id)))?.id ?? null };
    process.stdout.write(JSON.stringify(result));
  } finally {
    await ctx.database.close();
  }
}
