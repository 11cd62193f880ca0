/** Request and response schemas of the webhooks API: they validate, serialize and document. */
import { Type } from 'typebox';
import { WEBHOOK_EVENT_TYPES } from '../../events/outbox.ts';
import { IdNumber, PageNumber, PerPage } from '../../http/url-numbers.ts';
import { SharedUser } from '../articles/articles.schemas.ts';

const NText = Type.Union([Type.String(), Type.Null()]);
const NInteger = Type.Union([Type.Integer(), Type.Null()]);

const endpointFields = {
  type_of: Type.Literal('webhook_endpoint'),
  id: Type.Integer(),
  source: Type.String(),
  target_url: Type.String(),
  events: Type.Array(Type.String()),
  created_at: Type.String(),
  user: SharedUser,
  disabled_at: Type.Union([Type.String(), Type.Null()], {
    description: 'When deliveries stopped: after 410 Gone, or after failing for too long',
  }),
  disabled_reason: NText,
  failing_since: Type.Union([Type.String(), Type.Null()], {
    description: 'Since when every attempt has failed; null while healthy',
  }),
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
      description: 'Until then deliveries also carry a signature with the previous secret',
    }),
  },
  { $id: 'WebhookEndpointRotated', description: 'A webhook endpoint with its new secret' },
);

export const WebhookWrite = Type.Object({
  webhook_endpoint: Type.Object({
    target_url: Type.String({ maxLength: 2048, description: 'An https URL that takes POSTs' }),
    source: Type.Optional(
      Type.String({ maxLength: 1000, description: 'What the endpoint is for (default Quire)' }),
    ),
    events: Type.Array(Type.String({ maxLength: 100 }), {
      maxItems: 50,
      description: `Any of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    }),
  }),
});

export const DeliveryAttempt = Type.Object(
  {
    attempted_at: Type.String(),
    outcome: Type.String({
      description: 'succeeded, failed, redirect, gone (410), throttled (429, 503) or error',
    }),
    status_code: NInteger,
    latency_ms: Type.Integer(),
    response: Type.Union([Type.String(), Type.Null()], {
      description: 'The first kilobyte of the answer',
    }),
    error: NText,
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
    next_attempt_at: Type.Union([Type.String(), Type.Null()], {
      description: 'When it is tried next; null unless pending',
    }),
    created_at: Type.String(),
    completed_at: NText,
    last_status_code: NInteger,
    last_error: NText,
    attempt_log: Type.Array(DeliveryAttempt, { description: 'Every attempt, oldest first' }),
  },
  { $id: 'WebhookDelivery', description: 'One event sent to one endpoint, with its attempts' },
);

export const EndpointParams = Type.Object({ id: IdNumber });
export const DeliveryParams = Type.Object({ id: IdNumber, delivery_id: IdNumber });

export const DeliveryListQuery = Type.Object({
  status: Type.Optional(
    Type.String({ maxLength: 40, description: 'pending, succeeded or dead; all when absent' }),
  ),
  page: Type.Optional(PageNumber),
  per_page: Type.Optional(PerPage('Default 30, at most 100', 100)),
});

const Instant = (description: string) =>
  Type.Optional(
    Type.String({
      maxLength: 64,
      description: `${description}: an ISO 8601 date or date-time with a zone`,
    }),
  );

export const ReplayQuery = Type.Object({
  status: Type.Optional(
    Type.String({ maxLength: 40, description: 'dead (the default) or succeeded' }),
  ),
  since: Instant('Deliveries created at or after'),
  until: Instant('Deliveries created at or before'),
});

export const ReplayCount = Type.Object(
  { replayed: Type.Integer({ description: 'How many deliveries are queued again' }) },
  { $id: 'WebhookReplayCount' },
);
