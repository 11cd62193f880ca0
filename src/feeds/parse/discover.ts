/** Feed autodiscovery: the feeds an HTML page advertises with <link rel="alternate" type="...">. */
import { Parser } from 'htmlparser2';
import { resolveBase, resolveUrl } from './urls.ts';

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/feed+json',
  'application/json',
]);

/** Absolute URLs, in document order, without repeats. */
export function discoverAlternates(html: string, pageUrl: string | null): string[] {
  const hrefs: string[] = [];
  let baseHref: string | null = null;
  const parser = new Parser({
    onopentag(name, attributes) {
      // Only the first <base href> counts, and it applies to links before it too.
      if (name === 'base' && baseHref === null && attributes.href !== undefined) {
        baseHref = attributes.href;
        return;
      }
      if (name !== 'link' || attributes.href === undefined) return;
      const rel = (attributes.rel ?? '').toLowerCase().split(/\s+/);
      const type = (attributes.type ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (rel.includes('alternate') && FEED_TYPES.has(type)) hrefs.push(attributes.href);
    },
  });
  parser.end(html);
  const base = resolveBase(baseHref, pageUrl);
  const found = new Set<string>();
  for (const href of hrefs) {
    const url = resolveUrl(href, base);
    if (url !== null) found.add(url);
  }
  return [...found];
}
