/**
 * An account's settings pages: the frame with its sub-navigation, the profile, the password and
 * the API keys, and the pieces the other settings and admin pages share (status notes, times,
 * secrets shown once).
 */
import { html } from 'ghtml';
import type { ApiKeyRow } from '../../db/schema.ts';
import { PASSWORD_MIN } from '../../modules/users/users.rules.ts';
import { SUMMARY_MAX } from '../../modules/users/users.rules.ts';
import { actionButton, type FormState, field, formStart, textarea } from './forms.ts';

export type SettingsSection =
  'profile' | 'password' | 'notifications' | 'keys' | 'feeds' | 'webhooks';

const SECTIONS: { id: SettingsSection; path: string; label: string }[] = [
  { id: 'profile', path: '/settings', label: 'Profile' },
  { id: 'password', path: '/settings/password', label: 'Password' },
  { id: 'notifications', path: '/settings/notifications', label: 'Notifications' },
  { id: 'keys', path: '/settings/keys', label: 'API keys' },
  { id: 'feeds', path: '/settings/feeds', label: 'Feed sources' },
  { id: 'webhooks', path: '/settings/webhooks', label: 'Webhooks' },
];

/** A settings page: the sub-navigation beside the section's own content (which holds the h1). */
export function settingsFrame(current: SettingsSection, body: string): string {
  const links = SECTIONS.map(
    (s) =>
      html`<li><a href="${s.path}"!${s.id === current ? ' aria-current="page"' : ''}>${s.label}</a></li>`,
  );
  return html`<div class="settings">
<nav aria-label="Settings" class="settings-nav"><ul>!${links}</ul></nav>
<div class="settings-main">
!${body}
</div>
</div>`;
}

/** What an action just did, read out by screen readers; nothing when there is no message. */
export function statusNote(message: string | undefined): string {
  return message ? html`<p class="notice" role="status">${message}</p>` : '';
}

/** A secret in the one answer that shows it, with the warning that it will not be shown again. */
export function secretNote(intro: string, secret: string, id: string): string {
  return html`<div class="secret-note" role="status">
<p>${intro}</p>
<p><code class="secret" id="${id}">${secret}</code></p>
<p><strong>Copy it now: it will not be shown again.</strong></p>
</div>`;
}

/** A stored UTC instant as a readable time, or `empty` when there is none. */
export function timeTag(iso: string | null, empty = 'Never'): string {
  if (!iso) return html`<span class="muted">${empty}</span>`;
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time>`;
}

/** A table in its own scrolling box, so a narrow screen scrolls the table, not the page. */
export function tableBox(labelId: string, table: string): string {
  return html`<div class="table-box" role="region" aria-labelledby="${labelId}" tabindex="0">!${table}</div>`;
}

export function profileSettingsPage(state: FormState, message?: string): string {
  return settingsFrame(
    'profile',
    html`<h1>Profile</h1>
!${statusNote(message)}
!${formStart(state, '/settings')}
!${field(state, 'name', 'Name', { autocomplete: 'name' })}
!${textarea(state, 'summary', 'Bio', { hint: `Up to ${SUMMARY_MAX} characters, shown on your profile` })}
!${field(state, 'website_url', 'Website URL', { type: 'url', autocomplete: 'url', required: false })}
!${field(state, 'profile_image', 'Profile image URL', { type: 'url', required: false, hint: 'Your avatar; leave empty for a generated one' })}
<p><button type="submit" id="save-profile">Save profile</button></p>
</form>`,
  );
}

export function passwordSettingsPage(state: FormState, message?: string): string {
  return settingsFrame(
    'password',
    html`<h1>Password</h1>
!${statusNote(message)}
!${formStart(state, '/settings/password')}
!${field(state, 'current_password', 'Current password', { type: 'password', autocomplete: 'current-password' })}
!${field(state, 'new_password', 'New password', { type: 'password', autocomplete: 'new-password', hint: `At least ${PASSWORD_MIN} characters` })}
!${field(state, 'new_password_confirmation', 'Confirm the new password', { type: 'password', autocomplete: 'new-password' })}
<p class="hint">Changing your password signs you out of every other browser.</p>
<p><button type="submit" id="change-password">Change password</button></p>
</form>
<section aria-labelledby="sessions-heading">
<h2 id="sessions-heading">Sessions</h2>
<p>Signed in on a computer you no longer use? Sign out of every browser, this one included.</p>
!${actionButton({
      action: '/signout_everywhere',
      label: 'Sign out everywhere',
      csrfToken: state.csrfToken,
      confirm: 'Sign out of every browser, this one included?',
    })}
</section>`,
  );
}

export interface KeysView {
  keys: ApiKeyRow[];
  message?: string | undefined;
  /** The key just created: shown in this answer only. */
  created?: { name: string; key: string } | undefined;
}

function keyRow(key: ApiKeyRow, csrfToken: string): string {
  const action = key.revoked_at
    ? ''
    : actionButton({
        action: `/settings/keys/${key.id}/revoke`,
        label: 'Revoke',
        csrfToken,
        confirm: `Revoke the key "${key.name}"? Programs using it will stop working.`,
        className: 'danger',
      });
  return html`<tr id="key-${key.id}">
  <th scope="row">${key.name}</th>
  <td><code>${key.prefix}…</code></td>
  <td>!${timeTag(key.created_at)}</td>
  <td>!${timeTag(key.last_used_at)}</td>
  <td>!${key.revoked_at ? `Revoked ${timeTag(key.revoked_at)}` : 'Active'}</td>
  <td>!${action}</td>
</tr>`;
}

export function keysSettingsPage(state: FormState, view: KeysView): string {
  const created = view.created
    ? secretNote(`Your new API key "${view.created.name}":`, view.created.key, 'new-key')
    : '';
  const list =
    view.keys.length === 0
      ? '<p class="empty">No API keys yet.</p>'
      : tableBox(
          'keys-heading',
          html`<table>
<thead><tr><th scope="col">Name</th><th scope="col">Starts with</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
<tbody>!${view.keys.map((k) => keyRow(k, state.csrfToken))}</tbody>
</table>`,
        );
  return settingsFrame(
    'keys',
    html`<h1>API keys</h1>
<p>Programs use a key to act as you through the API (send it in the <code>api-key</code> header).</p>
!${created}
!${statusNote(view.message)}
<section aria-labelledby="new-key-heading">
<h2 id="new-key-heading">Create a key</h2>
!${formStart(state, '/settings/keys')}
!${field(state, 'name', 'Name', { required: false, hint: 'What the key is for, e.g. the program that uses it' })}
<p><button type="submit" id="create-key">Create key</button></p>
</form>
</section>
<section aria-labelledby="keys-heading">
<h2 id="keys-heading">Your keys</h2>
!${list}
</section>`,
  );
}
