/** Runs the server: config, context, listen, and a clean stop on SIGTERM or SIGINT. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { type AppContext, openContext } from './context.ts';
import { StartupError } from './errors.ts';
import { stopListening } from './http/drain.ts';
import type { Dispatcher } from './events/dispatcher.ts';
import { createDispatcher, stopBackground } from './background.ts';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  /** Stops gracefully; false when requests in flight had to be cut at the deadline. */
  stop(): Promise<boolean>;
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
  const dispatcher = config.dispatcher ? createDispatcher(ctx) : null;
  await dispatcher?.start();
  let stopping: Promise<boolean> | undefined;
  const stop = () => {
    stopping ??= gracefulStop(app, ctx, dispatcher);
    return stopping;
  };
  return { app, ctx, url, stop };
}

/**
 * Stops within QUIRE_SHUTDOWN_TIMEOUT: no new connections at once; requests that arrive on kept-
 * alive connections are refused (503, Connection: close) while those in flight finish; the
 * dispatcher takes no new work and finishes what it holds; then the database closes. Resolves
 * false when requests were still running at the deadline and had to be cut.
 */
async function gracefulStop(
  app: FastifyInstance,
  ctx: AppContext,
  dispatcher: Dispatcher | null,
): Promise<boolean> {
  const deadline = performance.now() + ctx.config.shutdownTimeout * 1000;
  const left = () => Math.max(0, deadline - performance.now());
  ctx.logger.info({ inFlight: app.drain.inFlight }, 'stopping: finishing requests in flight');
  app.drain.start();
  await stopListening(app.server, () => app.drain.inFlight);
  const [requestsDone] = await Promise.all([
    app.drain.settled(left()),
    dispatcher && stopBackground(ctx, dispatcher, left()),
  ]);
  if (!requestsDone) {
    ctx.logger.warn({ inFlight: app.drain.inFlight }, 'requests still in flight are cut');
    app.server.closeAllConnections();
  }
  await app.close();
  await ctx.database.close();
  ctx.logger.info('stopped; database closed');
  return requestsDone;
}

/**
 * Stops the server on SIGTERM or SIGINT and exits: 0 once everything is closed, 1 when the stop
 * had to cut requests, failed, or outlived QUIRE_SHUTDOWN_TIMEOUT. A second signal exits at once.
 */
export function stopOnSignals(server: RunningServer): void {
  exitOnSignals(server.ctx, () => server.stop());
}

/** The signal handling `quire serve` and `quire worker` share. */
export function exitOnSignals(ctx: AppContext, stop: () => Promise<boolean>): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      ctx.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    ctx.logger.info({ signal }, 'signal received');
    // A stop that hangs (a database that never answers) must not keep the process.
    setTimeout(
      () => {
        ctx.logger.error('stop took longer than QUIRE_SHUTDOWN_TIMEOUT: exiting');
        process.exit(1);
      },
      ctx.config.shutdownTimeout * 1000 + FORCE_EXIT_GRACE_MS,
    ).unref();
    stop().then(
      (clean) => process.exit(clean ? 0 : 1),
      (error: unknown) => {
        ctx.logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Beyond the shutdown timeout, the time closing the database may still take. */
const FORCE_EXIT_GRACE_MS = 2000;
