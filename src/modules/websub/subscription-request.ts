/**
 * Reads a subscription request (the `hub.*` form fields of WebSub section 5.1) and bounds every
 * field. Anything missing, repeated, malformed or too long is a 400 that names the field.
 */
import { AppError } from '../../errors.ts';

export type HubMode = 'subscribe' | 'unsubscribe';

export interface HubRequest {
  mode: HubMode;
  topic: string;
  callback: string;
  /** The lease granted: the one asked for, clamped to LEASE_SECONDS, or its default. */
  leaseSeconds: number;
  secret: string | null;
}

/** Ten days unless asked otherwise; never less than an hour or more than thirty days. */
export const LEASE_SECONDS = { default: 10 * 86_400, min: 3600, max: 30 * 86_400 } as const;
export const MAX_URL_LENGTH = 2048;
/** The spec's limit: a secret is less than 200 bytes. */
export const MAX_SECRET_BYTES = 199;

const badRequest = (message: string) => new AppError('bad_request', message);

export function readHubRequest(body: unknown): HubRequest {
  const fields = (body ?? {}) as Record<string, unknown>;
  const field = (name: string): string | null => {
    const value = fields[name];
    if (value === undefined) return null;
    if (typeof value !== 'string') throw badRequest(`${name} is given more than once`);
    return value;
  };
  const required = (name: string): string => {
    const value = field(name);
    if (value === null || value === '') throw badRequest(`${name} is required`);
    return value;
  };

  const mode = required('hub.mode');
  if (mode !== 'subscribe' && mode !== 'unsubscribe') {
    throw badRequest('hub.mode must be "subscribe" or "unsubscribe"');
  }
  const topic = required('hub.topic');
  const callback = required('hub.callback');
  for (const [name, value] of [
    ['hub.topic', topic],
    ['hub.callback', callback],
  ] as const) {
    if (value.length > MAX_URL_LENGTH) {
      throw badRequest(`${name} is longer than ${MAX_URL_LENGTH} characters`);
    }
    if (/[\s\p{Cc}]/u.test(value)) {
      throw badRequest(`${name} must be a URL without spaces or control characters`);
    }
  }
  const secret = field('hub.secret') || null;
  if (secret !== null && Buffer.byteLength(secret, 'utf8') > MAX_SECRET_BYTES) {
    throw badRequest('hub.secret must be less than 200 bytes');
  }
  return { mode, topic, callback, leaseSeconds: leaseFrom(field('hub.lease_seconds')), secret };
}

function leaseFrom(raw: string | null): number {
  if (raw === null || raw === '') return LEASE_SECONDS.default;
  if (!/^\d{1,10}$/.test(raw)) {
    throw badRequest('hub.lease_seconds must be a whole number of seconds');
  }
  return Math.min(Math.max(Number(raw), LEASE_SECONDS.min), LEASE_SECONDS.max);
}
