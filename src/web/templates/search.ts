/** The search page: its box, a tab per kind of result, the results, a pager. */
import { html } from 'ghtml';
import { SEARCH_QUERY_MAX } from '../../modules/search/query.ts';
import { highlightHtml } from '../../modules/search/search.presenter.ts';
import type { SearchResults } from '../../modules/search/search.service.ts';
import type { PersonFound, TagFoundRow } from '../../modules/search/search.repository.ts';
import type { SearchType } from '../../modules/search/search.schemas.ts';
import { profileImage } from '../../modules/users/users.presenter.ts';
import { articleCard, plural } from './articles.ts';

export interface SearchView {
  /** The query (kept in the box), normalised as search-cache.ts does; '' before any. */
  q: string;
  type: SearchType;
  page: number;
  /** Null when nothing was searched: no query yet, or one refused (then `problem` says why). */
  results: SearchResults | null;
  hasMore: boolean;
  problem?: string | undefined;
  baseUrl: string;
  now: Date;
}

const TABS: Array<[SearchType, string]> = [
  ['articles', 'Articles'],
  ['people', 'People'],
  ['tags', 'Tags'],
];

/** `/search?q=...&type=...&page=...`, leaving out the defaults. */
export function searchPath(q: string, type: SearchType, page = 1): string {
  const params = new URLSearchParams({ q });
  if (type !== 'articles') params.set('type', type);
  if (page > 1) params.set('page', String(page));
  return `/search?${params.toString()}`;
}

function box(view: SearchView): string {
  return html`<form method="get" action="/search" role="search" class="search-form">
  <label for="search-q">Search</label>
  <input type="search" id="search-q" name="q" value="${view.q}" maxlength="${SEARCH_QUERY_MAX}"!${view.problem ? ' aria-invalid="true" aria-describedby="search-problem"' : ''}>
  !${view.type === 'articles' ? '' : html`<input type="hidden" name="type" value="${view.type}">`}
  <button type="submit">Search</button>
  !${view.problem ? html`<p class="field-error" id="search-problem" role="alert">${view.problem}</p>` : ''}
</form>`;
}

function tabs(view: SearchView): string {
  return html`<nav class="tabs search-tabs" aria-label="What to find"><ul>!${TABS.map(
    ([type, label]) =>
      html`<li><a href="${searchPath(view.q, type)}"!${type === view.type ? ' aria-current="page"' : ''}>${label}</a></li>`,
  )}</ul></nav>`;
}

function person(p: PersonFound, baseUrl: string): string {
  return html`<li class="person">
  <img class="avatar" src="${profileImage(p, baseUrl)}" alt="" width="32" height="32">
  <a href="/${p.username}">${p.name}</a> <span class="username">@${p.username}</span>
</li>`;
}

function tag(t: TagFoundRow): string {
  return html`<li><a href="/t/${t.name}">#${t.name}</a> <span class="count">${plural(t.published_count, 'article')}</span></li>`;
}

function list(results: SearchResults, view: SearchView): string {
  switch (results.type) {
    case 'articles':
      return html`<div class="list">!${results.items.map((item) =>
        articleCard(
          item,
          view.baseUrl,
          view.now,
          html`<p class="excerpt">!${highlightHtml(item.excerpt)}</p>`,
        ),
      )}</div>`;
    case 'people':
      return html`<ul class="search-people">!${results.items.map((p) => person(p, view.baseUrl))}</ul>`;
    case 'tags':
      return html`<ul class="search-tags">!${results.items.map(tag)}</ul>`;
  }
}

/** "Previous page" and "Next page" links around page `page` of a search's results. */
export function searchPager(page: number, hasMore: boolean, pathOf: (page: number) => string) {
  const prev = page > 1 ? html`<a rel="prev" href="${pathOf(page - 1)}">Previous page</a>` : '';
  const next = hasMore ? html`<a rel="next" href="${pathOf(page + 1)}">Next page</a>` : '';
  return prev || next ? html`<nav class="pager" aria-label="Pages">!${prev} !${next}</nav>` : '';
}

const pager = (view: SearchView) =>
  searchPager(view.page, view.hasMore, (page) => searchPath(view.q, view.type, page));

const NOUNS: Record<SearchType, string> = { articles: 'articles', people: 'people', tags: 'tags' };

export function searchPage(view: SearchView): string {
  const heading =
    view.q.trim() && !view.problem
      ? html`<h1 class="search-heading">Search results for “${view.q}”</h1>`
      : '<h1>Search</h1>';
  let results = '';
  if (view.results && view.results.items.length > 0) {
    results = list(view.results, view) + pager(view);
  } else if (view.results) {
    const none =
      view.page > 1 ? 'No more results.' : html`No ${NOUNS[view.type]} match “${view.q}”.`;
    results = html`<p class="empty">!${none}</p>!${pager(view)}`;
  } else if (!view.problem) {
    results =
      '<p class="empty">Type words to find articles, or the start of a name to find people and tags.</p>';
  }
  return html`!${heading}
!${box(view)}
!${view.q.trim() && !view.problem ? tabs(view) : ''}
<section class="search-results" aria-label="Results">
!${results}
</section>`;
}
