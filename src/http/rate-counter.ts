/**
 * Requests per client in fixed windows, counted in this process. The API's rate limit counts
 * through it (it is @fastify/rate-limit's store), and so does the fast path when it answers a
 * cached API request, so a client has one count whichever path answers it. Bounded: when full,
 * the window begun longest ago is forgotten first.
 */
import type { Clock } from '../clock.ts';

interface Window {
  startMs: number;
  count: number;
}

/** What a window holds after a request: @fastify/rate-limit's shape. */
export interface RateCount {
  current: number;
  /** Milliseconds until the window ends. */
  ttl: number;
}

export class RateCounter {
  readonly #windows = new Map<string, Window>();
  readonly #clock: Clock;
  readonly #maxKeys: number;

  constructor(clock: Clock, maxKeys = 10_000) {
    this.#clock = clock;
    this.#maxKeys = maxKeys;
  }

  /** Counts one request of `key` in its current window of `windowMs`. */
  hit(key: string, windowMs: number): RateCount {
    const now = this.#clock.now().getTime();
    let window = this.#windows.get(key);
    if (!window || window.startMs + windowMs <= now) {
      // A new window goes last, so the map stays in the order windows began.
      if (window) this.#windows.delete(key);
      else if (this.#windows.size >= this.#maxKeys) {
        const oldest = this.#windows.keys().next().value;
        if (oldest !== undefined) this.#windows.delete(oldest);
      }
      window = { startMs: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return { current: window.count, ttl: window.startMs + windowMs - now };
  }

  /** @fastify/rate-limit's store interface. */
  incr(
    key: string,
    callback: (error: Error | null, count: RateCount) => void,
    timeWindow: number,
  ): void {
    callback(null, this.hit(key, timeWindow));
  }

  /** A route with a limit of its own (the writes) counts apart from the global one. */
  child(): RateCounter {
    return new RateCounter(this.#clock, this.#maxKeys);
  }
}

/** The rate-limit headers of an answer, as @fastify/rate-limit sends them (flat: name, value). */
export function rateLimitHeaders(count: RateCount, max: number): string[] {
  return [
    'x-ratelimit-limit',
    String(max),
    'x-ratelimit-remaining',
    String(Math.max(0, max - count.current)),
    'x-ratelimit-reset',
    String(Math.ceil(count.ttl / 1000)),
  ];
}
