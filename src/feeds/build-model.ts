/** Reads the articles of a feed (the site's, an author's or a tag's) into the format-free model. */
import type { AppContext } from '../context.ts';
import type { ArticleRow, UserRow } from '../db/schema.ts';
import { articlePath, tagArray } from '../modules/articles/articles.presenter.ts';
import {
  type ArticleQuery,
  authorsOf,
  listArticles,
} from '../modules/articles/articles.repository.ts';
import { rasterProfileImage } from '../modules/users/users.presenter.ts';
import { findUserByUsername } from '../modules/users/users.repository.ts';
import { hubUrl } from '../modules/websub/hub-url.ts';
import { siteSettings } from '../modules/site/site.service.ts';
import { absoluteUrls } from './absolute-urls.ts';
import type { FeedEntry, FeedLinks, FeedModel } from './model.ts';

export const FEED_PAGE_SIZE = 12;

export type FeedScope =
  { kind: 'site' } | { kind: 'author'; username: string } | { kind: 'tag'; tag: string };

/** The path of a feed, without a format suffix: `/feed`, `/feed/ada`, `/feed/tag/node`. */
export function feedPath(scope: FeedScope): string {
  if (scope.kind === 'author') return `/feed/${scope.username}`;
  if (scope.kind === 'tag') return `/feed/tag/${scope.tag}`;
  return '/feed';
}

function linksFor(
  base: string,
  scope: FeedScope,
  htmlPath: string,
  page: number,
  more: boolean,
): FeedLinks {
  const at = (suffix: string, p: number) =>
    `${base}${feedPath(scope)}${suffix}${p > 1 ? `?page=${p}` : ''}`;
  const set = (p: number) => ({ rss: at('', p), atom: at('.atom', p), json: at('.json', p) });
  return {
    html: base + htmlPath,
    ...set(page),
    next: more ? set(page + 1) : null,
    hub: page === 1 ? hubUrl(base) : null,
  };
}

function entry(base: string, article: ArticleRow, author: UserRow): FeedEntry {
  const published = new Date(article.published_at ?? article.created_at);
  const edited = article.edited_at ? new Date(article.edited_at) : published;
  const url = base + articlePath(article, author);
  return {
    url,
    title: article.title,
    authorName: author.name,
    authorUrl: `${base}/${author.username}`,
    published,
    updated: edited > published ? edited : published,
    html: absoluteUrls(article.body_html, url),
    summary: article.description,
    tags: tagArray(article),
    image: article.cover_image,
  };
}

/** The feed's model, or null when its author or tag does not exist (a 404). */
export async function buildFeedModel(
  ctx: AppContext,
  scope: FeedScope,
  page: number,
): Promise<FeedModel | null> {
  const db = ctx.database.db;
  const base = ctx.config.baseUrl;
  const { site_name: site, site_description: siteDescription } = await siteSettings(ctx);
  const query: ArticleQuery = {
    visibleAt: ctx.clock.now().toISOString(),
    order: 'newest',
    limit: FEED_PAGE_SIZE + 1,
    offset: (page - 1) * FEED_PAGE_SIZE,
  };
  let head: Pick<FeedModel, 'title' | 'description' | 'image'> & { htmlPath: string; since: Date };
  if (scope.kind === 'author') {
    const user = await findUserByUsername(db, scope.username);
    if (!user) return null;
    query.userId = user.id;
    head = {
      title: `${site}: ${user.name}`,
      description: `The latest articles on ${site} by ${user.name} (@${user.username}).`,
      image: rasterProfileImage(user, base),
      htmlPath: `/${user.username}`,
      since: new Date(user.created_at),
    };
  } else if (scope.kind === 'tag') {
    query.anyTags = [scope.tag];
    head = {
      title: `${site}: #${scope.tag}`,
      description: `The latest articles tagged #${scope.tag} on ${site}.`,
      image: null,
      htmlPath: `/t/${scope.tag}`,
      since: new Date(0),
    };
  } else {
    head = {
      title: site,
      description: siteDescription || `The latest articles on ${site}.`,
      image: null,
      htmlPath: '/',
      since: new Date(0),
    };
  }
  const rows = await listArticles(db, query);
  // A tag exists for readers only while a visible article carries it.
  if (scope.kind === 'tag' && rows.length === 0 && page === 1) return null;
  const more = rows.length > FEED_PAGE_SIZE;
  const shown = rows.slice(0, FEED_PAGE_SIZE);
  const authors = await authorsOf(db, shown);
  const entries = shown.flatMap((a) => {
    const author = authors.get(a.user_id);
    return author ? [entry(base, a, author)] : [];
  });
  const updated = entries.reduce(
    (latest, e) => (e.updated > latest ? e.updated : latest),
    head.since,
  );
  return {
    title: head.title,
    description: head.description,
    image: head.image,
    language: 'en',
    links: linksFor(base, scope, head.htmlPath, page, more),
    updated,
    entries,
  };
}

/** When the next scheduled article goes live, if one is waiting: cached feeds expire then. */
export async function nextScheduledAt(ctx: AppContext): Promise<Date | null> {
  const row = await ctx.database.db
    .selectFrom('articles')
    .select((eb) => eb.fn.min('published_at').as('at'))
    .where('published', '=', 1)
    .where('published_at', '>', ctx.clock.now().toISOString())
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}

/**
 * When an entry last left a feed, or changed without being its newest (unpublished, deleted,
 * retagged, published with an earlier date, its author renamed, or the site renamed): the newest
 * entry's date alone would then move back or stay put, and If-Modified-Since would answer 304
 * for a changed feed.
 */
export async function entriesChangedAt(ctx: AppContext): Promise<Date | null> {
  const row = await ctx.database.db
    .selectFrom('events')
    .select('created_at')
    .where('type', 'in', [
      'article.published',
      'article.unpublished',
      'article.deleted',
      'article.updated',
      'user.updated',
      'site.updated',
    ])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? new Date(row.created_at) : null;
}
