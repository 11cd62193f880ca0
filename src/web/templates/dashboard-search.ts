/** The dashboard's search of the author's own articles: the box, each article found with its state and excerpt, a pager. */
import { html } from 'ghtml';
import { articlePath } from '../../modules/articles/articles.presenter.ts';
import { highlightHtml } from '../../modules/search/search.presenter.ts';
import type { OwnFound } from '../../modules/search/search.service.ts';
import { about, dates, ownSearchBox } from './dashboard.ts';
import { editPath, readableTime } from './editor.ts';
import { searchPager } from './search.ts';

export interface OwnSearchView {
  /** The query as typed (kept in the box), '' before any. */
  q: string;
  page: number;
  /** Null when nothing was searched: no query yet, or one refused (then `problem` says why). */
  items: OwnFound[] | null;
  more: boolean;
  problem?: string | undefined;
}

const STATE_NAMES: Record<OwnFound['state'], string> = {
  drafts: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
  withheld: 'Withheld',
};

/** `/dashboard/search?q=...&page=...`. */
export function ownSearchPath(q: string, page = 1): string {
  const params = new URLSearchParams({ q });
  if (page > 1) params.set('page', String(page));
  return `/dashboard/search?${params.toString()}`;
}

function when(found: OwnFound): string {
  if (found.state !== 'withheld') return dates(found.state, found);
  const at = readableTime(found.article.published_at ?? found.article.created_at);
  return `Published ${at}; withheld from readers while your account is suspended`;
}

function item(found: OwnFound): string {
  const { article, author, state } = found;
  const edit = editPath(article, author);
  return html`<li class="dash-item" id="article-${article.id}">
<h3 class="dash-title"><a href="${edit}">${article.title}</a> <span class="badge dash-state">${STATE_NAMES[state]}</span></h3>
<p class="dash-dates">!${when(found)}</p>
<p class="excerpt">!${highlightHtml(found.excerpt)}</p>
<div class="dash-actions">
<a href="${edit}">Edit!${about(article.title)}</a>
!${state === 'published' ? html`<a href="${articlePath(article, author)}">View!${about(article.title)}</a>` : ''}
</div>
</li>`;
}

const pager = (view: OwnSearchView) =>
  searchPager(view.page, view.more, (page) => ownSearchPath(view.q, page));

function results(view: OwnSearchView): string {
  if (view.items === null)
    return view.problem
      ? ''
      : '<p class="empty">Type words to find your articles: drafts and scheduled ones too. <code>"a phrase"</code>, <code>-word</code>, <code>prefix*</code> and <code>tag:name</code> work as in the site’s search.</p>';
  if (view.items.length === 0) {
    const none =
      view.page > 1 ? 'No more results.' : html`None of your articles match “${view.q}”.`;
    return html`<p class="empty">!${none}</p>!${pager(view)}`;
  }
  return html`<ul class="dash-list">!${view.items.map(item)}</ul>!${pager(view)}`;
}

export function ownSearchPage(view: OwnSearchView): string {
  const heading =
    view.q.trim() && !view.problem
      ? html`<h1 class="search-heading">Your articles matching “${view.q}”</h1>`
      : '<h1>Search your articles</h1>';
  return html`<section class="dashboard">
!${heading}
<p><a href="/dashboard">Back to the dashboard</a></p>
!${ownSearchBox(view.q, view.problem)}
<section class="search-results" aria-label="Results">
!${results(view)}
</section>
</section>`;
}
