/**
 * Reads the articles of a feed (the site's, an author's or a tag's) into the format-free model
 * that `src/feeds/` writes as RSS, Atom or JSON Feed.
 */
import type { AppContext } from '../../context.ts';
import type { ArticleListRow, ArticleRow, UserRow } from '../../db/schema.ts';
import {
  HOME_KEY,
  listedKeys,
  SITE_KEY,
  tagKey,
  userKey,
  authorKey,
} from '../../events/cache-keys.ts';
import { absoluteUrls } from '../../feeds/absolute-urls.ts';
import type { FeedEntry, FeedLinks, FeedModel } from '../../feeds/model.ts';
import { articlePath, tagArray } from '../articles/articles.presenter.ts';
import { listFeedPage, nextScheduledAt } from '../articles/articles.service.ts';
import { siteSettings } from '../site/site.service.ts';
import { rasterProfileImage } from '../users/users.presenter.ts';
import { userByUsername } from '../users/users.service.ts';
import { hubUrl } from './hub-url.ts';
import { newestEntryChange } from './feeds.repository.ts';

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

function entry(
  base: string,
  article: ArticleListRow & Pick<ArticleRow, 'body_html'>,
  author: UserRow,
): FeedEntry {
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

type FeedHead = Pick<FeedModel, 'title' | 'description' | 'image'> & {
  htmlPath: string;
  since: Date;
};

/** A feed's model, and the cache keys it was read from. */
export interface BuiltFeed {
  model: FeedModel;
  keys: string[];
}

/** The feed's model, or null when its author or tag does not exist (a 404). */
export async function buildFeedModel(
  ctx: AppContext,
  scope: FeedScope,
  page: number,
): Promise<BuiltFeed | null> {
  const base = ctx.config.baseUrl;
  const { site_name: site, site_description: siteDescription } = await siteSettings(ctx);
  let head: FeedHead;
  const keys = [SITE_KEY];
  if (scope.kind === 'author') {
    const user = await userByUsername(ctx, scope.username);
    if (!user) return null;
    keys.push(userKey(user.id), authorKey(user.id));
    head = {
      title: `${site}: ${user.name}`,
      description: `The latest articles on ${site} by ${user.name} (@${user.username}).`,
      image: rasterProfileImage(user, base),
      htmlPath: `/${user.username}`,
      since: new Date(user.created_at),
    };
  } else if (scope.kind === 'tag') {
    keys.push(tagKey(scope.tag));
    head = {
      title: `${site}: #${scope.tag}`,
      description: `The latest articles tagged #${scope.tag} on ${site}.`,
      image: null,
      htmlPath: `/t/${scope.tag}`,
      since: new Date(0),
    };
  } else {
    keys.push(HOME_KEY);
    head = {
      title: site,
      description: siteDescription || `The latest articles on ${site}.`,
      image: null,
      htmlPath: '/',
      since: new Date(0),
    };
  }
  const { items, more } = await listFeedPage(ctx, {
    page,
    per_page: FEED_PAGE_SIZE,
    ...(scope.kind === 'author' && { username: scope.username }),
    ...(scope.kind === 'tag' && { tag: scope.tag }),
  });
  // A tag exists for readers only while a visible article carries it.
  if (scope.kind === 'tag' && items.length === 0 && page === 1) return null;
  const entries = items.map(({ article, author }) => entry(base, article, author));
  const updated = entries.reduce(
    (latest, e) => (e.updated > latest ? e.updated : latest),
    head.since,
  );
  const model = {
    title: head.title,
    description: head.description,
    image: head.image,
    language: 'en',
    links: linksFor(base, scope, head.htmlPath, page, more),
    updated,
    entries,
  };
  return { model, keys: [...keys, ...listedKeys(items)] };
}

export { nextScheduledAt };

/**
 * When an entry last left a feed, or changed without being its newest (unpublished, deleted,
 * retagged, published with an earlier date, its author renamed, or the site renamed): the newest
 * entry's date alone would then move back or stay put, and If-Modified-Since would answer 304
 * for a changed feed.
 */
export function entriesChangedAt(ctx: AppContext): Promise<Date | null> {
  return newestEntryChange(ctx.database.db);
}
