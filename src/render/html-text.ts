/**
 * The text a reader sees in sanitized HTML: what search indexes and quotes, what reading time
 * counts, and (the paragraphs alone) what a default description is cut from. Text content only:
 * no tags, no attribute values (link targets, image sources, a code block's language), entities
 * decoded; code is text like any other; a line break where a block starts or ends.
 */
import { Parser } from 'htmlparser2';

export interface HtmlText {
  /** Every text node, blocks on lines of their own, spaces and line breaks collapsed. */
  text: string;
  /** The text of paragraphs only, unnormalized. */
  leadText: string;
}

/** Elements whose edges separate words even when no space is written between them. */
const BLOCKS = new Set([
  'blockquote',
  'br',
  'caption',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  'summary',
  'table',
  'td',
  'th',
  'tr',
  'ul',
]);

/** Spaces and tabs in a row become one space; a run holding a line break, one line break. */
function collapse(text: string): string {
  return text
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .trim();
}

export function htmlText(html: string): HtmlText {
  const text: string[] = [];
  const lead: string[] = [];
  let paragraphDepth = 0;
  const parser = new Parser({
    onopentag(name) {
      if (name === 'p') paragraphDepth++;
      if (BLOCKS.has(name)) text.push('\n');
    },
    onclosetag(name) {
      if (name === 'p') {
        paragraphDepth--;
        lead.push(' ');
      }
      if (BLOCKS.has(name)) text.push('\n');
    },
    ontext(data) {
      text.push(data);
      if (paragraphDepth > 0) lead.push(data);
    },
  });
  parser.end(html);
  return { text: collapse(text.join('')), leadText: lead.join('') };
}
