/**
 * One attempt of a delivery: a request (a POST, mostly) through the SSRF guard (redirects never followed, at most a
 * kilobyte of the answer read), and what its answer means for the delivery.
 */
import type { AppContext } from '../context.ts';
import { OutboundError, pushPolicy, safeFetch } from '../net/safe-fetch.ts';
import { retryAfterSeconds } from './retry-schedule.ts';

/** One HTTP request an attempt makes. */
export interface Outgoing {
  /** POST unless said (a cache purge is a PURGE). */
  method?: 'POST' | 'PURGE';
  url: string;
  headers: Record<string, string>;
  body: string;
  /**
   * Set for a URL from the operator's configuration (a cache to purge, usually on a private
   * address), never for one a user gave: the guard then lets private addresses and plain HTTP
   * through. Link-local addresses stay refused.
   */
  operatorUrl?: boolean;
}

export type AttemptOutcome =
  /** A 2xx. */
  | 'succeeded'
  /** Any other status, except those below. */
  | 'failed'
  /** A 3xx: never followed. */
  | 'redirect'
  /** 410: the receiver wants no more. */
  | 'gone'
  /** 429 or 503: retried no sooner than its Retry-After. */
  | 'throttled'
  /** No answer: refused address, timeout, connection error. */
  | 'error';

export interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode: number | null;
  latencyMs: number;
  /** The first kilobyte of the answer's body. */
  response: string | null;
  error: string | null;
  /** From Retry-After on a throttled answer, in seconds. */
  retryAfter: number | null;
}

const RESPONSE_EXCERPT_BYTES = 1024;

/** What an answer's status means for the delivery. */
export function outcomeOf(status: number): Exclude<AttemptOutcome, 'error'> {
  if (status >= 200 && status < 300) return 'succeeded';
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 410) return 'gone';
  if (status === 429 || status === 503) return 'throttled';
  return 'failed';
}

/** Sends one attempt and classifies the answer; never throws. */
export async function attempt(ctx: AppContext, outgoing: Outgoing): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const answer = await safeFetch(outgoing.url, {
      method: outgoing.method ?? 'POST',
      body: outgoing.body,
      headers: outgoing.headers,
      ...(outgoing.operatorUrl
        ? { allowPrivate: true, requireHttps: false }
        : pushPolicy(ctx.config)),
      followRedirects: false,
      timeoutMs: ctx.config.deliveryTimeout * 1000,
      maxBytes: RESPONSE_EXCERPT_BYTES,
      overflow: 'truncate',
    });
    const outcome = outcomeOf(answer.status);
    return {
      outcome,
      statusCode: answer.status,
      latencyMs: elapsed(),
      response: new TextDecoder().decode(answer.body),
      error: outcome === 'redirect' ? 'redirects are not followed' : null,
      retryAfter:
        outcome === 'throttled'
          ? retryAfterSeconds(answer.headers.get('retry-after'), ctx.clock.now())
          : null,
    };
  } catch (error) {
    const message =
      error instanceof OutboundError ? error.message : 'the request failed unexpectedly';
    if (!(error instanceof OutboundError)) ctx.logger.warn({ err: error }, 'delivery failed');
    return {
      outcome: 'error',
      statusCode: null,
      latencyMs: elapsed(),
      response: null,
      error: message,
      retryAfter: null,
    };
  }
}
