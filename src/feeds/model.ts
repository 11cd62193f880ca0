/** One feed, whatever its format: what the RSS, Atom and JSON Feed serializers all read. */

export interface FeedEntry {
  /** The article's absolute URL: its id, guid and link. */
  url: string;
  title: string;
  authorName: string;
  authorUrl: string;
  published: Date;
  updated: Date;
  /** The full, sanitized article HTML, its URLs made absolute against `url`. */
  html: string;
  /** The article's description: plain text, so it holds no link to resolve. */
  summary: string;
  tags: string[];
  image: string | null;
}

export interface FeedLinks {
  /** The HTML page this feed mirrors. */
  html: string;
  rss: string;
  atom: string;
  json: string;
  /** The same feed's next (older) page, in the format being written, if there is one. */
  next: { rss: string; atom: string; json: string } | null;
  /** The WebSub hub, on the first page only: later pages cannot be subscribed to. */
  hub: string | null;
}

export interface FeedModel {
  title: string;
  description: string;
  links: FeedLinks;
  language: string;
  /**
   * The author's picture, GIF, JPEG or PNG (all an RSS image may be): the RSS image, the Atom
   * icon and the JSON Feed icon and favicon alike. None for the site and tag feeds.
   */
  image: string | null;
  /** When the newest entry changed; the feed's Last-Modified. */
  updated: Date;
  entries: FeedEntry[];
}
