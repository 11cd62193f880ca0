/** JSON Feed 1.1 from the same model as the RSS feed. */
import type { FeedModel } from './model.ts';

export function renderJsonFeed(feed: FeedModel): string {
  const authors = (name: string, url: string) => [{ name, url }];
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    home_page_url: feed.links.html,
    feed_url: feed.links.json,
    description: feed.description,
    ...(feed.links.next && { next_url: feed.links.next.json }),
    ...(feed.links.hub && { hubs: [{ type: 'WebSub', url: feed.links.hub }] }),
    ...(feed.image && { icon: feed.image, favicon: feed.image }),
    language: feed.language,
    items: feed.entries.map((entry) => ({
      id: entry.url,
      url: entry.url,
      title: entry.title,
      content_html: entry.html,
      summary: entry.summary,
      ...(entry.image && { image: entry.image }),
      date_published: entry.published.toISOString(),
      date_modified: entry.updated.toISOString(),
      authors: authors(entry.authorName, entry.authorUrl),
      tags: entry.tags,
    })),
  });
}
