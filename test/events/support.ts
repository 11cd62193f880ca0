/**
 * What the delivery tests share: endpoints made through the webhooks service, Standard Webhooks
 * verification of every request a receiver got, reading deliveries and attempts back, and moving
 * the fake clock with the dispatcher in step.
 */
import { Webhook } from 'standardwebhooks';
import type { DeliveryAttemptRow, DeliveryRow, EventRow, UserRow } from '../../src/db/schema.ts';
import { WEBHOOK_EVENT_TYPES } from '../../src/events/outbox.ts';
import { createEndpoint, deleteEndpoint } from '../../src/modules/webhooks/webhooks.service.ts';
import { findUserById } from '../../src/modules/users/users.repository.ts';
import type { Author } from '../helpers/fixtures.ts';
import type { ReceivedRequest } from '../helpers/receiver.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/server.ts';

export interface Hook {
  id: number;
  secret: string;
  url: string;
  user: UserRow;
}

async function userRow(server: TestServer, id: number): Promise<UserRow> {
  const user = await findUserById(server.ctx.database.db, id);
  if (!user) throw new Error(`no user ${id}`);
  return user;
}

/** Creates an endpoint for `owner` through the service; subscribed to every type unless told. */
export async function createHook(
  server: TestServer,
  owner: Author,
  url: string,
  events: string[] = [...WEBHOOK_EVENT_TYPES],
): Promise<Hook> {
  const user = await userRow(server, owner.id);
  const { endpoint, secret } = await createEndpoint(server.ctx, user, { target_url: url, events });
  return { id: endpoint.id, secret, url, user };
}

/** Deletes the endpoint with its deliveries, so the next test's counts start from nothing. */
export async function removeHook(server: TestServer, hook: Hook): Promise<void> {
  await deleteEndpoint(server.ctx, hook.user, hook.id);
}

export interface SignedPayload {
  type: string;
  timestamp: string;
  data: Record<string, any>;
}

/**
 * Verifies each request's Standard Webhooks signature with the endpoint's secret and returns the
 * payloads; the first that does not verify fails the test with its position and id.
 */
export function verified(requests: ReceivedRequest[], secret: string): SignedPayload[] {
  const webhook = new Webhook(secret);
  return requests.map((request, i) => {
    try {
      return webhook.verify(request.body, request.headers) as SignedPayload;
    } catch (error) {
      throw new Error(
        `request ${i} (${request.path}, webhook-id ${request.headers['webhook-id']}) does not verify: ${(error as Error).message}`,
        { cause: error },
      );
    }
  });
}

export const ids = (requests: ReceivedRequest[]) => requests.map((r) => r.headers['webhook-id']);

export function deliveriesOf(server: TestServer, endpointId: number): Promise<DeliveryRow[]> {
  return server.ctx.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id')
    .execute();
}

export async function onlyDelivery(server: TestServer, endpointId: number): Promise<DeliveryRow> {
  const rows = await deliveriesOf(server, endpointId);
  if (rows.length !== 1) throw new Error(`expected one delivery, found ${rows.length}`);
  return rows[0] as DeliveryRow;
}

export function attemptsOf(server: TestServer, deliveryId: number): Promise<DeliveryAttemptRow[]> {
  return server.ctx.database.db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
}

/** Outbox events of the given types, oldest first. */
export function eventsOfType(server: TestServer, types: readonly string[]): Promise<EventRow[]> {
  return server.ctx.database.db
    .selectFrom('events')
    .selectAll()
    .where('type', 'in', [...types])
    .orderBy('id')
    .execute();
}

/** A test server whose dispatcher moves only when the test drains it. */
export function startFakeClockServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ ...options, dispatcher: false });
}

import { drainAll } from '../helpers/dispatch.ts';

export { drainAll };

/** Moves the fake clock on by `ms`, then sends whatever has become due. */
export async function step(server: TestServer, ms: number): Promise<void> {
  server.clock.advance(ms);
  await drainAll(server);
}

/** Moves the fake clock to `at` (never back), then sends whatever has become due. */
export async function stepTo(server: TestServer, at: string | Date): Promise<void> {
  const target = new Date(at).getTime();
  const now = server.clock.now().getTime();
  if (target > now) server.clock.advance(target - now);
  await drainAll(server);
}

/**
 * Moves the fake clock from one due time to the next until none of the endpoint's deliveries is
 * pending; fails after `maxSteps` (a delivery that is never settled).
 */
export async function settle(server: TestServer, endpointId: number, maxSteps = 50): Promise<void> {
  await drainAll(server);
  for (let i = 0; i < maxSteps; i++) {
    const pending = (await deliveriesOf(server, endpointId)).filter((d) => d.status === 'pending');
    if (pending.length === 0) return;
    const due = pending.map((d) => d.next_attempt_at).sort()[0] as string;
    await stepTo(server, due);
  }
  throw new Error(`deliveries to endpoint ${endpointId} still pending after ${maxSteps} steps`);
}

/** Waits until the wall clock's second has moved on from `wallMs`: a later signature stamp. */
export async function nextWallSecond(wallMs: number): Promise<void> {
  const next = (Math.floor(wallMs / 1000) + 1) * 1000;
  const wait = next - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 5));
}

/** Polls `condition` every 25 ms until it holds; fails after `timeoutMs` saying what it awaited. */
export async function eventually(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
