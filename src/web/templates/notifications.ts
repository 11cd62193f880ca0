/**
 * A reader's notifications page, its notification settings, and the "Latest | Following" tabs
 * of the home page and the "Following" view.
 */
import { html } from 'ghtml';
import type { Listed } from '../../modules/articles/listings.ts';
import { readablePublishDate } from '../../modules/articles/articles.presenter.ts';
import { sentenceOf, targetPath } from '../../modules/notifications/notifications.presenter.ts';
import type { Shown } from '../../modules/notifications/notifications.service.ts';
import type { KindInfo } from '../../modules/notifications/notifications.rules.ts';
import { profileImage } from '../../modules/users/users.presenter.ts';
import { articleCard } from './articles.ts';
import { actionButton, checkbox, emptyForm, formStart } from './forms.ts';
import { settingsFrame, statusNote } from './settings.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "just now", "5 minutes ago", "3 hours ago", then the date ("Mar 1", "Mar 1 '25"). */
export function whenText(iso: string, now: Date): string {
  const ago = now.getTime() - new Date(iso).getTime();
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) {
    const m = Math.floor(ago / MINUTE);
    return `${m} minute${m === 1 ? '' : 's'} ago`;
  }
  if (ago < 24 * HOUR) {
    const h = Math.floor(ago / HOUR);
    return `${h} hour${h === 1 ? '' : 's'} ago`;
  }
  return readablePublishDate(iso, now) ?? '';
}

export interface InboxView {
  items: Shown[];
  csrfToken: string;
  baseUrl: string;
  now: Date;
  page: number;
  hasMore: boolean;
  unreadOnly: boolean;
  /** Unread notifications, up to the cap: whether "Mark all read" has anything to do. */
  unread: number;
}

/** The address of a page of the inbox, keeping the filter. */
export function inboxPath(page: number, unreadOnly: boolean): string {
  const query = [unreadOnly ? 'unread=1' : '', page > 1 ? `page=${page}` : ''].filter(Boolean);
  return `/notifications${query.length ? `?${query.join('&')}` : ''}`;
}

function sentence(shown: Shown): string {
  const s = sentenceOf(shown);
  const path = targetPath(shown);
  const who = shown.actor
    ? html`<a href="${shown.notification.kind === 'follower' ? path : `/${shown.actor.username}`}">${s.who}</a>`
    : html`${s.who}`;
  const what = !s.what
    ? ''
    : shown.item
      ? html` <a href="${path}">${s.what}</a>`
      : html` ${s.what}`;
  return html`!${who}${s.others ? ` ${s.others}` : ''} ${s.did}!${what}`;
}

function item(shown: Shown, view: InboxView, back: string): string {
  const n = shown.notification;
  const unread = n.unread === 1;
  const actor = shown.actor;
  const forms: string[] = [];
  if (unread)
    forms.push(
      actionButton({
        action: '/notifications/read',
        label: 'Mark read',
        csrfToken: view.csrfToken,
        fields: { id: String(n.id), next: back },
      }),
    );
  if (shown.item)
    forms.push(
      actionButton({
        action: '/notifications/mute',
        label: shown.muted ? 'Unmute thread' : 'Mute thread',
        csrfToken: view.csrfToken,
        fields: {
          article_id: String(shown.item.article.id),
          muted: shown.muted ? '0' : '1',
          next: back,
        },
      }),
    );
  return html`<li class="notification${unread ? ' unread' : ''}" id="notification-${String(n.id)}">
  !${actor ? html`<img class="avatar" src="${profileImage(actor, view.baseUrl)}" alt="" width="40" height="40">` : '<span class="avatar" aria-hidden="true"></span>'}
  <div class="notification-main">
    <p class="sentence">!${unread ? '<span class="visually-hidden">Unread: </span>' : ''}!${sentence(shown)}</p>
    <p class="meta"><time datetime="${n.updated_at}">${whenText(n.updated_at, view.now)}</time>!${shown.muted ? ' · <span>Thread muted</span>' : ''}</p>
    !${forms.length ? html`<div class="notification-actions">!${forms.join('')}</div>` : ''}
  </div>
</li>`;
}

export function notificationsPage(view: InboxView): string {
  const { page, unreadOnly } = view;
  const back = inboxPath(page, unreadOnly);
  const filter = unreadOnly
    ? html`<a href="/notifications">All</a> <span aria-current="page">Unread only</span>`
    : html`<span aria-current="page">All</span> <a href="/notifications?unread=1">Unread only</a>`;
  const markAll =
    view.unread > 0
      ? actionButton({
          action: '/notifications/read',
          label: 'Mark all read',
          csrfToken: view.csrfToken,
          fields: { all: '1', next: back },
        })
      : '';
  const empty = unreadOnly
    ? '<p class="empty">Nothing unread. You are all caught up.</p>'
    : '<p class="empty">No notifications yet. When someone follows you, comments on your articles, replies, reacts or mentions you, it shows up here.</p>';
  const list =
    view.items.length === 0
      ? page === 1
        ? empty
        : '<p class="empty">No more notifications.</p>'
      : html`<ol class="notifications">!${view.items.map((s) => item(s, view, back))}</ol>`;
  const more = view.hasMore
    ? html`<a rel="next" href="${inboxPath(page + 1, unreadOnly)}">Older</a>`
    : '';
  const less =
    page > 1 ? html`<a rel="prev" href="${inboxPath(page - 1, unreadOnly)}">Newer</a>` : '';
  return html`<div class="notifications-head">
<h1>Notifications</h1>
<div class="notifications-tools"><nav class="filter" aria-label="Show">!${filter}</nav> !${markAll} <a href="/settings/notifications">Notification settings</a></div>
</div>
!${list}
<nav class="pager" aria-label="Pages">!${less} !${more}</nav>`;
}

export interface NotificationSettingsView {
  kinds: readonly (KindInfo & { on: boolean })[];
  digest: boolean;
  mailConfigured: boolean;
  csrfToken: string;
  note?: string | undefined;
}

export function notificationSettingsPage(view: NotificationSettingsView): string {
  const state = emptyForm(view.csrfToken);
  for (const k of view.kinds) if (k.on) state.values[`kind_${k.kind}`] = 'on';
  if (view.digest) state.values.digest = 'on';
  const mailNote = view.mailConfigured
    ? undefined
    : 'This site has no mail server configured, so no digest is sent until an administrator sets one up.';
  return settingsFrame(
    'notifications',
    html`<h1>Notifications</h1>
!${statusNote(view.note)}
!${formStart(state, '/settings/notifications')}
<fieldset>
<legend>Tell me when</legend>
!${view.kinds.map((k) => checkbox(state, `kind_${k.kind}`, k.label))}
</fieldset>
<fieldset>
<legend>Email</legend>
!${checkbox(state, 'digest', 'Daily digest by email', { hint: mailNote ?? 'Once a day, what you have not read yet.' })}
</fieldset>
<p><button type="submit">Save</button></p>
</form>`,
  );
}

/** "Latest | Following" above the home page and the Following view, for a signed-in reader. */
export function homeTabs(current: 'latest' | 'following'): string {
  const tab = (id: 'latest' | 'following', path: string, label: string) =>
    id === current
      ? html`<li><a href="${path}" aria-current="page">${label}</a></li>`
      : html`<li><a href="${path}">${label}</a></li>`;
  return html`<nav class="tabs" aria-label="Articles"><ul>!${tab('latest', '/', 'Latest')}!${tab('following', '/following', 'Following')}</ul></nav>`;
}

export function followingPage(view: {
  items: Listed[];
  baseUrl: string;
  now: Date;
  page: number;
  hasMore: boolean;
}): string {
  const { page } = view;
  const empty = html`<div class="empty">
<p>Nothing here yet. Articles by the authors and tags you follow show up here.</p>
<p>Follow an author from their profile, or a tag from its page: start from the <a href="/">latest articles</a>.</p>
</div>`;
  const list =
    view.items.length === 0
      ? page === 1
        ? empty
        : '<p class="empty">No older articles.</p>'
      : html`<div class="list">!${view.items.map((i) => articleCard(i, view.baseUrl, view.now))}</div>`;
  const more = view.hasMore
    ? html`<a rel="next" href="/following?page=${page + 1}">Older articles</a>`
    : '';
  const less =
    page > 1 ? html`<a rel="prev" href="/following?page=${page - 1}">Newer articles</a>` : '';
  return html`!${homeTabs('following')}
<h1 class="visually-hidden">Following</h1>
!${list}
<nav class="pager" aria-label="Pages">!${less} !${more}</nav>`;
}
