/**
 * RSS 2.0 in the shape DEV serves: Dublin Core creators, Atom self (and WebSub hub) links, full
 * HTML bodies.
 */
import type { FeedModel } from './model.ts';
import { writeXml, type XmlNode } from './xml.ts';

/** RFC 822 dates as RSS wants them: "Wed, 20 May 2026 19:30:53 +0000". */
export function rfc822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export function renderRss(feed: FeedModel): string {
  const selfLinks: XmlNode[] = [
    { '@rel': 'self', '@type': 'application/rss+xml', '@href': feed.links.rss },
  ];
  if (feed.links.hub) selfLinks.push({ '@rel': 'hub', '@href': feed.links.hub });
  if (feed.links.next) {
    selfLinks.push({
      '@rel': 'next',
      '@type': 'application/rss+xml',
      '@href': feed.links.next.rss,
    });
  }
  const channel: XmlNode = {
    title: feed.title,
    description: feed.description,
    link: feed.links.html,
    ...(feed.image && { image: { url: feed.image, title: feed.title, link: feed.links.html } }),
    'atom:link': selfLinks,
    language: feed.language,
    item: feed.entries.map((entry) => ({
      title: entry.title,
      'dc:creator': entry.authorName,
      pubDate: rfc822(entry.published),
      link: entry.url,
      guid: entry.url,
      description: entry.html,
      ...(entry.tags.length > 0 && { category: entry.tags }),
    })),
  };
  return writeXml({
    rss: {
      '@version': '2.0',
      '@xmlns:atom': 'http://www.w3.org/2005/Atom',
      '@xmlns:dc': 'http://purl.org/dc/elements/1.1/',
      channel,
    },
  });
}
