/** RSS 0.9x/2.0 as feedsmith reads it, normalized: DEV's per-author feeds are this shape. */
import type { RssFeed } from 'feedsmith';
import type { ParsedFeed, ParsedItem } from '../parsed.ts';
import { firstDate } from './dates.ts';
import { cleanText, uniqueTexts } from './text.ts';
import { resolveBase, resolveUrl } from './urls.ts';

type Feed = RssFeed.Feed<string>;
type Item = RssFeed.Item<string>;

export function normalizeRss(feed: Feed, documentUrl: string | null): ParsedFeed {
  const base = resolveBase(feed.xml?.base, documentUrl);
  return {
    format: 'rss',
    title: cleanText(feed.title),
    homeUrl: resolveUrl(feed.link, base),
    items: (feed.items ?? []).map((item) => normalizeItem(item, base)),
  };
}

function normalizeItem(item: Item, feedBase: string | null): ParsedItem {
  const base = resolveBase(item.xml?.base, feedBase);
  const guid = cleanText(item.guid?.value);
  // A guid is the item's address unless it says otherwise (isPermaLink defaults to true).
  const permalink =
    guid !== null && item.guid?.isPermaLink !== false && URL.canParse(guid)
      ? resolveUrl(guid, null)
      : null;
  const author = item.authors?.[0];
  return {
    guid,
    url: resolveUrl(item.link, base) ?? permalink,
    title: cleanText(item.title),
    html: cleanText(item.content?.encoded) ?? cleanText(item.description),
    published: firstDate(item.pubDate, ...(item.dc?.dates ?? [])),
    updated: firstDate(item.atom?.updated, ...(item.dcterms?.modified ?? [])),
    categories: uniqueTexts([
      ...(item.categories ?? []).map((category) => category.name),
      ...(item.dc?.subjects ?? []),
    ]),
    author:
      cleanText(item.dc?.creators?.[0]) ?? cleanText(author?.name) ?? cleanText(author?.email),
  };
}
