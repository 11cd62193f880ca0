/**
 * The dispatcher: moves each outbox consumer forward, runs due jobs, and sends due deliveries,
 * a bounded number at a time. A commit wakes it at once (in this process directly, on others
 * through NOTIFY); a timer set to the next due time, and a slow poll, are the fallbacks. It runs
 * inside `quire serve` or on its own as `quire worker`; any number of them can share a database.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppContext } from '../context.ts';
import type { DeliveryRow } from '../db/schema.ts';
import { metricsOf } from '../metrics/metrics.ts';
import { advance, registerConsumer } from './consumers.ts';
import { claimDue, dropDelivery, nextDueAt, recordAttempt } from './deliveries.ts';
import { type AttemptResult, attempt } from './delivery-attempt.ts';
import type { AnyChannel, DispatcherParts } from './dispatcher-parts.ts';

/** Deliveries in flight at once from one dispatcher. */
const CONCURRENCY = 16;
/** Batches of events a consumer handles per pass before the pass moves on to deliveries. */
const BATCHES_PER_PASS = 5;
/** After a failed cycle the next waits this long, doubling with each failure up to the poll. */
const RETRY_MIN_MS = 250;

/** One attempt of a delivery on its channel: an HTTP request, or the channel's own sending. */
async function attemptOn(
  ctx: AppContext,
  channel: AnyChannel,
  delivery: DeliveryRow,
): Promise<AttemptResult | null> {
  if ('send' in channel) return channel.send(ctx, delivery, ctx.clock.now());
  const outgoing = await channel.request(ctx, delivery, ctx.clock.now());
  return outgoing && attempt(ctx, outgoing);
}

export class Dispatcher {
  /** Names this process on the leases it takes. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #ctx: AppContext;
  readonly #parts: DispatcherParts;
  readonly #inFlight = new Map<number, Promise<void>>();
  #cycle: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #started = false;
  #stopped = false;
  /** Cycles that failed in a row (the database away, usually). */
  #failures = 0;
  /** When the last claim looked: anything due by then that it left was held back, not missed. */
  #lastClaimAt = 0;

  constructor(ctx: AppContext, parts: DispatcherParts) {
    this.#ctx = ctx;
    this.#parts = parts;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.prepare();
    this.#unsubscribe = this.#ctx.database.onEventsCommitted(() => this.wake());
    this.wake();
  }

  /**
   * Registers the consumers, each starting at the newest event; start() does it. A dispatcher
   * driven only by drain() (tests on the fake clock) is prepared once when its server starts.
   */
  async prepare(): Promise<void> {
    for (const consumer of this.#parts.consumers) await registerConsumer(this.#ctx, consumer.name);
  }

  /** Asks for a cycle now (once started); if one is running, another follows it. */
  wake(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#cycle) {
      this.#again = true;
      return;
    }
    this.#cycle = this.#runCycles().finally(() => {
      this.#cycle = null;
    });
  }

  async #runCycles(): Promise<void> {
    for (;;) {
      let failed = false;
      do {
        this.#again = false;
        try {
          await this.runOnce();
          this.#failures = 0;
        } catch (error) {
          if (this.#stopped) return;
          failed = true;
          this.#failures++;
          const away = this.#ctx.database.isUnavailable(error);
          this.#ctx.logger[away ? 'warn' : 'error'](
            { err: error, failures: this.#failures },
            away ? 'dispatcher waiting for the database' : 'dispatcher cycle failed',
          );
          // A database that is away is not retried at once: the next try is after the backoff.
          break;
        }
      } while (this.#again && !this.#stopped);
      if (failed) {
        this.#again = false;
        this.#setTimerIn(Math.min(this.#pollMs(), RETRY_MIN_MS * 2 ** (this.#failures - 1)));
        return;
      }
      await this.#setTimer();
      // A wake-up that came while the timer was being set must not wait for it.
      if (!this.#again || this.#stopped) return;
    }
  }

  /** One pass over consumers, jobs and due deliveries; returns how much work it found. */
  async runOnce(): Promise<number> {
    let found = 0;
    // While events keep arriving a consumer always has more: a pass takes a bounded share, so
    // the deliveries it made go out (and a stop is heard) without waiting for a lull; another
    // pass follows at once for the rest.
    for (const consumer of this.#parts.consumers) {
      for (let batch = 0; ; batch++) {
        if (this.#stopped) return found;
        if (batch === BATCHES_PER_PASS) {
          this.#again = true;
          break;
        }
        const n = await advance(this.#ctx, consumer);
        found += n;
        if (n === 0) break;
      }
    }
    for (const job of this.#parts.jobs) {
      if (this.#stopped) return found;
      found += await job.run(this.#ctx);
    }
    if (this.#stopped) return found;
    this.#lastClaimAt = this.#ctx.clock.now().getTime();
    const claimed = await claimDue(this.#ctx, this.owner, CONCURRENCY - this.#inFlight.size);
    for (const delivery of claimed) this.#send(delivery);
    return found + claimed.length;
  }

  /**
   * Runs until nothing is due and nothing is in flight, work jobs started beside the cycle
   * included: what tests call after moving a clock.
   * A delivery that fails is retried only when its next attempt is due.
   */
  async drain(): Promise<void> {
    for (;;) {
      const found = await this.runOnce();
      for (const job of this.#parts.jobs) await job.idle?.(this.#ctx);
      if (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
      else if (found === 0) return;
    }
  }

  #send(delivery: DeliveryRow): void {
    const ctx = this.#ctx;
    const task = (async () => {
      const channel = this.#parts.channels.find((c) => c.owns(delivery));
      const result = channel ? await attemptOn(ctx, channel, delivery) : null;
      if (!channel || !result) {
        await dropDelivery(ctx, delivery, this.owner, 'the endpoint or subscription is gone');
        return;
      }
      // Logged before it is recorded: the attempt happened even if recording it fails.
      ctx.logger.info(
        {
          event: delivery.event_id,
          endpoint: delivery.endpoint_id,
          subscription: delivery.subscription_id,
          attempt: delivery.attempts + 1,
          delivery: delivery.id,
          message: delivery.message_id,
          target: delivery.target,
          channel: channel.name,
          outcome: result.outcome,
          status: result.statusCode,
          latencyMs: result.latencyMs,
        },
        'delivery attempted',
      );
      metricsOf(ctx).deliveryAttempt(channel.name, result.outcome, result.latencyMs / 1000);
      await recordAttempt(ctx, channel, delivery, this.owner, result);
    })()
      .catch((error: unknown) => {
        if (!this.#stopped)
          ctx.logger.error({ err: error, delivery: delivery.id }, 'delivery failed');
      })
      .finally(() => {
        this.#inFlight.delete(delivery.id);
        this.wake();
      });
    this.#inFlight.set(delivery.id, task);
  }

  /**
   * Sleeps until the next delivery or job is due, or the poll interval, whichever is first.
   * Work that was due at the last claim and not taken is held back by a per-target cap or this
   * node's concurrency; a finishing delivery wakes the dispatcher for it, so no timer is set.
   */
  async #setTimer(): Promise<void> {
    if (this.#stopped) return;
    let delay = this.#pollMs();
    try {
      const now = this.#ctx.clock.now().getTime();
      const times = [await nextDueAt(this.#ctx)];
      for (const job of this.#parts.jobs) if (job.nextAt) times.push(await job.nextAt(this.#ctx));
      for (const at of times) {
        if (!at || at.getTime() <= this.#lastClaimAt) continue;
        delay = Math.min(delay, Math.max(0, at.getTime() - now));
      }
    } catch (error) {
      if (this.#stopped) return;
      this.#ctx.logger.warn({ err: error }, 'dispatcher could not read what is due next');
    }
    this.#setTimerIn(delay);
  }

  #setTimerIn(delay: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), delay);
    this.#timer.unref();
  }

  #pollMs(): number {
    return this.#ctx.config.dispatchPoll * 1000;
  }

  /**
   * Stops taking work, and waits for the step under way and the deliveries in flight to finish
   * and be recorded, for at most `withinMs` when given. Returns false if some were left: their
   * leases run out and another dispatcher (or this one, restarted) sends them again.
   */
  async stop(withinMs?: number): Promise<boolean> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const finished = (async () => {
      await this.#cycle;
      await Promise.all(this.#inFlight.values());
      return true;
    })();
    if (withinMs === undefined) return finished;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), withinMs);
    });
    try {
      const done = await Promise.race([finished, late]);
      if (!done)
        this.#ctx.logger.warn(
          { inFlight: this.#inFlight.size },
          'deliveries still in flight are left to their leases: they will be sent again',
        );
      return done;
    } finally {
      clearTimeout(timer);
    }
  }
}
