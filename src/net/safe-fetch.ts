/**
 * Quire's one way to request a user-supplied URL (feed import, webhooks): refuses internal
 * addresses at connect time, follows redirects itself, and caps time and (decompressed) size.
 */
import { isIP, type LookupFunction } from 'node:net';
import type { Response } from 'undici';
import { checkOutboundUrl, hostOf, quote } from './address-policy.ts';
import { guardedLookup, resolveChecked } from './guarded-lookup.ts';
import { OutboundError } from './outbound-error.ts';

export { checkOutboundUrl, isAllowedAddress } from './address-policy.ts';
export { OutboundError } from './outbound-error.ts';

export interface SafeFetchOptions {
  /** QUIRE_ALLOW_PRIVATE_URLS: also allow loopback and private ranges (local testing). */
  allowPrivate: boolean;
  /** Every hop must be https (webhooks may want this); default false. */
  requireHttps?: boolean;
  /** Cap on the body after decompression; default 10 MiB. */
  maxBytes?: number;
  /** Past maxBytes: refuse the answer (default), or keep its first maxBytes and stop reading. */
  overflow?: 'refuse' | 'truncate';
  /** For the whole exchange: DNS, every redirect and the body; default 20 s. */
  timeoutMs?: number;
  /** Default 5; one more is refused with too_many_redirects. */
  maxRedirects?: number;
  /** A PURGE (of a cache in front) carries no body, like GET. */
  method?: 'GET' | 'POST' | 'HEAD' | 'PURGE';
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Default true, for GET and HEAD only; otherwise a 3xx answer is returned as it came. */
  followRedirects?: boolean;
  /** Cancels the exchange; safeFetch then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** DNS lookup with node:dns's signature, injectable for tests. */
  lookup?: LookupFunction;
}

export interface SafeResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** The URL that gave this answer, after redirects. */
  url: string;
  redirects: number;
}

/**
 * The policy for requests Quire pushes to user-supplied URLs (webhooks, WebSub callbacks):
 * https and public addresses only, unless QUIRE_ALLOW_PRIVATE_URLS allows local testing.
 */
export function pushPolicy(config: { allowPrivateUrls: boolean }) {
  return { allowPrivate: config.allowPrivateUrls, requireHttps: !config.allowPrivateUrls };
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_USER_AGENT = 'Quire/0.1 (feed importer)';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function safeFetch(url: string, options: SafeFetchOptions): Promise<SafeResponse> {
  // undici loads with the first outbound request: a node that never delivers or polls skips it.
  const { Agent, fetch } = await import('undici');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const method = options.method ?? 'GET';
  const followRedirects = options.followRedirects ?? true;
  const urlPolicy = { allowPrivate: options.allowPrivate, requireHttps: options.requireHttps };

  options.signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new OutboundError('timeout', `No complete answer within ${timeoutMs} ms`));
  }, timeoutMs);
  const onCallerAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const lookup = guardedLookup(options.allowPrivate, options.lookup);
  // One agent per exchange: its sockets never outlive the policy they were checked against.
  const agent = new Agent({ connect: { lookup } });
  let current = url;
  try {
    let target = checkOutboundUrl(url, urlPolicy);
    current = target.href;
    for (let redirects = 0; ; redirects++) {
      await precheckHost(target, lookup, controller.signal);
      const response = await fetch(target, {
        method,
        body: method === 'POST' ? options.body : undefined,
        headers: withDefaults(options.headers),
        redirect: 'manual',
        dispatcher: agent,
        signal: controller.signal,
      });
      const location = response.headers.get('location');
      const follow =
        followRedirects &&
        (method === 'GET' || method === 'HEAD') &&
        REDIRECT_STATUSES.has(response.status) &&
        location !== null;
      if (!follow) {
        const body = await readCapped(response, maxBytes, method, options.overflow ?? 'refuse');
        return {
          status: response.status,
          headers: new Headers([...response.headers]),
          body,
          url: current,
          redirects,
        };
      }
      await response.body?.cancel();
      if (redirects >= maxRedirects) {
        throw new OutboundError(
          'too_many_redirects',
          `More than ${maxRedirects} redirects, the last one from ${quote(current)}`,
        );
      }
      target = nextHop(location, target, urlPolicy);
      current = target.href;
    }
  } catch (error) {
    if (timedOut) {
      throw new OutboundError(
        'timeout',
        `No complete answer from ${quote(current)} within ${timeoutMs} ms`,
      );
    }
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw asOutboundError(error, current);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
    await agent.destroy().catch(() => undefined);
  }
}

function withDefaults(headers: Record<string, string> | undefined): Record<string, string> {
  const merged: Record<string, string> = { ...headers };
  if (!Object.keys(merged).some((name) => name.toLowerCase() === 'user-agent')) {
    merged['user-agent'] = DEFAULT_USER_AGENT;
  }
  return merged;
}

/**
 * Refuses a bad name before any socket opens, with a plain error. Not the real guard: the socket
 * resolves again through the same lookup and checks what it actually connects to.
 */
async function precheckHost(target: URL, lookup: LookupFunction, signal: AbortSignal) {
  const host = hostOf(target);
  if (isIP(host) !== 0) return; // literals were judged by checkOutboundUrl
  signal.throwIfAborted();
  // getaddrinfo cannot be cancelled; stop waiting for it instead.
  let onAbort = () => {};
  try {
    await Promise.race([
      resolveChecked(lookup, host),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function nextHop(
  location: string,
  from: URL,
  policy: { allowPrivate: boolean; requireHttps?: boolean | undefined },
): URL {
  let resolved: string;
  try {
    resolved = new URL(location, from).href;
  } catch {
    throw new OutboundError(
      'invalid_url',
      `${quote(from.href)} redirects to an invalid URL: ${quote(location)}`,
    );
  }
  return checkOutboundUrl(resolved, policy);
}

/** Reads the (already decompressed) body, refusing or cutting it as soon as it passes maxBytes. */
async function readCapped(
  response: Response,
  maxBytes: number,
  method: string,
  overflow: 'refuse' | 'truncate',
) {
  const tooLarge = () =>
    new OutboundError('too_large', `The answer is larger than the limit of ${maxBytes} bytes`);
  const declared = response.headers.get('content-length');
  const truncate = overflow === 'truncate';
  if (!truncate && method !== 'HEAD' && declared !== null && /^\d+$/.test(declared.trim())) {
    if (Number(declared) > maxBytes) {
      void response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      // Stops the decompressor too, so a compression bomb never inflates further.
      void reader.cancel().catch(() => undefined);
      if (!truncate) throw tooLarge();
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      break;
    }
    total += value.byteLength;
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** undici reports failures as TypeError('fetch failed') with the real reason as its cause. */
function asOutboundError(error: unknown, url: string): OutboundError {
  const reasons: string[] = [];
  const visit = (current: unknown, depth: number): OutboundError | undefined => {
    if (depth > 8 || !(current instanceof Error)) return undefined;
    if (current instanceof OutboundError) return current;
    if (current instanceof AggregateError) {
      // Happy Eyeballs tried several addresses, each failing for its own reason.
      for (const inner of current.errors) {
        const found = visit(inner, depth + 1);
        if (found) return found;
      }
    } else if (current.message !== '' && current.message !== 'fetch failed') {
      reasons.push(current.message);
    }
    return visit(current.cause, depth + 1);
  };
  const found = visit(error, 0);
  if (found) return found;
  const reason = reasons.length > 0 ? [...new Set(reasons)].join('; ') : 'unknown error';
  return new OutboundError('network', `Request to ${quote(url)} failed: ${reason}`, {
    cause: error,
  });
}
