/** Atom 1.0 (and 0.3) as feedsmith reads it, normalized: typed text constructs, xml:base, inherited authors. */
import type { AtomFeed } from 'feedsmith';
import type { ParsedFeed, ParsedItem } from '../parsed.ts';
import { firstDate } from './dates.ts';
import { cleanText, escapeHtml, htmlToText, uniqueTexts } from './text.ts';
import { resolveBase, resolveUrl } from './urls.ts';

type Feed = AtomFeed.Feed<string>;
type Entry = AtomFeed.Entry<string>;
type Link = AtomFeed.Link<string>;
type Text = AtomFeed.Text | AtomFeed.Content;

const ALTERNATE = new Set(['alternate', 'http://www.iana.org/assignments/relation/alternate']);

export function normalizeAtom(feed: Feed, documentUrl: string | null): ParsedFeed {
  const base = resolveBase(feed.xml?.base, documentUrl);
  const feedAuthor = cleanText(feed.authors?.[0]?.name);
  return {
    format: 'atom',
    title: plainText(feed.title),
    homeUrl: resolveUrl(pageLink(feed.links), base),
    items: (feed.entries ?? []).map((entry) => normalizeEntry(entry, base, feedAuthor)),
  };
}

function normalizeEntry(
  entry: Entry,
  feedBase: string | null,
  feedAuthor: string | null,
): ParsedItem {
  const base = resolveBase(entry.xml?.base, feedBase);
  return {
    guid: cleanText(entry.id),
    url: resolveUrl(pageLink(entry.links), base),
    title: plainText(entry.title),
    html: contentHtml(entry.content) ?? contentHtml(entry.summary),
    published: firstDate(entry.published, entry.updated),
    updated: firstDate(entry.updated),
    categories: uniqueTexts((entry.categories ?? []).map((c) => c.term ?? c.label)),
    // Atom: an entry without its own author has the feed's (or its source's).
    author:
      cleanText(entry.authors?.[0]?.name) ??
      cleanText(entry.source?.authors?.[0]?.name) ??
      feedAuthor,
  };
}

/** rel="alternate" (an HTML one first), else the first link without rel, which means the same. */
function pageLink(links: Link[] | undefined): string | undefined {
  const all = links ?? [];
  const alternates = all.filter((link) => link.rel && ALTERNATE.has(link.rel.toLowerCase()));
  const html = alternates.find((link) => !link.type || /html/i.test(link.type));
  return (html ?? alternates[0] ?? all.find((link) => !link.rel))?.href;
}

/** A text construct as HTML: html as is, xhtml already serialized by feedsmith, text escaped. */
function contentHtml(text: Text | undefined): string | null {
  if (!text || ('src' in text && text.src)) return null;
  const value = cleanText(text.value);
  if (value === null) return null;
  const type = (text.type ?? 'text').toLowerCase();
  if (type === 'html' || type === 'text/html') return value;
  if (type === 'xhtml' || type === 'application/xhtml+xml') return value;
  if (type === 'text' || type.startsWith('text/')) return escapeHtml(value);
  // Any other media type is base64 or binary: nothing to show as an article body.
  return null;
}

function plainText(text: Text | undefined): string | null {
  const value = cleanText(text?.value);
  if (value === null) return null;
  const type = (text?.type ?? 'text').toLowerCase();
  return type === 'html' || type === 'xhtml' ? cleanText(htmlToText(value)) : value;
}
