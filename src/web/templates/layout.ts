/** The page frame every HTML page shares. Interpolations are escaped by `html` unless marked `!`. */
import { html } from 'ghtml';
import type { UserRow } from '../../db/schema.ts';
import { UNREAD_CAP } from '../../modules/notifications/notifications.rules.ts';
import { SEARCH_QUERY_MAX } from '../../modules/search/query.ts';
import { SCRIPT_PATH, STYLESHEET_PATH } from '../assets.ts';

export interface PageFrame {
  siteName: string;
  title: string;
  user: UserRow | null;
  /** A CSRF token for the sign-out form in the header, when someone is signed in. */
  csrfToken?: string | undefined;
  /** The signed-in reader's unread notifications (up to UNREAD_CAP), for the header's badge. */
  unread?: number | undefined;
  /** Extra tags for <head> (canonical link, meta), already escaped. */
  head?: string;
  description?: string;
  /** Feeds this page mirrors besides the site's own, as a title and a path without suffix. */
  feeds?: FeedLink[];
}

export interface FeedLink {
  title: string;
  /** `/feed/ada`: the RSS path; Atom and JSON Feed add `.atom` and `.json`. */
  path: string;
}

/** <link rel="alternate"> for each format of each feed, so readers and browsers find them. */
function feedLinks(frame: PageFrame): string {
  const feeds = [...(frame.feeds ?? []), { title: frame.siteName, path: '/feed' }];
  return feeds
    .map(
      (f) =>
        html`<link rel="alternate" type="application/rss+xml" title="${f.title} (RSS)" href="${f.path}">
<link rel="alternate" type="application/atom+xml" title="${f.title} (Atom)" href="${f.path}.atom">
<link rel="alternate" type="application/feed+json" title="${f.title} (JSON Feed)" href="${f.path}.json">`,
    )
    .join('\n');
}

/** The header's search box: a plain GET form, so it works without the script. */
const SEARCH_BOX = `<form method="get" action="/search" role="search" class="site-search">
      <label for="site-search-q" class="visually-hidden">Search</label>
      <input type="search" id="site-search-q" name="q" placeholder="Search" maxlength="${SEARCH_QUERY_MAX}">
      <button type="submit">Search</button>
    </form>`;

/** "99+" past the cap: the count stops there. */
export function unreadText(count: number): string {
  return count >= UNREAD_CAP ? `${UNREAD_CAP - 1}+` : String(count);
}

/**
 * The header's link to the notifications with the unread count, empty and hidden at 0. The
 * script keeps the count live from `/notifications/stream`; without it, each page shows it.
 */
function notificationsLink(unread: number | undefined): string {
  const count = unread ?? 0;
  return html`<a href="/notifications" class="notifications-link">Notifications <span class="unread" id="unread-count" data-stream="/notifications/stream"!${count === 0 ? ' hidden' : ''}>!${count === 0 ? '' : html`${unreadText(count)}<span class="visually-hidden"> unread</span>`}</span></a>`;
}

function nav(frame: PageFrame): string {
  if (!frame.user) {
    return html`<a href="/enter">Sign in</a> <a href="/signup" class="button">Create account</a>`;
  }
  return html`<a href="/new">Write</a>
    <a href="/dashboard">Dashboard</a>
    <a href="/readinglist">Reading list</a>
    !${notificationsLink(frame.unread)}
    <a href="/${frame.user.username}">@${frame.user.username}</a>
    <a href="/settings">Settings</a>
    !${frame.user.role === 'admin' ? '<a href="/admin">Admin</a>' : ''}
    <form method="post" action="/signout" class="inline">
      <input type="hidden" name="_csrf" value="${frame.csrfToken ?? ''}">
      <button type="submit" class="link">Sign out</button>
    </form>`;
}

export function layout(frame: PageFrame, body: string): string {
  const title =
    frame.title === frame.siteName ? frame.siteName : `${frame.title} - ${frame.siteName}`;
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
!${frame.description ? html`<meta name="description" content="${frame.description}">` : ''}
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<script src="${SCRIPT_PATH}" defer></script>
!${feedLinks(frame)}
<link rel="search" type="application/opensearchdescription+xml" title="${frame.siteName}" href="/opensearch.xml">
!${frame.head ?? ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
  <nav aria-label="Site">
    <a class="brand" href="/">${frame.siteName}</a>
    !${SEARCH_BOX}
    <span class="spacer"></span>
    !${nav(frame)}
  </nav>
</header>
<main id="main">
!${body}
</main>
<footer class="site"><p>Powered by Quire</p></footer>
</body>
</html>
`}`;
}
