/** Webhook endpoints and deliveries as the API shows them; an endpoint's secret is never here. */
import type { UserRow, WebhookEndpointRow } from '../../db/schema.ts';
import { sharedUserJson } from '../users/users.presenter.ts';
import type { DeliveryWithAttempts } from './webhooks.service.ts';

/** An endpoint in Forem's shape, with Quire's health fields. */
export function endpointJson(endpoint: WebhookEndpointRow, owner: UserRow, baseUrl: string) {
  return {
    type_of: 'webhook_endpoint' as const,
    id: endpoint.id,
    source: endpoint.source,
    target_url: endpoint.target_url,
    events: JSON.parse(endpoint.events) as string[],
    created_at: endpoint.created_at,
    user: sharedUserJson(owner, baseUrl),
    disabled_at: endpoint.disabled_at,
    disabled_reason: endpoint.disabled_reason,
    failing_since: endpoint.failing_since,
  };
}

export function deliveryJson({ delivery, attempts }: DeliveryWithAttempts) {
  return {
    id: delivery.id,
    message_id: delivery.message_id,
    event_type: delivery.event_type,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? delivery.next_attempt_at : null,
    created_at: delivery.created_at,
    completed_at: delivery.completed_at,
    last_status_code: delivery.last_status_code,
    last_error: delivery.last_error,
    attempt_log: attempts.map((a) => ({
      attempted_at: a.attempted_at,
      outcome: a.outcome,
      status_code: a.status_code,
      latency_ms: a.latency_ms,
      response: a.response,
      error: a.error,
    })),
  };
}
