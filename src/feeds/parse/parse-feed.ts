/**
 * The importer's one entry for fetched bytes: guards first (size, encoding, entity declarations),
 * then RSS / RDF / Atom / JSON Feed into a ParsedFeed, or an HTML page's advertised feeds.
 */
import { FeedError, type FeedDocument, type ParsedFeed } from '../parsed.ts';
import { decodeDocument } from './decode.ts';
import { discoverAlternates } from './discover.ts';
import { refuseEntityDeclarations } from './entity-guard.ts';
import { parseJsonDocument } from './json-feed.ts';
import { sniffDocument } from './sniff.ts';
import { documentBase } from './urls.ts';
import { parseXmlFeed } from './xml-feed.ts';

export const DEFAULT_MAX_FEED_BYTES = 10 * 1024 * 1024;

export interface ParseFeedOptions {
  /** Where the document came from: the base for relative links. */
  url?: string | null;
  /** The Content-Type header, for its charset and to tell HTML from XML. */
  contentType?: string | null;
  maxBytes?: number;
}

/** Throws FeedError for anything that cannot be imported. */
export function parseFeedDocument(bytes: Uint8Array, options: ParseFeedOptions = {}): FeedDocument {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FEED_BYTES;
  if (bytes.length > maxBytes) {
    throw new FeedError(
      'too_large',
      `the document is ${bytes.length} bytes, over the limit of ${maxBytes} bytes`,
    );
  }
  const { text } = decodeDocument(bytes, options.contentType);
  const url = documentBase(options.url);
  const sniffed = sniffDocument(text, options.contentType);
  if (sniffed.kind === 'json') return feed(parseJsonDocument(text, url));
  refuseEntityDeclarations(text);
  switch (sniffed.kind) {
    case 'xml':
      return feed(parseXmlFeed(text, sniffed.format, url));
    case 'html': {
      const alternates = discoverAlternates(text, url);
      if (alternates.length === 0) {
        throw new FeedError(
          'not_a_feed',
          'the document is an HTML page that advertises no feed (no <link rel="alternate"> of a feed type)',
        );
      }
      return { kind: 'html', discovered: { alternates } };
    }
    case 'other':
      throw new FeedError('not_a_feed', `not a feed: ${sniffed.description}`);
  }
}

function feed(parsed: ParsedFeed): FeedDocument {
  if (parsed.items.length === 0) {
    throw new FeedError(
      'empty',
      `the feed${parsed.title ? ` "${parsed.title}"` : ''} has no items`,
    );
  }
  return { kind: 'feed', feed: parsed };
}
