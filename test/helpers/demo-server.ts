/**
 * A throwaway Quire as `quire serve` runs it, on a fresh SQLite file in a temp folder, named
 * "Field Notes": for scripts that show or measure pages (screenshots, page weights).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { setSiteName } from '../../src/modules/site/site.service.ts';
import { freePort } from './net.ts';

export async function startDemoServer(): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-demo-'));
  const port = String(await freePort());
  const server = await startServer(
    loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'quire.db')}`, PORT: port, LOG_LEVEL: 'warn' }),
  );
  await setSiteName(server.ctx, 'Field Notes');
  return {
    ...server,
    async stop() {
      const clean = await server.stop();
      rmSync(dir, { recursive: true, force: true });
      return clean;
    },
  };
}
