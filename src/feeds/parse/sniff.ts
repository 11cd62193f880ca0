/** Tells what a decoded document is, from its first bytes and root element: JSON, a feed, HTML or other. */
import type { FeedFormat } from '../parsed.ts';

export type XmlFeedFormat = Exclude<FeedFormat, 'json'>;

export type Sniffed =
  | { kind: 'json' }
  | { kind: 'xml'; format: XmlFeedFormat }
  | { kind: 'html' }
  | { kind: 'other'; description: string };

const FEED_ROOTS: Record<string, XmlFeedFormat> = { rss: 'rss', rdf: 'rdf', feed: 'atom' };
// Sloppy pages may start with any of these instead of <html>.
const HTML_ROOTS = new Set(['html', 'head', 'body', 'meta', 'link', 'title']);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const JSON_TYPES = new Set(['application/json', 'application/feed+json']);

export function sniffDocument(text: string, contentType?: string | null): Sniffed {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const start = text.trimStart();
  if (start === '') return { kind: 'other', description: 'the document is empty' };
  const first = start[0];
  if (first === '{' || first === '[' || (JSON_TYPES.has(mime) && first !== '<')) {
    return { kind: 'json' };
  }
  const { root, doctype } = readProlog(start);
  const local = root?.slice(root.indexOf(':') + 1).toLowerCase();
  const format = local === undefined ? undefined : FEED_ROOTS[local];
  if (format) return { kind: 'xml', format };
  if (
    (local !== undefined && HTML_ROOTS.has(local)) ||
    doctype?.toLowerCase() === 'html' ||
    HTML_TYPES.has(mime)
  ) {
    return { kind: 'html' };
  }
  return {
    kind: 'other',
    description: root
      ? `an XML document whose root element is <${root}>, not <rss>, <rdf:RDF> or <feed>`
      : 'neither XML, HTML nor JSON',
  };
}

/** The root element's name and the DOCTYPE's name, skipping the XML declaration, PIs and comments. */
function readProlog(text: string): { root: string | null; doctype: string | null } {
  let doctype: string | null = null;
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end === -1) break;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) break;
      i = end + 3;
    } else if (text.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') {
      doctype = /^\s*([^\s>[]+)/.exec(text.slice(i + 9, i + 200))?.[1] ?? '';
      i = doctypeEnd(text, i + 9);
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(i, i + 200));
      return { root: m?.[1] ?? null, doctype };
    }
  }
  return { root: null, doctype };
}

// Where a DOCTYPE ends: quotes and an internal subset may both contain ">".
function doctypeEnd(text: string, from: number): number {
  let quote: string | null = null;
  let inSubset = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (inSubset && text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) return text.length;
      i = end + 2;
    } else if (c === '[') {
      inSubset = true;
    } else if (c === ']') {
      inSubset = false;
    } else if (c === '>' && !inSubset) {
      return i + 1;
    }
  }
  return text.length;
}
