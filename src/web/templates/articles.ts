/** Pages that show articles: the home list, an article, an author's profile, a tag. */
import { html } from 'ghtml';
import type { ArticleListRow, ArticleRow, UserRow } from '../../db/schema.ts';
import type { Listed } from '../../modules/articles/listings.ts';
import {
  articlePath,
  readablePublishDate,
  tagArray,
} from '../../modules/articles/articles.presenter.ts';
import { profileImage, readableDate } from '../../modules/users/users.presenter.ts';

function tagLinks(article: ArticleListRow): string {
  const tags = tagArray(article);
  if (tags.length === 0) return '';
  return html`<ul class="tags" aria-label="Tags">!${tags.map((t) => html`<li><a href="/t/${t}">#${t}</a></li>`)}</ul>`;
}

function byline(article: ArticleListRow, author: UserRow, baseUrl: string, now: Date): string {
  return html`<p class="byline">
  <img class="avatar" src="${profileImage(author, baseUrl)}" alt="" width="32" height="32">
  <a href="/${author.username}">${author.name}</a>
  !${article.published_at ? html`<time datetime="${article.published_at}">${readablePublishDate(article.published_at, now) ?? ''}</time>` : html`<span class="badge">Draft</span>`}
  <span>${article.reading_time_minutes} min read</span>
</p>`;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The counts a card shows; they may lag a little behind the article's own page. */
function cardCounts({ article, author }: Listed): string {
  return html`<p class="card-counts">
  <span>${plural(article.public_reactions_count, 'reaction')}</span>
  <a href="${articlePath(article, author)}#comments">${plural(article.comments_count, 'comment')}</a>
</p>`;
}

/** An article's card in a list; `excerpt` is HTML (already escaped) shown under the title. */
export function articleCard(item: Listed, baseUrl: string, now: Date, excerpt = ''): string {
  const { article, author } = item;
  return html`<article class="card">
  !${byline(article, author, baseUrl, now)}
  <h2><a href="${articlePath(article, author)}">${article.title}</a></h2>
  !${excerpt}
  !${tagLinks(article)}
  !${cardCounts(item)}
</article>`;
}

export function articleList(
  items: Listed[],
  baseUrl: string,
  now: Date,
  page: number,
  path: string,
  hasMore: boolean,
): string {
  if (items.length === 0 && page === 1) return '<p class="empty">Nothing published yet.</p>';
  const more = hasMore
    ? html`<a rel="next" href="${path}?page=${page + 1}">Older articles</a>`
    : '';
  const less =
    page > 1 ? html`<a rel="prev" href="${path}?page=${page - 1}">Newer articles</a>` : '';
  return html`<div class="list">!${items.map((i) => articleCard(i, baseUrl, now))}</div>
<nav class="pager" aria-label="Pages">!${less} !${more}</nav>`;
}

export interface SeriesNav {
  name: string;
  items: Listed[];
}

export function articlePage(
  item: Listed<ArticleRow>,
  baseUrl: string,
  now: Date,
  series: SeriesNav | null,
  discussion = '',
): string {
  const { article, author } = item;
  const ownUrl = baseUrl + articlePath(article, author);
  const elsewhere =
    article.canonical_url && article.canonical_url !== ownUrl ? article.canonical_url : null;
  return html`<article class="post">
<header>
  !${article.cover_image ? html`<img class="cover" src="${article.cover_image}" alt="">` : ''}
  <h1>${article.title}</h1>
  !${byline(article, author, baseUrl, now)}
  !${tagLinks(article)}
  !${elsewhere ? html`<p class="origin">Originally published at <a href="${elsewhere}" rel="nofollow noopener">${new URL(elsewhere).host}</a></p>` : ''}
</header>
!${series ? seriesNav(series, article) : ''}
<div class="body">!${article.body_html}</div>
!${authorCard(author, baseUrl)}
</article>
!${discussion}`;
}

function authorCard(author: UserRow, baseUrl: string): string {
  return html`<aside class="author-card" aria-label="About the author">
  <img class="avatar" src="${profileImage(author, baseUrl)}" alt="" width="64" height="64">
  <p class="name"><a href="/${author.username}">${author.name}</a></p>
  !${author.summary ? html`<p>${author.summary}</p>` : ''}
  <p class="joined">Joined ${readableDate(author.created_at)}</p>
</aside>`;
}

function seriesNav(series: SeriesNav, current: ArticleListRow): string {
  return html`<nav class="series" aria-label="Series">
<p>Part of the series <strong>${series.name}</strong></p>
<ol>!${series.items.map(({ article, author }) =>
    article.id === current.id
      ? html`<li aria-current="page">${article.title}</li>`
      : html`<li><a href="${articlePath(article, author)}">${article.title}</a></li>`,
  )}</ol>
</nav>`;
}

export function profilePage(
  user: UserRow,
  items: Listed[],
  baseUrl: string,
  now: Date,
  page: number,
  hasMore: boolean,
  follow = '',
): string {
  return html`<section class="profile">
  <img class="avatar large" src="${profileImage(user, baseUrl)}" alt="" width="96" height="96">
  <h1>${user.name}</h1>
  <p class="handle">@${user.username}</p>
  !${user.summary ? html`<p>${user.summary}</p>` : ''}
  !${user.website_url ? html`<p><a href="${user.website_url}" rel="nofollow noopener">${user.website_url}</a></p>` : ''}
  <p class="joined">Joined ${readableDate(user.created_at)}</p>
  <p><a href="/feed/${user.username}" class="feed-link">RSS feed</a></p>
  !${follow}
</section>
<h2>Articles</h2>
!${articleList(items, baseUrl, now, page, `/${user.username}`, hasMore)}`;
}

/** JSON inside <script>: no `<` may close the element or open a comment. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * What an article page tells search engines and link previews: its canonical URL, OpenGraph and
 * Twitter cards, and a JSON-LD Article.
 */
export function articleHead(item: Listed<ArticleRow>, baseUrl: string, siteName: string): string {
  const { article, author } = item;
  const url = baseUrl + articlePath(article, author);
  const canonical = article.canonical_url ?? url;
  const image = article.cover_image;
  const tags = tagArray(article);
  const modified = article.edited_at ?? article.published_at;
  const ld = {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: article.title,
    description: article.description,
    url,
    mainEntityOfPage: canonical,
    ...(image ? { image: [image] } : {}),
    ...(article.published_at ? { datePublished: article.published_at } : {}),
    ...(modified ? { dateModified: modified } : {}),
    author: { '@type': 'Person', name: author.name, url: `${baseUrl}/${author.username}` },
    publisher: { '@type': 'Organization', name: siteName, url: baseUrl },
    ...(tags.length > 0 ? { keywords: tags.join(', ') } : {}),
  };
  return html`<link rel="canonical" href="${canonical}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="${siteName}">
<meta property="og:title" content="${article.title}">
<meta property="og:description" content="${article.description}">
<meta property="og:url" content="${url}">
!${image ? html`<meta property="og:image" content="${image}">` : ''}
!${article.published_at ? html`<meta property="article:published_time" content="${article.published_at}">` : ''}
<meta property="article:author" content="${baseUrl}/${author.username}">
!${tags.map((t) => html`<meta property="article:tag" content="${t}">`)}
<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${article.title}">
<meta name="twitter:description" content="${article.description}">
!${image ? html`<meta name="twitter:image" content="${image}">` : ''}
<script type="application/ld+json">!${jsonForScript(ld)}</script>`;
}

export function tagPage(
  tag: string,
  items: Listed[],
  baseUrl: string,
  now: Date,
  page: number,
  hasMore: boolean,
  follow = '',
): string {
  return html`<header class="tag-header">
  <h1>#${tag}</h1>
  <p><a href="/feed/tag/${tag}" class="feed-link">RSS feed of #${tag}</a></p>
  !${follow}
</header>
!${articleList(items, baseUrl, now, page, `/t/${tag}`, hasMore)}`;
}
