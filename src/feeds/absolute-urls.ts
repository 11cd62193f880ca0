/**
 * Makes the URLs in an article's HTML absolute, against the article's own URL, for feeds: a feed
 * reader shows the HTML away from the page, where `/about`, `img.png` or `#user-content-x`
 * point nowhere. Only the attribute values change; every other byte stays as it was.
 */
import { escapeAttribute } from 'entities';
import { Parser } from 'htmlparser2';
import { parseSrcset, stringifySrcset } from 'srcset';

/** Attributes holding one URL. `srcset` holds several and is read as its own syntax. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'poster', 'cite']);

/**
 * Cheap test before parsing: the sanitizer writes every attribute as `name="value"`, so HTML in
 * which every such value starts with an absolute scheme has nothing to resolve. Anything else
 * (another quoting, an entity, a `srcset`) goes to the parser, which decides.
 */
const MAYBE_RELATIVE =
  /\b(?:href|src|poster|cite)\s*=\s*(?!"(?:https?:\/\/|mailto:))|\bsrcset\s*=/i;

const ABSOLUTE = /^[\s]*(?:https?:\/\/|mailto:)/i;

/**
 * The value resolved against the base, or null to leave it as it is: already absolute, not a
 * URL at all, or resolving to something other than http(s) (a relative reference against an
 * http(s) base never does, but the sanitizer's rule is kept here too).
 */
function resolved(value: string, base: string): string | null {
  if (ABSOLUTE.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

function resolvedSrcset(value: string, base: string): string | null {
  let candidates;
  try {
    candidates = parseSrcset(value, { strict: true });
  } catch {
    return null;
  }
  let changed = false;
  const absolute = candidates.map((candidate) => {
    const url = resolved(candidate.url, base);
    if (url === null) return candidate;
    changed = true;
    return { ...candidate, url };
  });
  return changed ? stringifySrcset(absolute) : null;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The HTML with every relative URL in its attributes resolved against `base`. */
export function absoluteUrls(html: string, base: string): string {
  if (!MAYBE_RELATIVE.test(html)) return html;
  const edits: Edit[] = [];
  const parser = new Parser({
    onattribute(name, value, quote) {
      // An attribute without a value names no URL.
      if (quote === undefined) return;
      const url =
        name === 'srcset'
          ? resolvedSrcset(value, base)
          : URL_ATTRIBUTES.has(name)
            ? resolved(value, base)
            : null;
      if (url === null) return;
      // While an attribute is reported, the parser's indexes span it: name, `=`, quoted value.
      edits.push({
        start: parser.startIndex,
        end: parser.endIndex,
        text: `${name}="${escapeAttribute(url)}"`,
      });
    },
  });
  parser.end(html);
  if (edits.length === 0) return html;
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += html.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + html.slice(at);
}
