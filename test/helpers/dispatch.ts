/** Driving a test server's dispatcher by hand, on the fake clock. */
import { newestEventId } from '../../src/events/events.repository.ts';
import type { TestServer } from './server.ts';

/**
 * Runs the dispatcher until nothing is due and nothing is in flight, then checks that the
 * webhook fan-out has taken every event written so far.
 */
export async function drainAll(server: TestServer): Promise<void> {
  await server.dispatcher.drain();
  const db = server.ctx.database.db;
  const newest = await newestEventId(db);
  const consumer = await db
    .selectFrom('consumers')
    .select('position')
    .where('name', '=', 'webhooks')
    .executeTakeFirstOrThrow();
  if (Number(consumer.position) < newest) {
    throw new Error(`drain() left events unread: at ${consumer.position}, newest ${newest}`);
  }
}
