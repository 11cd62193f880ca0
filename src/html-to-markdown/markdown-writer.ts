/**
 * Writes a parsed, whitespace-collapsed HTML tree as Markdown: each element through the first
 * rule that takes it (the caller's, then the standard ones of markdown-default-rules.ts), text
 * escaped, the whitespace at the edges of inline elements moved outside their markers
 * (`<b> x </b>` is ` **x** `), and block output joined with at most one blank line.
 */
import { LAYOUT_BLOCKS, LAYOUT_VOIDS } from './collapse-whitespace.ts';
import { type ConversionRule, ELEMENT_NODE, TEXT_NODE } from './dom.ts';
import type { HtmlNode } from './html-node.ts';
import { DEFAULT_RULES, fallbackRule } from './markdown-default-rules.ts';

/** Elements kept even when they hold no text. */
const KEPT_WHEN_BLANK = new Set([
  'A',
  'TABLE',
  'THEAD',
  'TBODY',
  'TFOOT',
  'TH',
  'TD',
  'IFRAME',
  'SCRIPT',
  'AUDIO',
  'VIDEO',
]);

const NEWLINES = ['', '\n', '\n\n'];

/**
 * The Markdown for `root`'s content. `rules` come first to last in priority; `escape` makes text
 * read as itself (text inside `<code>` is left alone).
 */
export function writeMarkdown(
  root: HtmlNode,
  rules: readonly ConversionRule[],
  escape: (text: string) => string,
): string {
  measureText(root);
  const markdown = new Writer([...rules, ...DEFAULT_RULES], escape).content(root, false);
  let start = 0;
  while (start < markdown.length && '\t\r\n'.includes(markdown.charAt(start))) start++;
  return markdown.slice(start).trimEnd();
}

class Writer {
  private readonly rules: readonly ConversionRule[];
  private readonly escape: (text: string) => string;
  /** Per element name, the rules that may take it, in priority order. */
  private readonly candidates = new Map<string, ConversionRule[]>();

  constructor(rules: readonly ConversionRule[], escape: (text: string) => string) {
    this.rules = rules;
    this.escape = escape;
  }

  /**
   * The children's Markdown joined: between two pieces go as many newlines as the one before
   * ends with or the one after starts with, whichever is more, and at most two.
   */
  content(parent: HtmlNode, inCode: boolean): string {
    let text = '';
    let newlines = 0;
    for (const child of parent.childNodes) {
      let piece: string;
      if (child.nodeType === TEXT_NODE) {
        const value = child.nodeValue ?? '';
        piece = inCode ? value : this.escape(value);
      } else if (child.nodeType === ELEMENT_NODE) {
        piece = this.element(child, inCode);
      } else {
        continue;
      }
      let leading = 0;
      while (piece.charCodeAt(leading) === 10) leading++;
      if (leading === piece.length) {
        newlines = Math.min(2, Math.max(newlines, leading));
        continue;
      }
      let end = piece.length;
      while (piece.charCodeAt(end - 1) === 10) end--;
      text += NEWLINES[Math.min(2, Math.max(newlines, leading))] + piece.slice(leading, end);
      newlines = piece.length - end;
    }
    return newlines === 0 ? text : text + '\n'.repeat(newlines);
  }

  private element(node: HtmlNode, inCode: boolean): string {
    const code = inCode || node.nodeName === 'CODE';
    const block = LAYOUT_BLOCKS.has(node.nodeName);
    const rule = isBlank(node) ? null : this.ruleFor(node);
    let content = rule === null || rule.ignoresContent ? '' : this.content(node, code);
    const [leading, trailing] = block || code ? ['', ''] : flankingWhitespace(node);
    if (leading !== '' || trailing !== '') content = content.trim();
    const replacement = rule === null ? (block ? '\n\n' : '') : rule.replacement(content, node);
    return leading + replacement + trailing;
  }

  private ruleFor(node: HtmlNode): ConversionRule {
    let candidates = this.candidates.get(node.nodeName);
    if (candidates === undefined) {
      const name = node.nodeName.toLowerCase();
      candidates = this.rules.filter(({ filter }) =>
        typeof filter === 'function'
          ? true
          : typeof filter === 'string'
            ? filter === name
            : filter.includes(name),
      );
      this.candidates.set(node.nodeName, candidates);
    }
    for (const rule of candidates) {
      if (typeof rule.filter !== 'function' || rule.filter(node)) return rule;
    }
    return fallbackRule;
  }
}

/** An element with no text and nothing kept in it writes nothing (a block, a line break). */
function isBlank(node: HtmlNode): boolean {
  return (
    node.blankText &&
    !node.holdsKept &&
    !LAYOUT_VOIDS.has(node.nodeName) &&
    !KEPT_WHEN_BLANK.has(node.nodeName)
  );
}

/**
 * The whitespace at the edges of an inline element's text, written outside its Markdown so
 * `<b> x</b>` gives ` **x**`; ASCII whitespace is left out where the text beside it already
 * has a space.
 */
function flankingWhitespace(node: HtmlNode): [string, string] {
  let leading = node.leadingSpace;
  let trailing = node.blankText ? '' : node.trailingSpace;
  const asciiLead = asciiSpaceAtStart(leading);
  if (asciiLead > 0 && spaceBefore(node)) leading = leading.slice(asciiLead);
  const asciiTrail = asciiSpaceAtEnd(trailing);
  if (asciiTrail > 0 && spaceAfter(node))
    trailing = trailing.slice(0, trailing.length - asciiTrail);
  return [leading, trailing];
}

function isAsciiSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function asciiSpaceAtStart(text: string): number {
  let count = 0;
  while (count < text.length && isAsciiSpace(text.charCodeAt(count))) count++;
  return count;
}

function asciiSpaceAtEnd(text: string): number {
  let count = 0;
  while (count < text.length && isAsciiSpace(text.charCodeAt(text.length - 1 - count))) count++;
  return count;
}

function spaceBefore(node: HtmlNode): boolean {
  const sibling = node.previousSibling;
  if (sibling === null) return false;
  if (sibling.nodeType === TEXT_NODE) return (sibling.nodeValue ?? '').endsWith(' ');
  if (sibling.nodeName === 'CODE' || LAYOUT_BLOCKS.has(sibling.nodeName)) return false;
  return (sibling.blankText ? sibling.leadingSpace : sibling.trailingSpace).endsWith(' ');
}

function spaceAfter(node: HtmlNode): boolean {
  const sibling = node.nextSibling;
  if (sibling === null) return false;
  if (sibling.nodeType === TEXT_NODE) return (sibling.nodeValue ?? '').startsWith(' ');
  if (sibling.nodeName === 'CODE' || LAYOUT_BLOCKS.has(sibling.nodeName)) return false;
  return sibling.leadingSpace.startsWith(' ');
}

/** What `\s` matches in a regular expression, which is what `trim()` removes. */
function isWhitespace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Links siblings and fills each node's text measures (see HtmlNode), children first. */
function measureText(node: HtmlNode): void {
  let leading = '';
  let trailing = '';
  let blank = true;
  let holdsKept = false;
  let previous: HtmlNode | null = null;
  for (const child of node.childNodes) {
    child.previousSibling = previous;
    if (previous !== null) previous.nextSibling = child;
    previous = child;
    if (child.nodeType === TEXT_NODE) {
      measureTextNode(child);
    } else {
      measureText(child);
      holdsKept ||=
        child.holdsKept || LAYOUT_VOIDS.has(child.nodeName) || KEPT_WHEN_BLANK.has(child.nodeName);
    }
    if (child.blankText) {
      if (blank) leading += child.leadingSpace;
      else trailing += child.leadingSpace;
    } else {
      if (blank) leading += child.leadingSpace;
      trailing = child.trailingSpace;
      blank = false;
    }
  }
  if (previous !== null) previous.nextSibling = null;
  node.leadingSpace = leading;
  node.trailingSpace = blank ? '' : trailing;
  node.blankText = blank;
  node.holdsKept = holdsKept;
}

function measureTextNode(text: HtmlNode): void {
  const value = text.nodeValue ?? '';
  let start = 0;
  while (start < value.length && isWhitespace(value.charCodeAt(start))) start++;
  text.leadingSpace = value.slice(0, start);
  text.blankText = start === value.length;
  let end = value.length;
  if (!text.blankText) while (isWhitespace(value.charCodeAt(end - 1))) end--;
  text.trailingSpace = value.slice(end);
}
