/** `quire events rewind`: an outbox consumer reads the events since a time again. */
import { AppError } from '../../errors.ts';
import { type Command, UsageError, withContext } from '../command.ts';

/** The instant named, in the same words the webhook replay uses for a bad one. */
async function sinceOf(raw: unknown): Promise<Date> {
  const { instant } = await import('../../modules/webhooks/delivery-filters.ts');
  try {
    const at = instant('since', typeof raw === 'string' ? raw : '');
    if (at === undefined)
      throw new UsageError('--since needs a time (ISO 8601, e.g. 2026-03-01T00:00:00Z)');
    return new Date(at);
  } catch (error) {
    if (error instanceof AppError)
      throw new UsageError(error.errors?.map((e) => e.message).join('; ') ?? error.message);
    throw error;
  }
}

export const eventCommands: Record<string, Command> = {
  'events rewind': {
    usage: 'quire events rewind <consumer> --since T',
    summary:
      'Make an outbox consumer (notifications, webhooks, ...) handle again every event from a time on.',
    positionals: ['consumer'],
    options: {
      since: {
        type: 'string',
        description: 'the first event to handle again is the first at or after (ISO 8601)',
        required: true,
      },
    },
    async run(v, [name = '']) {
      const since = await sinceOf(v.since);
      const { rewindConsumer } = await import('../../events/consumers.ts');
      const { consumerNames } = await import('../../events/events.repository.ts');
      const rewound = await withContext(async (ctx) => {
        const done = await rewindConsumer(ctx, name, since);
        if (!done) {
          const known = await consumerNames(ctx.database.db);
          throw new UsageError(
            `no consumer named "${name}"; ${known.length > 0 ? `there are ${known.join(', ')}` : 'none has run on this database yet'}`,
          );
        }
        return done;
      });
      if (rewound.to === rewound.from) {
        console.log(
          `${name} has not read past ${since.toISOString()} yet (it is at event ${rewound.from}): nothing to do.`,
        );
        return;
      }
      console.log(
        `${name} moved back from event ${rewound.from} to ${rewound.to}: the running server or worker handles the events after it again.`,
      );
    },
  },
};
