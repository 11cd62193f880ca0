/** `quire webhooks list|deliveries|replay`: an account's webhook endpoints and their deliveries. */
import type { AppContext } from '../../context.ts';
import type { UserRow, WebhookEndpointRow } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { DeliveryWithAttempts } from '../../modules/webhooks/webhooks.service.ts';
import { type Command, UsageError, userNamed, withContext } from '../command.ts';

// Loaded when a command runs, so the command line starts without the webhook code.
const webhooks = () => import('../../modules/webhooks/webhooks.service.ts');

const positive = (name: string, raw: unknown): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > Number.MAX_SAFE_INTEGER)
    throw new UsageError(`--${name} must be a positive whole number, got "${String(raw)}"`);
  return n;
};

/** Runs `fn` on the account's endpoint, or says plainly that the account has no such endpoint. */
async function onEndpoint<T>(
  ctx: AppContext,
  username: unknown,
  id: number,
  fn: (user: UserRow) => Promise<T>,
): Promise<T> {
  const user = await userNamed(ctx, username);
  try {
    await (await webhooks()).getEndpoint(ctx, user, id);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found')
      throw new UsageError(`@${user.username} has no webhook endpoint ${id}`);
    throw error;
  }
  return fn(user);
}

function state(e: WebhookEndpointRow): string {
  if (e.disabled_at) return `disabled ${e.disabled_at}: ${e.disabled_reason ?? ''}`;
  if (e.failing_since) return `failing since ${e.failing_since}`;
  return 'active';
}

/** Rows under a header, each column as wide as its widest cell; the last column runs free. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((cells) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const oneLine = (text: string, max = 100) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

function describeDelivery({ delivery: d, attempts }: DeliveryWithAttempts): string {
  const next = d.status === 'pending' ? `, next attempt ${d.next_attempt_at}` : '';
  const lines = [
    `delivery ${d.id}  ${d.message_id}  ${d.event_type}  ${d.status} after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${next}  (created ${d.created_at})`,
  ];
  for (const a of attempts) {
    const answer = a.status_code === null ? '-' : String(a.status_code);
    const detail = a.error ?? (a.response ? oneLine(a.response) : '');
    lines.push(
      `  ${a.attempted_at}  ${a.outcome.padEnd(9)}  ${answer.padStart(3)}  ${`${a.latency_ms} ms`.padStart(8)}  ${detail}`.trimEnd(),
    );
  }
  return lines.join('\n');
}

const account = {
  type: 'string',
  description: 'the account that owns the endpoint',
  required: true,
} as const;
const endpointId = {
  type: 'string',
  description: 'the endpoint id from "quire webhooks list"',
  required: true,
} as const;

export const webhookCommands: Record<string, Command> = {
  'webhooks list': {
    usage: 'quire webhooks list --username U',
    summary: "List an account's webhook endpoints: id, target, events and state.",
    options: { username: account },
    async run(v) {
      const rows = await withContext(async (ctx) =>
        (await webhooks()).listEndpoints(ctx, await userNamed(ctx, v.username)),
      );
      if (rows.length === 0) {
        console.log('No webhook endpoints.');
        return;
      }
      console.log(
        table(
          ['ID', 'TARGET', 'EVENTS', 'STATE'],
          rows.map((e) => [
            String(e.id),
            e.target_url,
            (JSON.parse(e.events) as string[]).join(','),
            state(e),
          ]),
        ),
      );
    },
  },
  'webhooks deliveries': {
    usage:
      'quire webhooks deliveries --username U --id N [--status pending|succeeded|dead] [--page P] [--per-page K]',
    summary: "Show an endpoint's deliveries, newest first, each with its attempts.",
    options: {
      username: account,
      id: endpointId,
      status: { type: 'string', description: 'only pending, succeeded or dead deliveries' },
      page: { type: 'string', description: 'page of results (default 1)' },
      'per-page': { type: 'string', description: 'deliveries per page (default 30, at most 100)' },
    },
    async run(v) {
      const id = positive('id', v.id);
      const page = v.page === undefined ? 1 : positive('page', v.page);
      const perPage = v['per-page'] === undefined ? 30 : positive('per-page', v['per-page']);
      if (perPage > 100) throw new UsageError(`--per-page must be at most 100, got ${perPage}`);
      const { listDeliveries } = await webhooks();
      const list = await withContext((ctx) =>
        onEndpoint(ctx, v.username, id, (user) =>
          listDeliveries(ctx, user, id, {
            status: v.status as string | undefined,
            page,
            perPage,
          }),
        ),
      );
      if (list.length === 0) console.log('No deliveries.');
      for (const entry of list) console.log(describeDelivery(entry));
    },
  },
  'webhooks replay': {
    usage:
      'quire webhooks replay --username U --id N (--delivery D | --status dead|succeeded [--since T] [--until T])',
    summary:
      'Send deliveries again with their original webhook-id: one, or all in a status created between two times.',
    options: {
      username: account,
      id: endpointId,
      delivery: { type: 'string', description: 'the delivery id from "quire webhooks deliveries"' },
      status: {
        type: 'string',
        description: 'replay every delivery in this status: dead or succeeded',
      },
      since: {
        type: 'string',
        description: 'only those created at or after (ISO 8601, e.g. 2026-03-01T00:00:00Z)',
      },
      until: { type: 'string', description: 'only those created at or before (ISO 8601)' },
    },
    async run(v) {
      const id = positive('id', v.id);
      const one = v.delivery !== undefined;
      const many = v.status !== undefined || v.since !== undefined || v.until !== undefined;
      if (one === many)
        throw new UsageError(
          'give either --delivery D, or --status with an optional --since and --until (see "quire webhooks replay --help")',
        );
      if (one) {
        const deliveryId = positive('delivery', v.delivery);
        const replayed = await withContext((ctx) =>
          onEndpoint(ctx, v.username, id, async (user) => {
            try {
              return await (await webhooks()).replayDelivery(ctx, user, id, deliveryId);
            } catch (error) {
              if (error instanceof AppError && error.code === 'not_found')
                throw new UsageError(`webhook endpoint ${id} has no delivery ${deliveryId}`);
              throw error;
            }
          }),
        );
        console.log(
          `Queued delivery ${replayed.delivery.id} (${replayed.delivery.message_id}) to be sent again by the running server or worker.`,
        );
        return;
      }
      if (v.status === undefined)
        throw new UsageError('--since and --until need --status (dead or succeeded)');
      const { replayDeliveries } = await webhooks();
      const count = await withContext((ctx) =>
        onEndpoint(ctx, v.username, id, (user) =>
          replayDeliveries(ctx, user, id, {
            status: v.status as string,
            since: v.since as string | undefined,
            until: v.until as string | undefined,
          }),
        ),
      );
      console.log(
        `Queued ${count} deliver${count === 1 ? 'y' : 'ies'} to be sent again by the running server or worker.`,
      );
    },
  },
};
