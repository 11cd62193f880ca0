/**
 * Bytes to text, refusing anything that does not decode cleanly: a BOM decides, then the
 * Content-Type charset, then the XML declaration or an HTML <meta charset>, else UTF-8.
 */
import { FeedError } from '../parsed.ts';

export interface Decoded {
  text: string;
  /** The WHATWG name of the encoding used, e.g. "utf-8", "windows-1252". */
  encoding: string;
}

interface Choice {
  label: string;
  source: string;
}

// Only the head is sniffed for a declaration; it must come first anyway.
const SNIFF_BYTES = 1024;

export function decodeDocument(bytes: Uint8Array, contentType?: string | null): Decoded {
  const choice = fromBom(bytes) ??
    fromContentType(contentType) ??
    fromDocument(bytes) ?? { label: 'utf-8', source: 'the default' };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(choice.label, { fatal: true });
  } catch {
    throw new FeedError(
      'invalid_utf8',
      `the document is in an unsupported encoding "${choice.label}" (${choice.source})`,
    );
  }
  try {
    return { text: decoder.decode(bytes), encoding: decoder.encoding };
  } catch {
    throw new FeedError(
      'invalid_utf8',
      `the document is not valid ${decoder.encoding.toUpperCase()} (${choice.source})`,
    );
  }
}

function fromBom(bytes: Uint8Array): Choice | null {
  const source = 'its byte order mark';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { label: 'utf-8', source };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { label: 'utf-16be', source };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { label: 'utf-16le', source };
  return null;
}

function fromContentType(contentType: string | null | undefined): Choice | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m?.[1] ? { label: m[1], source: 'declared by the Content-Type header' } : null;
}

function fromDocument(bytes: Uint8Array): Choice | null {
  // Latin-1 never fails and keeps ASCII as is, which is all a declaration may use.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, SNIFF_BYTES));
  const xml = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  if (xml?.[1]) return asciiCompatible(xml[1], 'declared by the XML declaration');
  if (/^\s*<\?xml\s/.test(head)) return null;
  const meta = /<meta\s[^>]*?charset\s*=\s*["']?([A-Za-z0-9._:-]+)/i.exec(head);
  return meta?.[1] ? asciiCompatible(meta[1], 'declared by a <meta> tag') : null;
}

// A declaration we could read in ASCII cannot be truthfully UTF-16 (that needs a BOM).
function asciiCompatible(label: string, source: string): Choice {
  return /^utf-?16/i.test(label) ? { label: 'utf-8', source } : { label, source };
}
