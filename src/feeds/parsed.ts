/**
 * What the importer reads from any feed format (RSS 0.9x/2.0, RDF/RSS 1.0, Atom 1.0, JSON Feed),
 * normalized, before it becomes articles.
 */

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

export interface ParsedItem {
  /** The item's own identifier (RSS guid, Atom id, JSON Feed id), if it has one. */
  guid: string | null;
  /** The item's web page, absolute. */
  url: string | null;
  title: string | null;
  /** The fullest content the feed gives (content:encoded, Atom content, content_html), as HTML. */
  html: string | null;
  published: Date | null;
  updated: Date | null;
  categories: string[];
  author: string | null;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  /** The site the feed belongs to, absolute. */
  homeUrl: string | null;
  items: ParsedItem[];
}

/** An HTML page instead of a feed: the feeds it advertises with <link rel="alternate">. */
export interface DiscoveredFeeds {
  alternates: string[];
}

export type FeedDocument =
  { kind: 'feed'; feed: ParsedFeed } | { kind: 'html'; discovered: DiscoveredFeeds };

export type FeedErrorCode =
  'too_large' | 'invalid_utf8' | 'entities_refused' | 'malformed' | 'not_a_feed' | 'empty';

/** A document that cannot be imported; the message says why, for a person. */
export class FeedError extends Error {
  override name = 'FeedError';
  readonly code: FeedErrorCode;

  constructor(code: FeedErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
