/** Request and response schemas of the webhooks API: they validate, serialize and document. */
import { type Static, Type } from 'typebox';
import { WEBHOOK_EVENT_TYPES } from '../../events/outbox.ts';
import {
  Nullable,
  NullableInteger,
  NullableText,
  NullableTimestamp,
  paging,
  Ref,
  Timestamp,
} from '../../http/schemas.ts';
import { IdNumber } from '../../http/url-numbers.ts';
import { SharedUser } from '../articles/articles.schemas.ts';

const endpointFields = {
  type_of: Type.Literal('webhook_endpoint'),
  id: Type.Integer(),
  source: Type.String(),
  target_url: Type.String(),
  events: Type.Array(Type.String()),
  created_at: Timestamp,
  user: Ref(SharedUser),
  disabled_at: NullableTimestamp(
    'When deliveries stopped: after 410 Gone, or after failing for too long',
  ),
  disabled_reason: NullableText,
  failing_since: NullableTimestamp('Since when every attempt has failed; null while healthy'),
};

export const WebhookEndpoint = Type.Object(endpointFields, {
  $id: 'WebhookEndpoint',
  description: 'A webhook endpoint, without its secret',
});

export const WebhookEndpointCreated = Type.Object(
  {
    ...endpointFields,
    secret: Type.String({ description: 'whsec_ and base64 key bytes; shown only here' }),
  },
  { $id: 'WebhookEndpointCreated', description: 'A new webhook endpoint with its secret' },
);

export const WebhookEndpointRotated = Type.Object(
  {
    ...endpointFields,
    secret: Type.String({ description: 'The new secret; shown only here' }),
    previous_secret_expires_at: Type.String({
      description:
        'Until then deliveries also carry a signature with the previous secret (ISO 8601, UTC)',
    }),
  },
  { $id: 'WebhookEndpointRotated', description: 'A webhook endpoint with its new secret' },
);

/** The `webhook_endpoint` object of a create request. */
export const WebhookEndpointFields = Type.Object({
  target_url: Type.String({ maxLength: 2048, description: 'An https URL that takes POSTs' }),
  source: Type.Optional(
    Type.String({ maxLength: 1000, description: 'What the endpoint is for (default Quire)' }),
  ),
  events: Type.Array(Type.String({ maxLength: 100 }), {
    maxItems: 50,
    description: `Any of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
  }),
});
export type EndpointInput = Static<typeof WebhookEndpointFields>;

export const WebhookWrite = Type.Object({ webhook_endpoint: WebhookEndpointFields });

export const DeliveryAttempt = Type.Object(
  {
    attempted_at: Timestamp,
    outcome: Type.String({
      description: 'succeeded, failed, redirect, gone (410), throttled (429, 503) or error',
    }),
    status_code: NullableInteger,
    latency_ms: Type.Integer(),
    response: Nullable(Type.String(), { description: 'The first kilobyte of the answer' }),
    error: NullableText,
  },
  { $id: 'WebhookDeliveryAttempt' },
);

export const Delivery = Type.Object(
  {
    id: Type.Integer(),
    message_id: Type.String({ description: 'The webhook-id header: the same on every attempt' }),
    event_type: Type.String(),
    status: Type.String({ description: 'pending, succeeded or dead' }),
    attempts: Type.Integer({ description: 'Attempts since it was queued or last replayed' }),
    next_attempt_at: NullableTimestamp('When it is tried next; null unless pending'),
    created_at: Timestamp,
    completed_at: NullableTimestamp(),
    last_status_code: NullableInteger,
    last_error: NullableText,
    attempt_log: Type.Array(Ref(DeliveryAttempt), { description: 'Every attempt, oldest first' }),
  },
  { $id: 'WebhookDelivery', description: 'One event sent to one endpoint, with its attempts' },
);

export const DeliveryParams = Type.Object({ id: IdNumber, delivery_id: IdNumber });

export const DeliveryListQuery = Type.Object({
  status: Type.Optional(
    Type.String({ maxLength: 40, description: 'pending, succeeded or dead; all when absent' }),
  ),
  ...paging('Default 30, at most 100', 100),
});

const Instant = (description: string) =>
  Type.Optional(
    Type.String({
      maxLength: 64,
      description: `${description}: an ISO 8601 date or date-time with a zone`,
    }),
  );

/** Which deliveries a replay sends again. */
export const ReplayQuery = Type.Object({
  status: Type.Optional(
    Type.String({ maxLength: 40, description: 'dead (the default) or succeeded' }),
  ),
  since: Instant('Deliveries created at or after'),
  until: Instant('Deliveries created at or before'),
});
export type ReplayFilter = Static<typeof ReplayQuery>;

export const ReplayCount = Type.Object(
  { replayed: Type.Integer({ description: 'How many deliveries are queued again' }) },
  { $id: 'WebhookReplayCount' },
);

export const webhookComponents = [
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointRotated,
  DeliveryAttempt,
  Delivery,
  ReplayCount,
];
