/** The author's dashboard: drafts, scheduled and published articles, with what can be done to each. */
import { html } from 'ghtml';
import type { Listed, OwnState } from '../../modules/articles/listings.ts';
import { articlePath } from '../../modules/articles/articles.presenter.ts';
import { SEARCH_QUERY_MAX } from '../../modules/search/query.ts';
import { editPath, readableTime } from './editor.ts';
import { csrfInput } from './forms.ts';

export interface DashboardSection {
  state: OwnState;
  count: number;
  items: Listed[];
  /** More articles than shown: a link to the section's own pages. */
  more: boolean;
}

export interface DashboardView {
  sections: DashboardSection[];
  /** Set when one section is shown on its own, page by page. */
  page?: number;
  status?: string | undefined;
  csrfToken: string;
}

export const SECTION_TITLES: Record<OwnState, string> = {
  drafts: 'Drafts',
  scheduled: 'Scheduled',
  published: 'Published',
};

const EMPTY: Record<OwnState, string> = {
  drafts: 'No drafts.',
  scheduled: 'Nothing scheduled.',
  published: 'Nothing published yet.',
};

/** Names the article after a button's visible word, for people who list a page's buttons. */
export const about = (title: string) => html`<span class="visually-hidden"> “${title}”</span>`;

function postButton(
  path: string,
  csrfToken: string,
  action: string,
  label: string,
  title: string,
  confirm?: string,
): string {
  return html`<form method="post" action="${path}" class="inline"!${confirm ? html` data-confirm="${confirm}"` : ''}>
!${csrfInput(csrfToken)}
<input type="hidden" name="action" value="${action}">
<input type="hidden" name="back" value="dashboard">
<button type="submit" class="${action === 'delete' ? 'danger' : 'secondary'}">${label}!${about(title)}</button>
</form>`;
}

export function dates(state: OwnState, { article }: Listed): string {
  if (state === 'drafts') {
    return html`Created !${readableTime(article.created_at)}; last saved !${readableTime(article.updated_at)}`;
  }
  const when = readableTime(article.published_at ?? article.created_at);
  if (state === 'scheduled') return `Publishes ${when}`;
  return article.edited_at
    ? `Published ${when}; edited ${readableTime(article.edited_at)}`
    : `Published ${when}`;
}

function item(state: OwnState, listed: Listed, csrfToken: string): string {
  const { article, author } = listed;
  const edit = editPath(article, author);
  const title = article.title;
  const change =
    state === 'drafts'
      ? postButton(edit, csrfToken, 'publish', 'Publish', title)
      : postButton(edit, csrfToken, 'unpublish', 'Unpublish', title);
  return html`<li class="dash-item" id="article-${article.id}">
<h3 class="dash-title"><a href="${edit}">${title}</a></h3>
<p class="dash-dates">!${dates(state, listed)}</p>
<div class="dash-actions">
<a href="${edit}">Edit!${about(title)}</a>
!${state === 'published' ? html`<a href="${articlePath(article, author)}">View!${about(title)}</a>` : ''}
!${change}
!${postButton(edit, csrfToken, 'delete', 'Delete', title, `Delete “${title}”? This cannot be undone.`)}
</div>
</li>`;
}

function pager(section: DashboardSection, page: number): string {
  const path = `/dashboard/${section.state}`;
  const newer =
    page > 1 ? html`<a rel="prev" href="${path}?page=${page - 1}">Previous page</a>` : '';
  const older = section.more
    ? html`<a rel="next" href="${path}?page=${page + 1}">Next page</a>`
    : '';
  return html`<nav class="pager" aria-label="Pages">!${newer} !${older}</nav>`;
}

function section(s: DashboardSection, view: DashboardView): string {
  const id = `${s.state}-heading`;
  const list =
    s.items.length === 0
      ? html`<p class="empty">${EMPTY[s.state]}</p>`
      : html`<ul class="dash-list">!${s.items.map((i) => item(s.state, i, view.csrfToken))}</ul>`;
  const more =
    view.page !== undefined
      ? pager(s, view.page)
      : s.more
        ? html`<p><a href="/dashboard/${s.state}">All ${s.count} ${SECTION_TITLES[s.state].toLowerCase()}</a></p>`
        : '';
  return html`<section class="dash-section" id="${s.state}" aria-labelledby="${id}">
<h2 id="${id}">${SECTION_TITLES[s.state]} <span class="count">(${s.count})</span></h2>
!${list}
!${more}
</section>`;
}

/** A GET form, so it works without the script: the author's own articles, in every state. */
export function ownSearchBox(q = '', problem?: string): string {
  return html`<form method="get" action="/dashboard/search" role="search" class="search-form">
  <label for="own-search-q">Search your articles</label>
  <input type="search" id="own-search-q" name="q" value="${q}" maxlength="${SEARCH_QUERY_MAX}"!${problem ? ' aria-invalid="true" aria-describedby="own-search-problem"' : ''}>
  <button type="submit">Search</button>
  !${problem ? html`<p class="field-error" id="own-search-problem" role="alert">${problem}</p>` : ''}
</form>`;
}

export function dashboardPage(view: DashboardView): string {
  return html`<section class="dashboard">
<h1>Dashboard</h1>
!${view.status ? html`<p class="status-message" role="status">${view.status}</p>` : ''}
<p><a class="button" href="/new">Write a new article</a>!${view.page !== undefined ? html` <a href="/dashboard">Back to the dashboard</a>` : ''}</p>
!${ownSearchBox()}
!${view.sections.map((s) => section(s, view))}
</section>`;
}
