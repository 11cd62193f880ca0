/** Atom 1.0 from the same model as the RSS feed. */
import type { FeedModel } from './model.ts';
import { writeXml, type XmlNode } from './xml.ts';

export function renderAtom(feed: FeedModel): string {
  const links: XmlNode[] = [
    { '@rel': 'alternate', '@type': 'text/html', '@href': feed.links.html },
    { '@rel': 'self', '@type': 'application/atom+xml', '@href': feed.links.atom },
  ];
  if (feed.links.hub) links.push({ '@rel': 'hub', '@href': feed.links.hub });
  if (feed.links.next) {
    links.push({ '@rel': 'next', '@type': 'application/atom+xml', '@href': feed.links.next.atom });
  }
  return writeXml({
    feed: {
      '@xmlns': 'http://www.w3.org/2005/Atom',
      '@xml:lang': feed.language,
      id: feed.links.atom,
      title: feed.title,
      subtitle: feed.description,
      updated: feed.updated.toISOString(),
      link: links,
      ...(feed.image && { icon: feed.image }),
      generator: 'Quire',
      entry: feed.entries.map((entry) => ({
        id: entry.url,
        title: { '@type': 'text', '#text': entry.title },
        link: { '@rel': 'alternate', '@type': 'text/html', '@href': entry.url },
        published: entry.published.toISOString(),
        updated: entry.updated.toISOString(),
        author: { name: entry.authorName, uri: entry.authorUrl },
        ...(entry.summary && { summary: { '@type': 'text', '#text': entry.summary } }),
        content: { '@type': 'html', '#text': entry.html },
        ...(entry.tags.length > 0 && { category: entry.tags.map((term) => ({ '@term': term })) }),
      })),
    },
  });
}
