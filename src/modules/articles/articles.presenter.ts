/**
 * Articles as Forem's API V1 shows them. Forem's quirk is kept on purpose: in lists `tag_list`
 * is an array and `tags` a string; in a single article it is the other way round.
 */
import type { ArticleListRow, ArticleRow, UserRow } from '../../db/schema.ts';
import { sharedUserJson } from '../users/users.presenter.ts';

export interface PresentOptions {
  baseUrl: string;
  now: Date;
}

/** ISO-8601 to the second, as Forem writes timestamps. */
export const isoSeconds = (value: string) => value.replace(/\.\d{3}Z$/, 'Z');
const maybeIso = (value: string | null) => (value === null ? null : isoSeconds(value));

// One formatter for all calls: building one per call dominated list and import profiles.
const MONTH_DAY = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/** "Nov 23", or "Nov 23 '24" outside the current year, as Forem's `readable_publish_date`. */
export function readablePublishDate(iso: string | null, now: Date): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  const day = MONTH_DAY.format(date);
  return date.getUTCFullYear() === now.getUTCFullYear()
    ? day
    : `${day} '${String(date.getUTCFullYear()).slice(2)}`;
}

/** When dates written now (which name the year only outside the current one) change, in ms. */
export function nextNewYear(now: Date): number {
  return Date.UTC(now.getUTCFullYear() + 1, 0, 1);
}

export const tagArray = (article: Pick<ArticleRow, 'cached_tag_list'>) =>
  article.cached_tag_list === '' ? [] : article.cached_tag_list.split(', ');

export const articlePath = (article: Pick<ArticleRow, 'slug'>, author: Pick<UserRow, 'username'>) =>
  `/${author.username}/${article.slug}`;

function common(article: ArticleListRow, author: UserRow, o: PresentOptions) {
  const path = articlePath(article, author);
  const url = o.baseUrl + path;
  const user = sharedUserJson(author, o.baseUrl);
  return {
    type_of: 'article' as const,
    id: article.id,
    title: article.title,
    description: article.description,
    readable_publish_date: readablePublishDate(article.published_at, o.now),
    slug: article.slug,
    path,
    url,
    comments_count: article.comments_count,
    public_reactions_count: article.public_reactions_count,
    collection_id: article.series_id,
    published_timestamp: article.published_at ? isoSeconds(article.published_at) : '',
    positive_reactions_count: article.public_reactions_count,
    cover_image: article.cover_image,
    social_image: article.cover_image ?? user.profile_image,
    canonical_url: article.canonical_url ?? url,
    created_at: isoSeconds(article.created_at),
    edited_at: maybeIso(article.edited_at),
    crossposted_at: null,
    published_at: maybeIso(article.published_at),
    last_comment_at: isoSeconds(
      article.last_comment_at ?? article.published_at ?? article.created_at,
    ),
    reading_time_minutes: article.reading_time_minutes,
    user,
  };
}

/** An article in a list. */
export function articleIndexJson(article: ArticleListRow, author: UserRow, o: PresentOptions) {
  return {
    ...common(article, author, o),
    tag_list: tagArray(article),
    tags: article.cached_tag_list,
  };
}

/** A single article, with its body. */
export function articleShowJson(article: ArticleRow, author: UserRow, o: PresentOptions) {
  return {
    ...common(article, author, o),
    tag_list: article.cached_tag_list,
    tags: tagArray(article),
    body_html: article.body_html,
    body_markdown: article.body_markdown,
  };
}

/** An article in the author's own lists (`/api/articles/me...`): with its state and Markdown. */
export function articleMeJson(
  article: ArticleListRow & Pick<ArticleRow, 'body_markdown'>,
  author: UserRow,
  o: PresentOptions,
) {
  return {
    ...articleIndexJson(article, author, o),
    published: article.published === 1,
    page_views_count: 0,
    body_markdown: article.body_markdown,
  };
}

/**
 * The single-article shape without its body: what an `article.deleted` event carries, and the
 * events no webhook hears (they only tell caches that something changed).
 */
export function articleWithoutBodyJson(article: ArticleRow, author: UserRow, o: PresentOptions) {
  const {
    body_html: _html,
    body_markdown: _markdown,
    ...rest
  } = articleShowJson(article, author, o);
  return { ...rest, published: article.published === 1 };
}
