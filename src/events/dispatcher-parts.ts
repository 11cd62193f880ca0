/**
 * What a dispatcher is built from: outbox consumers (consumers.ts), delivery channels and
 * periodic jobs. Here, apart from the dispatcher and the queue, so either can name them.
 */
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/database.ts';
import type { DeliveryRow } from '../db/schema.ts';
import type { OutboxConsumer } from './consumers.ts';
import type { AttemptResult, Outgoing } from './delivery-attempt.ts';

/** What a kind of delivery (webhook, WebSub) adds to the common queue. */
export interface DeliveryChannel {
  /** Names the channel in logs and metrics (`webhook`, `websub`). */
  name: string;
  owns(delivery: DeliveryRow): boolean;
  /** The request for an attempt now, or null when the target is gone (the delivery then dies). */
  request(ctx: AppContext, delivery: DeliveryRow, now: Date): Promise<Outgoing | null>;
  /** Effects of an attempt on its target (health, disabling), in the recording transaction. */
  afterAttempt(
    ctx: AppContext,
    tx: Tx,
    delivery: DeliveryRow,
    result: AttemptResult,
    now: Date,
  ): Promise<void>;
}

/** Periodic work the dispatcher also runs, such as announcing articles whose time has come. */
export interface DispatcherJob {
  name: string;
  /** Does what is due; returns how much it did. */
  run(ctx: AppContext): Promise<number>;
  /** When it will next have something to do, if it knows. */
  nextAt?(ctx: AppContext): Promise<Date | null>;
}

export interface DispatcherParts {
  consumers: OutboxConsumer[];
  channels: DeliveryChannel[];
  jobs: DispatcherJob[];
}
