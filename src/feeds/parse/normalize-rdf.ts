/** RDF Site Summary (RSS 0.90 and 1.0) as feedsmith reads it, normalized; items are named by rdf:about. */
import type { RdfFeed } from 'feedsmith';
import type { ParsedFeed, ParsedItem } from '../parsed.ts';
import { firstDate } from './dates.ts';
import { cleanText, uniqueTexts } from './text.ts';
import { resolveBase, resolveUrl } from './urls.ts';

type Feed = RdfFeed.Feed<string>;
type Item = RdfFeed.Item<string>;

export function normalizeRdf(feed: Feed, documentUrl: string | null): ParsedFeed {
  const base = resolveBase(feed.xml?.base, documentUrl);
  return {
    format: 'rdf',
    title: cleanText(feed.title),
    homeUrl: resolveUrl(feed.link, base),
    items: (feed.items ?? []).map((item) => normalizeItem(item, base)),
  };
}

function normalizeItem(item: Item, feedBase: string | null): ParsedItem {
  const base = resolveBase(item.xml?.base, feedBase);
  const about = cleanText(item.rdf?.about);
  return {
    guid: about,
    url: resolveUrl(item.link, base) ?? resolveUrl(about, base),
    title: cleanText(item.title),
    html: cleanText(item.content?.encoded) ?? cleanText(item.description),
    published: firstDate(...(item.dc?.dates ?? [])),
    updated: firstDate(...(item.dcterms?.modified ?? [])),
    categories: uniqueTexts(item.dc?.subjects ?? []),
    author: cleanText(item.dc?.creators?.[0]),
  };
}
