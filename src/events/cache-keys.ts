/**
 * The names of what cached answers depend on. Every event names the keys its change touches
 * (stored with it in the outbox), every cached page, feed or API answer records the keys it was
 * built from, and each node drops exactly the answers whose keys an event names. The same keys
 * go out as `Surrogate-Key`, so a shared HTTP cache in front can be purged by them too.
 *
 * - `site`: the site's name and description, on every page and feed.
 * - `article:ID`: one article as any answer shows it (its page, its item in lists and feeds).
 * - `user:ID`: one account's public profile (name, avatar, summary), wherever it is shown.
 * - `author:ID`: which articles an author's public list (profile page, author feed) holds.
 * - `tag:NAME`: which articles a tag's list holds.
 * - `series:ID`: which articles a series holds.
 * - `home`: which articles the site's public list (home page, site feed, API lists) holds.
 * - `tag-list`: the tags and how many published articles carry each.
 * - `discussion:ID`: an article's comments and reaction counts. Its page and its comments depend
 *   on it; lists that show its counts on a card depend on it softly (`BuildResult.softKeys`): they
 *   may show the old count for up to `QUIRE_COUNT_LAG` seconds.
 * - `followers:ID`: the follow counts an account's profile shows (its followers, whom it
 *   follows); `tag-followers:NAME`: how many follow a tag. Follows name only these.
 * - `search`: which published, live articles exist and their searchable text (title, tags,
 *   description, body): an article search answer depends on it, since an edit can make an
 *   article it does not show match. Named by a change of a public article's visibility, its
 *   publication time or one of those fields, and by a schedule set or moved (answers are built
 *   again to expire when it goes live); not by a draft, a scheduled article's text, or a count.
 * - `people`: who a people search can find, and by what (accounts not suspended, by username
 *   and name). Named by an account created, renamed, suspended or let back.
 */

export const SITE_KEY = 'site';
export const HOME_KEY = 'home';
export const TAG_LIST_KEY = 'tag-list';
export const SEARCH_KEY = 'search';
export const PEOPLE_KEY = 'people';

export const articleKey = (id: number) => `article:${id}`;
export const userKey = (id: number) => `user:${id}`;
export const authorKey = (id: number) => `author:${id}`;
export const tagKey = (name: string) => `tag:${name}`;
export const seriesKey = (id: number) => `series:${id}`;
export const discussionKey = (articleId: number) => `discussion:${articleId}`;
export const followersKey = (userId: number) => `followers:${userId}`;
export const tagFollowersKey = (name: string) => `tag-followers:${name}`;

/** Keys of an event written before events named their keys: every answer depends on it. */
export const EVERYTHING = null;

/** The stored form of an event's keys (space-separated; keys never contain spaces). */
export function joinKeys(keys: Iterable<string>): string {
  return [...new Set(keys)].join(' ');
}

/** Keys as stored; null (a row from before keys were stored) means everything. */
export function splitKeys(stored: string | null): string[] | null {
  if (stored === null) return EVERYTHING;
  return stored === '' ? [] : stored.split(' ');
}

/** The keys of the articles a list shows, and of their authors (whose names it shows). */
export function listedKeys(
  items: ReadonlyArray<{ article: { id: number }; author: { id: number } }>,
): string[] {
  return items.flatMap(({ article, author }) => [articleKey(article.id), userKey(author.id)]);
}

/** The discussion keys of the articles a list shows, whose counts its cards show. */
export function listedCountKeys(items: ReadonlyArray<{ article: { id: number } }>): string[] {
  return items.map(({ article }) => discussionKey(article.id));
}
