/**
 * The webhooks settings pages: endpoints (add, delete, rotate the secret, enable again) and one
 * endpoint's deliveries with every attempt, to replay.
 */
import { html } from 'ghtml';
import type { WebhookEndpointRow } from '../../db/schema.ts';
import { WEBHOOK_EVENT_TYPES } from '../../events/outbox.ts';
import type { DeliveryWithAttempts } from '../../modules/webhooks/webhooks.service.ts';
import { actionButton, type FormState, field, formStart } from './forms.ts';
import { secretNote, settingsFrame, statusNote, tableBox, timeTag } from './settings.ts';

export interface WebhooksView {
  endpoints: WebhookEndpointRow[];
  message?: string | undefined;
  /** The secret just made (at creation or rotation): shown in this answer only. */
  secret?: { url: string; secret: string } | undefined;
  /** The events ticked in the form being shown again. */
  checkedEvents?: string[];
}

const eventsOf = (endpoint: WebhookEndpointRow): string[] => {
  try {
    return JSON.parse(endpoint.events) as string[];
  } catch {
    return [];
  }
};

/** The event checkboxes, as one group with its error beside the legend. */
function eventsFieldset(state: FormState, checked: string[]): string {
  const error = state.errors.find((e) => e.field === 'events');
  const boxes = WEBHOOK_EVENT_TYPES.map((type) => {
    const id = `f-events-${type.replace(/[^a-z]/g, '-')}`;
    return html`<li><input type="checkbox" id="${id}" name="events" value="${type}"${checked.includes(type) ? ' checked' : ''}> <label for="${id}"><code>${type}</code></label></li>`;
  });
  return html`<fieldset class="field events"!${error ? ' aria-describedby="f-events-error"' : ''}>
<legend>Events</legend>
!${error ? html`<span class="error" id="f-events-error">${error.message}</span>` : ''}
<ul>!${boxes}</ul>
</fieldset>`;
}

function endpointEntry(endpoint: WebhookEndpointRow, csrfToken: string): string {
  const base = `/settings/webhooks/${endpoint.id}`;
  const state = endpoint.disabled_at
    ? html`<div class="warning" id="endpoint-${endpoint.id}-disabled">
<p><strong>Disabled</strong> since !${timeTag(endpoint.disabled_at)}: ${endpoint.disabled_reason ?? 'no reason recorded'}.
No deliveries are sent until it is enabled again.</p>
!${actionButton({ action: `${base}/enable`, label: 'Enable', csrfToken })}
</div>`
    : endpoint.failing_since
      ? html`<p>Enabled, but every attempt has failed since !${timeTag(endpoint.failing_since)}.</p>`
      : '<p>Enabled</p>';
  return html`<article class="entry" id="endpoint-${endpoint.id}" aria-labelledby="endpoint-${endpoint.id}-url">
<h3 id="endpoint-${endpoint.id}-url" class="url">${endpoint.target_url}</h3>
<dl class="facts">
  <dt>Events</dt><dd>!${eventsOf(endpoint)
    .map((e) => html`<code>${e}</code>`)
    .join(', ')}</dd>
  <dt>Created</dt><dd>!${timeTag(endpoint.created_at)}</dd>
</dl>
!${state}
<div class="actions">
<a href="${base}" class="button secondary">Deliveries</a>
!${actionButton({
    action: `${base}/rotate`,
    label: 'Rotate secret',
    csrfToken,
    confirm: 'Make a new signing secret? The current one keeps working for 24 hours.',
  })}
!${actionButton({
    action: `${base}/delete`,
    label: 'Delete',
    csrfToken,
    confirm: `Delete the endpoint ${endpoint.target_url} and its delivery log?`,
    className: 'danger',
  })}
</div>
</article>`;
}

export function webhooksSettingsPage(state: FormState, view: WebhooksView): string {
  const secret = view.secret
    ? secretNote(`Signing secret for ${view.secret.url}:`, view.secret.secret, 'new-secret')
    : '';
  const list =
    view.endpoints.length === 0
      ? '<p class="empty">No webhook endpoints yet.</p>'
      : view.endpoints.map((e) => endpointEntry(e, state.csrfToken)).join('\n');
  return settingsFrame(
    'webhooks',
    html`<h1>Webhooks</h1>
<p>Quire posts each event you choose to your endpoints, signed per Standard Webhooks.</p>
!${secret}
!${statusNote(view.message)}
<section aria-labelledby="add-endpoint-heading">
<h2 id="add-endpoint-heading">Add an endpoint</h2>
!${formStart(state, '/settings/webhooks')}
!${field(state, 'target_url', 'Endpoint URL', { type: 'url', hint: 'An https URL that takes POST requests' })}
!${eventsFieldset(state, view.checkedEvents ?? [])}
<p><button type="submit" id="add-endpoint">Add endpoint</button></p>
</form>
</section>
<section aria-labelledby="endpoints-heading">
<h2 id="endpoints-heading">Your endpoints</h2>
!${list}
</section>`,
  );
}

export interface DeliveriesView {
  endpoint: WebhookEndpointRow;
  items: DeliveryWithAttempts[];
  page: number;
  more: boolean;
  message?: string | undefined;
  csrfToken: string;
}

/** How much of an answer's stored first kilobyte the table shows. */
const RESPONSE_SHOWN = 300;

function firstBytes(response: string): string {
  const characters = Array.from(response);
  return characters.length > RESPONSE_SHOWN
    ? `${characters.slice(0, RESPONSE_SHOWN).join('')}…`
    : response;
}

function attemptsTable(item: DeliveryWithAttempts): string {
  const id = `delivery-${item.delivery.id}-attempts`;
  if (item.attempts.length === 0) return '<p class="muted">No attempts yet.</p>';
  const rows = item.attempts.map(
    (a) => html`<tr>
  <th scope="row">!${timeTag(a.attempted_at)}</th>
  <td>${a.outcome}</td>
  <td>${a.status_code ?? '-'}</td>
  <td>${a.latency_ms} ms</td>
  <td>${a.error ?? ''}</td>
  <td>!${a.response ? html`<pre class="response">${firstBytes(a.response)}</pre>` : ''}</td>
</tr>`,
  );
  return html`<h4 id="${id}">Attempts</h4>
!${tableBox(
    id,
    html`<table>
<thead><tr><th scope="col">Time</th><th scope="col">Outcome</th><th scope="col">Status code</th><th scope="col">Latency</th><th scope="col">Error</th><th scope="col">Response (first bytes)</th></tr></thead>
<tbody>!${rows}</tbody>
</table>`,
  )}`;
}

function deliveryEntry(item: DeliveryWithAttempts, endpointId: number, csrfToken: string): string {
  const d = item.delivery;
  return html`<article class="entry delivery" id="delivery-${d.id}" aria-labelledby="delivery-${d.id}-heading">
<h3 id="delivery-${d.id}-heading"><code>${d.event_type}</code> <span class="muted">#${d.id}</span></h3>
<dl class="facts">
  <dt>Status</dt><dd class="status-${d.status}">${d.status}</dd>
  <dt>Attempts</dt><dd>${d.attempts}</dd>
  <dt>Next attempt</dt><dd>!${d.status === 'pending' ? timeTag(d.next_attempt_at) : '<span class="muted">None</span>'}</dd>
  <dt>Last response</dt><dd>${d.last_status_code ?? '-'}</dd>
  <dt>Created</dt><dd>!${timeTag(d.created_at)}</dd>
</dl>
!${attemptsTable(item)}
<div class="actions">
!${actionButton({
    action: `/settings/webhooks/${endpointId}/deliveries/${d.id}/replay`,
    label: 'Replay',
    csrfToken,
    confirm: 'Send this delivery again?',
  })}
</div>
</article>`;
}

export function deliveriesPage(view: DeliveriesView): string {
  const { endpoint, page } = view;
  const base = `/settings/webhooks/${endpoint.id}`;
  const list =
    view.items.length === 0
      ? '<p class="empty">No deliveries on this page.</p>'
      : view.items.map((i) => deliveryEntry(i, endpoint.id, view.csrfToken)).join('\n');
  const newer = page > 1 ? html`<a rel="prev" href="${base}?page=${page - 1}">Newer</a>` : '';
  const older = view.more ? html`<a rel="next" href="${base}?page=${page + 1}">Older</a>` : '';
  return settingsFrame(
    'webhooks',
    html`<h1>Deliveries</h1>
<p class="url">To <strong>${endpoint.target_url}</strong></p>
<p><a href="/settings/webhooks">Back to webhooks</a></p>
!${statusNote(view.message)}
<div class="actions">
!${actionButton({
      action: `${base}/replay_dead`,
      label: 'Replay all dead',
      csrfToken: view.csrfToken,
      confirm: 'Send every dead delivery of this endpoint again?',
    })}
</div>
<section aria-labelledby="deliveries-heading">
<h2 id="deliveries-heading">Newest first</h2>
!${list}
<nav class="pager" aria-label="Pages">!${newer} !${older}</nav>
</section>`,
  );
}
