/**
 * The filters a caller gives when listing or replaying deliveries: a status, and a window of
 * ISO 8601 instants. Each is checked here, so the API and the command line refuse the same
 * input with the same words.
 */
import type { DeliveryStatus } from '../../db/schema.ts';
import { validationFailed } from '../../errors.ts';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'dead'];

/** The status named, one of `allowed`, or undefined when none was given. */
export function deliveryStatus(
  raw: string | undefined,
  allowed: readonly DeliveryStatus[] = DELIVERY_STATUSES,
): DeliveryStatus | undefined {
  if (raw === undefined || raw === '') return undefined;
  const found = allowed.find((s) => s === raw);
  if (found) return found;
  throw validationFailed([
    {
      field: 'status',
      message: `Unknown status ${JSON.stringify(raw.slice(0, 40))}; choose from ${allowed.join(', ')}`,
    },
  ]);
}

// A date, or a date and time with seconds optional and a zone required: a time without a zone
// would mean a different instant on every server.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2})))?$/i;

/**
 * An ISO 8601 date (midnight UTC) or date-time with a zone, as the stored form of timestamps
 * (UTC with milliseconds), which compares correctly as text; undefined when none was given.
 */
export function instant(field: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const text = raw.trim();
  const m = ISO_8601.exec(text);
  const refuse = () =>
    validationFailed([
      {
        field,
        message: `${field} must be an ISO 8601 date or date-time with a zone, such as 2026-03-01 or 2026-03-01T12:00:00Z; got ${JSON.stringify(text.slice(0, 60))}`,
      },
    ]);
  if (!m) throw refuse();
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', sign, oh = '0', om = '0'] = m;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const [hour, minute, second] = [Number(h), Number(mi), Number(s)];
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(Date.UTC(year, month - 1, day));
  const real =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    Number(oh) <= 23 &&
    Number(om) <= 59;
  if (!real) throw refuse();
  const offset = (Number(oh) * 60 + Number(om)) * 60_000 * (sign === '-' ? -1 : 1);
  return new Date(utc - offset).toISOString();
}

/** The window [since, until], both optional, checked and in stored form. */
export function timeWindow(
  since: string | undefined,
  until: string | undefined,
): { since: string | undefined; until: string | undefined } {
  const from = instant('since', since);
  const to = instant('until', until);
  if (from !== undefined && to !== undefined && from > to) {
    throw validationFailed([{ field: 'until', message: 'until must not be earlier than since' }]);
  }
  return { since: from, until: to };
}
