/**
 * Text from HTML made to read as itself in Quire's Markdown (CommonMark, GFM, HTML allowed):
 * backslashes before what would start emphasis, code, links, headings, lists, quotes, HTML,
 * entities and strikethrough, while bare URLs stay as written.
 */
import MarkdownIt from 'markdown-it';

/** Characters that mean something wherever they are. */
const ANYWHERE = /[\\*`[\]_]/g;
const ATX_HEADING = /^#{1,6} /;
const ORDERED_ITEM = /^(\d+)\. /;

const HAS_ANYWHERE = /[\\*`[\]_]/;

/** Escapes the Markdown syntax a text could be mistaken for, at its start and anywhere in it. */
function escapeSyntax(text: string): string {
  const out = HAS_ANYWHERE.test(text) ? text.replace(ANYWHERE, '\\$&') : text;
  switch (out.charAt(0)) {
    case '-': // a list item or a thematic break
    case '=': // a setext heading underline
    case '>': // a block quote
      return `\\${out}`;
    case '+':
      return out.charAt(1) === ' ' ? `\\${out}` : out;
    case '#':
      return ATX_HEADING.test(out) ? `\\${out}` : out;
    case '~':
      return out.startsWith('~~~') ? `\\${out}` : out;
    default:
      return ORDERED_ITEM.test(out) ? out.replace(ORDERED_ITEM, '$1\\. ') : out;
  }
}

const MAY_NEED_MORE = /[<&~]|^\d+\) /;

/** What Quire's Markdown (HTML allowed, GFM) would also interpret. */
function escapeHtmlAndGfm(text: string): string {
  if (!MAY_NEED_MORE.test(text)) return text;
  return text
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
    .replace(/~{2,}/g, (run) => run.replace(/~/g, '\\~'))
    .replace(/^(\d+)\) /, '$1\\) ');
}

/** Text escaped in full: for link text and alt text, where Quire links no URLs. */
export function escapeInline(text: string): string {
  return escapeHtmlAndGfm(escapeSyntax(text));
}

/** Quire's renderer links bare URLs; linkify-it, configured as it is there, finds them here. */
const linkify = new MarkdownIt({ linkify: true }).linkify.set({ fuzzyEmail: false });

/**
 * What any link linkify-it finds (emails aside) contains: a scheme's `:` or `//`, or a host
 * (`localhost`, `www.`, a dot before a top-level domain or an IP address's digits). Most text has
 * none of them, and this is much quicker to rule out than linkify-it's own tests.
 */
const MAY_HOLD_LINK = /[:/]|localhost|www\.|\.[0-9a-zр]/i;

/**
 * Prose text escaped. A backslash inside a bare URL would end up in the link Quire's renderer
 * makes of it, so URLs in text are left as written and only the text around them is escaped.
 */
export function escapeProse(text: string): string {
  // test() is linkify-it's quick check; match() alone scans with its slowest expressions.
  const matches = MAY_HOLD_LINK.test(text) && linkify.test(text) ? linkify.match(text) : null;
  if (!matches) return escapeInline(text);
  let out = '';
  let last = 0;
  for (const match of matches) {
    out += escapeInline(text.slice(last, match.index)) + text.slice(match.index, match.lastIndex);
    last = match.lastIndex;
  }
  return out + escapeInline(text.slice(last));
}
