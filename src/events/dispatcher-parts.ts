/**
 * What a dispatcher is built from: outbox consumers (consumers.ts), delivery channels and
 * periodic jobs. Here, apart from the dispatcher and the queue, so either can name them.
 */
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/database.ts';
import type { DeliveryRow } from '../db/schema.ts';
import type { OutboxConsumer } from './consumers.ts';
import type { AttemptResult, Outgoing } from './delivery-attempt.ts';

/** What every kind of delivery shares: its name, which deliveries it owns, what follows an attempt. */
interface ChannelBase {
  /** Names the channel in logs and metrics (`webhook`, `websub`, `mail`). */
  name: string;
  owns(delivery: DeliveryRow): boolean;
  /** Effects of an attempt on its target (health, disabling), in the recording transaction. */
  afterAttempt(
    ctx: AppContext,
    tx: Tx,
    delivery: DeliveryRow,
    result: AttemptResult,
    now: Date,
  ): Promise<void>;
}

/** What a kind of delivery sent over HTTP (webhook, WebSub, purge) adds to the common queue. */
export interface DeliveryChannel extends ChannelBase {
  /** The request for an attempt now, or null when the target is gone (the delivery then dies). */
  request(ctx: AppContext, delivery: DeliveryRow, now: Date): Promise<Outgoing | null>;
}

/**
 * A kind of delivery that makes its own attempt over another protocol (mail over SMTP), with the
 * queue's leases, retries and dead letters all the same.
 */
export interface SendingChannel extends ChannelBase {
  /**
   * Makes one attempt and says how it went (never throws); null when the delivery cannot be
   * sent any more (it then dies).
   */
  send(ctx: AppContext, delivery: DeliveryRow, now: Date): Promise<AttemptResult | null>;
}

export type AnyChannel = DeliveryChannel | SendingChannel;

/** Periodic work the dispatcher also runs, such as announcing articles whose time has come. */
export interface DispatcherJob {
  name: string;
  /** Does what is due; returns how much it did. */
  run(ctx: AppContext): Promise<number>;
  /** When it will next have something to do, if it knows. */
  nextAt?(ctx: AppContext): Promise<Date | null>;
  /** Settles when work it started beside the cycle has ended: what drain() waits for. */
  idle?(ctx: AppContext): Promise<void>;
}

export interface DispatcherParts {
  consumers: OutboxConsumer[];
  channels: AnyChannel[];
  jobs: DispatcherJob[];
}
