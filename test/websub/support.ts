/** Requests to the hub and looks into its subscriptions, shared by the WebSub tests. */
import type { Response } from '../helpers/http.ts';
import type { TestServer } from '../helpers/server.ts';
import { verificationsSettled } from '../../src/modules/websub/websub.service.ts';

export const ALLOW_PRIVATE = { QUIRE_ALLOW_PRIVATE_URLS: '1' };

/** POSTs hub.* fields to /websub and waits until the verification it started is over. */
export async function hubRequest(server: TestServer, fields: Record<string, string>) {
  const res: Response = await server.client().post('/websub', { form: fields });
  await verificationsSettled(server.ctx);
  return res;
}

export function subscribe(
  server: TestServer,
  topic: string,
  callback: string,
  extra: Record<string, string> = {},
) {
  return hubRequest(server, {
    'hub.mode': 'subscribe',
    'hub.topic': topic,
    'hub.callback': callback,
    ...extra,
  });
}

export function unsubscribe(server: TestServer, topic: string, callback: string) {
  return hubRequest(server, {
    'hub.mode': 'unsubscribe',
    'hub.topic': topic,
    'hub.callback': callback,
  });
}

export function subscriptions(server: TestServer) {
  return server.ctx.database.db
    .selectFrom('websub_subscriptions')
    .selectAll()
    .orderBy('id')
    .execute();
}

export function deliveriesOf(server: TestServer, subscriptionId: number) {
  return server.ctx.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id')
    .execute();
}
