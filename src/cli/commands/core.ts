/** `quire serve`, `quire worker`, `quire migrate`, `quire user create`, `quire apikey create`. */
import { loadConfig } from '../../config.ts';
import { type Command, userNamed, withContext } from '../command.ts';
import { passwordFrom, passwordOptions } from '../password.ts';

// Each command loads the code it runs when it runs, so `quire --help` loads none of it.
const context = () => import('../../context.ts');

export const coreCommands: Record<string, Command> = {
  serve: {
    usage: 'quire serve',
    summary: 'Run the web server (configured from the environment; see README).',
    options: {},
    async run() {
      // The web application is loaded only by the commands that serve it.
      const { startServer, stopOnSignals } = await import('../../server.ts');
      const server = await startServer(loadConfig());
      stopOnSignals(server);
    },
  },
  worker: {
    usage: 'quire worker',
    summary:
      'Run every background job alone (webhooks, WebSub, scheduled announcements, feed polling, retention) until stopped; pair with QUIRE_DISPATCHER=0 on web nodes.',
    options: {},
    async run() {
      const { exitOnSignals } = await import('../../server.ts');
      const { createDispatcher, stopBackground } = await import('../../background.ts');
      const { openContext } = await context();
      const ctx = await openContext(loadConfig(), { migrate: true });
      const dispatcher = createDispatcher(ctx);
      await dispatcher.start();
      ctx.logger.info({ owner: dispatcher.owner }, 'worker started');
      // The dispatcher's timers do not hold the process (nor, on SQLite, does any connection):
      // this one does, until a signal stops the worker.
      const alive = setInterval(() => {}, 1 << 30);
      exitOnSignals(ctx, async () => {
        ctx.logger.info('worker stopping: finishing deliveries and polls in flight');
        await stopBackground(ctx, dispatcher, ctx.config.shutdownTimeout * 1000);
        clearInterval(alive);
        await ctx.database.close();
        ctx.logger.info('worker stopped');
        return true;
      });
    },
  },
  migrate: {
    usage: 'quire migrate',
    summary: 'Apply pending database migrations, then exit.',
    options: {},
    async run() {
      const { openContext } = await context();
      const { migrateToLatest } = await import('../../db/migrate.ts');
      const ctx = await openContext(loadConfig());
      try {
        const applied = await migrateToLatest(ctx.database);
        console.log(
          applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`,
        );
      } finally {
        await ctx.database.close();
      }
    },
  },
  'user create': {
    usage:
      'quire user create --username U --email E [--password-stdin | --password P] [--name N] [--admin]',
    summary:
      'Create an account (the first of an instance is an administrator). Without --password-stdin or --password, asks for the password on the terminal.',
    options: {
      username: {
        type: 'string',
        description: '3 to 30 characters: a-z, 0-9 and _',
        required: true,
      },
      email: { type: 'string', description: 'the account email', required: true },
      ...passwordOptions,
      name: { type: 'string', description: 'display name (default: the username)' },
      admin: { type: 'boolean', description: 'make the account an administrator' },
    },
    async run(v) {
      const password = await passwordFrom(v);
      const { createAccount } = await import('../../modules/users/users.service.ts');
      const user = await withContext((ctx) =>
        createAccount(ctx, {
          username: String(v.username),
          email: String(v.email),
          password,
          name: v.name as string | undefined,
          admin: v.admin === true,
        }),
      );
      console.log(
        `Created ${user.role === 'admin' ? 'administrator' : 'user'} @${user.username} (id ${user.id}).`,
      );
    },
  },
  'apikey create': {
    usage: 'quire apikey create --username U [--name N]',
    summary: 'Create an API key for an account. The key is printed alone on the last line.',
    options: {
      username: { type: 'string', description: 'the account that owns the key', required: true },
      name: { type: 'string', description: 'a label to recognise the key by' },
    },
    async run(v) {
      const { createApiKey } = await import('../../modules/apikeys/apikeys.service.ts');
      const created = await withContext(async (ctx) =>
        createApiKey(
          ctx,
          await userNamed(ctx, v.username),
          (v.name as string | undefined) ?? 'CLI',
        ),
      );
      console.log(
        `API key "${created.row.name}" for @${String(v.username)} (shown once, keep it safe):`,
      );
      console.log(created.key);
    },
  },
};
