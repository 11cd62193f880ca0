/** URL resolution for feed links: xml:base chains, relative hrefs, and only http(s) results. */

/** A base URL for what follows (xml:base, <base href>): resolved against the parent; the parent when unusable. */
export function resolveBase(href: string | null | undefined, parent: string | null): string | null {
  const text = href?.trim();
  if (text === undefined || text === '') return parent;
  try {
    return new URL(text, parent ?? undefined).href;
  } catch {
    return parent;
  }
}

/** An absolute http(s) URL for a link, or null: a link the importer cannot follow is no link. */
export function resolveUrl(href: string | null | undefined, base: string | null): string | null {
  const text = href?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text, base ?? undefined);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/** The page URL the caller gave, if it is an absolute URL at all. */
export function documentBase(url: string | null | undefined): string | null {
  return url && URL.canParse(url) ? new URL(url).href : null;
}
