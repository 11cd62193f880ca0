/**
 * Links and images from imported HTML: URLs made absolute against the item's own URL, schemes
 * Quire does not link to dropped (the text stays), titles and alt text escaped.
 */
import { type ConversionRule, type DomNode, TEXT_NODE, attr, children } from './dom.ts';

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
const IMAGE_SCHEMES = new Set(['http:', 'https:']);

export function linkRules(
  baseUrl: string | null,
  escape: (text: string) => string,
): Record<string, ConversionRule> {
  const resolve = resolverFor(baseUrl);
  return {
    link: {
      filter: 'a',
      replacement: (content, node) => {
        // DEV's heading anchors and other empty links carry nothing a reader sees.
        if (content.trim() === '') return '';
        // A link around blocks (a card, a heading) cannot be a Markdown link; keep the blocks.
        if (content.trim().includes('\n')) return content;
        const href = attr(node, 'href');
        const url = href === null ? null : resolve(href, LINK_SCHEMES);
        if (url === null) return content;
        // Quire does not link URLs inside link text, so text there is escaped in full.
        const text = children(node).every((child) => child.nodeType === TEXT_NODE)
          ? escape(oneLine(node.textContent ?? ''))
          : content;
        return `[${text}](${destination(url)}${titlePart(node)})`;
      },
    },
    image: {
      filter: 'img',
      replacement: (_content, node) => {
        const alt = escape(oneLine(attr(node, 'alt') ?? ''));
        const source = imageSource(node);
        const url = source === null ? null : resolve(source, IMAGE_SCHEMES);
        if (url === null) return alt;
        return `![${alt}](${destination(url)}${titlePart(node)})`;
      },
    },
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function titlePart(node: DomNode): string {
  const title = oneLine(attr(node, 'title') ?? '');
  return title === '' ? '' : ` "${title.replace(/[\\"]/g, '\\$&')}"`;
}

/** A link destination Markdown reads back as the same URL. */
function destination(url: string): string {
  return url.replace(/[\\()<> ]/g, (char) => (char === ' ' ? '%20' : `\\${char}`));
}

/** `src`, else a lazy loader's `data-src`, else the first `srcset` candidate. */
function imageSource(node: DomNode): string | null {
  for (const name of ['src', 'data-src']) {
    const value = attr(node, name)?.trim();
    if (value) return value;
  }
  const candidate = attr(node, 'srcset')?.trim().split(/\s+/)[0]?.replace(/,$/, '');
  return candidate ? candidate : null;
}

type Resolver = (raw: string, schemes: ReadonlySet<string>) => string | null;

/**
 * Makes a URL absolute against the item's own URL; null for a scheme Quire does not link to
 * (javascript:, data:, ...). In-page `#fragments` stay as written.
 */
function resolverFor(baseUrl: string | null): Resolver {
  const base = baseUrl === null ? null : parseUrl(baseUrl);
  return (raw, schemes) => {
    const value = raw.trim();
    if (value === '') return null;
    if (value.startsWith('#')) return value;
    const url = base ? parseUrl(value, base) : parseUrl(value);
    if (url) return schemes.has(url.protocol) ? url.href : null;
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return null;
    // No base to resolve against: protocol-relative gets https, a relative path stays as is.
    if (value.startsWith('//')) {
      const absolute = parseUrl(`https:${value}`);
      return absolute ? absolute.href : null;
    }
    return value;
  };
}

function parseUrl(value: string, base?: URL): URL | null {
  try {
    return new URL(value, base);
  } catch {
    return null;
  }
}
