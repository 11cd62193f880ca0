/**
 * Topics are this site's feed URLs (site, author or tag, in any format), first page only, by any
 * URL the feed routes answer (`/rss` is the site's RSS too), written in normal form: the topic is
 * echoed to the subscriber and sent in `Link` headers exactly as stored.
 */
import { type FeedRequest, parseFeedUrl } from '../feeds/feeds.service.ts';

export type TopicFeed =
  | { ok: true; feed: FeedRequest }
  | { ok: false; reason: 'not_a_feed' | 'not_first_page' }
  | { ok: false; reason: 'not_normal'; normal: string };

export function topicFeed(baseUrl: string, topic: string): TopicFeed {
  let url: URL;
  try {
    url = new URL(topic);
  } catch {
    return { ok: false, reason: 'not_a_feed' };
  }
  url.hash = '';
  if (!url.href.startsWith(`${baseUrl}/`)) return { ok: false, reason: 'not_a_feed' };
  const feed = feedOfPath(url.href.slice(baseUrl.length));
  if (!feed) return { ok: false, reason: 'not_a_feed' };
  if (feed.page !== 1) return { ok: false, reason: 'not_first_page' };
  if (url.href !== topic) return { ok: false, reason: 'not_normal', normal: url.href };
  return { ok: true, feed };
}

/** parseFeedUrl, with a malformed %-escape (which it cannot decode) as no feed at all. */
function feedOfPath(path: string): FeedRequest | null {
  try {
    return parseFeedUrl(path);
  } catch {
    return null;
  }
}
