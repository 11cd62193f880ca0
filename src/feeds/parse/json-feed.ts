/** JSON Feed 1.0 and 1.1: checked for its version URL, read by feedsmith, normalized. */
import { type JsonFeed, parseJsonFeed } from 'feedsmith';
import { FeedError, type ParsedFeed, type ParsedItem } from '../parsed.ts';
import { firstDate } from './dates.ts';
import { cleanText, textToParagraphs, uniqueTexts } from './text.ts';
import { resolveUrl } from './urls.ts';

type Feed = JsonFeed.Feed<string>;
type Item = JsonFeed.Item<string>;

// Both spec versions identify themselves this way; other JSON is not a feed, however shaped.
const VERSION = /^https?:\/\/jsonfeed\.org\/version\/1(\.\d+)?\/?$/;

export function parseJsonDocument(text: string, documentUrl: string | null): ParsedFeed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FeedError('malformed', `the document is not valid JSON: ${(error as Error).message}`);
  }
  if (!isJsonFeed(value)) {
    throw new FeedError(
      'not_a_feed',
      'the document is JSON but not a JSON Feed (no "version": "https://jsonfeed.org/version/1.x")',
    );
  }
  return normalizeJson(parseJsonFeed(value), documentUrl);
}

function isJsonFeed(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const version = (value as Record<string, unknown>).version;
  return typeof version === 'string' && VERSION.test(version.trim());
}

function normalizeJson(feed: Feed, documentUrl: string | null): ParsedFeed {
  const feedAuthor = cleanText(feed.authors?.[0]?.name);
  return {
    format: 'json',
    title: cleanText(feed.title),
    homeUrl: resolveUrl(feed.home_page_url, documentUrl),
    items: (feed.items ?? []).map((item) => normalizeItem(item, documentUrl, feedAuthor)),
  };
}

function normalizeItem(item: Item, base: string | null, feedAuthor: string | null): ParsedItem {
  return {
    guid: cleanText(item.id),
    url: resolveUrl(item.url, base) ?? resolveUrl(item.external_url, base),
    title: cleanText(item.title),
    html:
      cleanText(item.content_html) ??
      textToParagraphs(item.content_text) ??
      textToParagraphs(item.summary),
    published: firstDate(item.date_published),
    updated: firstDate(item.date_modified),
    categories: uniqueTexts(item.tags ?? []),
    author: cleanText(item.authors?.[0]?.name) ?? feedAuthor,
  };
}
