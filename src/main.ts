/** Runs the server: config, context, listen, and a clean stop on SIGTERM or SIGINT. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { type AppContext, openContext } from './context.ts';
import { startPoller } from './modules/imports/feed-sources.service.ts';
import { createDispatcher } from './worker.ts';

/** Something the operator must fix; printed as one line, without a stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const ctx = await openContext(config, { migrate: true });
  const app = await buildApp(ctx);
  ctx.logger.info({ database: config.database.kind, baseUrl: config.baseUrl }, 'starting');
  try {
    await app.listen({
      port: config.port,
      host: config.host,
      listenTextResolver: (address) => `listening on ${address}`,
    });
  } catch (error) {
    await app.close();
    await ctx.database.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new StartupError(`port ${config.port} on ${config.host} is already in use`);
    if (code === 'EACCES')
      throw new StartupError(`not allowed to listen on port ${config.port} on ${config.host}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new StartupError(`HOST ${config.host} is not an address of this machine`);
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const stopPoller = startPoller(ctx);
  const dispatcher = config.dispatcher ? createDispatcher(ctx) : null;
  await dispatcher?.start();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ctx.logger.info('stopping: finishing requests in flight');
      stopPoller();
      await dispatcher?.stop();
      await app.close();
      await ctx.database.close();
      ctx.logger.info('stopped; database closed');
    })();
    return stopping;
  };
  return { app, ctx, url, stop };
}

/** Stops the server on SIGTERM or SIGINT and exits once everything is closed. */
export function stopOnSignals(server: RunningServer): void {
  const onSignal = (signal: NodeJS.Signals) => {
    server.ctx.logger.info({ signal }, 'signal received');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        server.ctx.logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
