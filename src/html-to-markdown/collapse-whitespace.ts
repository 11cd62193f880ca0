/**
 * Whitespace as a browser shows it, before conversion: runs of spaces, tabs and newlines become
 * one space, and spaces at the edges of blocks and next to other spaces go. Text in `<pre>` and
 * `<code>` is kept as written; comments are removed.
 */
import { BLOCK_ELEMENTS, ELEMENT_NODE, TEXT_NODE } from './dom.ts';
import type { HtmlNode } from './html-node.ts';

/**
 * Elements laid out as blocks: their edges end the line (and trim the space before them). The
 * rules' blocks, less two that open and close a disclosure, plus a few obsolete or invisible ones.
 */
export const LAYOUT_BLOCKS: ReadonlySet<string> = new Set([
  ...[...BLOCK_ELEMENTS].filter((name) => name !== 'DETAILS' && name !== 'SUMMARY'),
  'FRAMESET',
  'HGROUP',
  'ISINDEX',
  'NOFRAMES',
  'NOSCRIPT',
  'OUTPUT',
]);

/** Empty elements that stand for something (an image, a field), so the space beside them stays. */
export const LAYOUT_VOIDS = new Set([
  'AREA',
  'BASE',
  'BR',
  'COL',
  'COMMAND',
  'EMBED',
  'HR',
  'IMG',
  'INPUT',
  'KEYGEN',
  'LINK',
  'META',
  'PARAM',
  'SOURCE',
  'TRACK',
  'WBR',
]);

interface Collapse {
  /** The text node written last, whose trailing space a following block removes. */
  lastText: HtmlNode | null;
  /** After an image or code, a leading space is kept: it separates them from the text. */
  keepLeadingSpace: boolean;
}

export function collapseWhitespace(root: HtmlNode): void {
  const state: Collapse = { lastText: null, keepLeadingSpace: false };
  collapseChildren(root, state);
  const last = state.lastText;
  if (last !== null) {
    trimTrailingSpace(last);
    if (last.nodeValue === '') last.detach();
  }
}

function collapseChildren(parent: HtmlNode, state: Collapse): void {
  const kept: HtmlNode[] = [];
  for (const child of parent.childNodes) {
    if (child.nodeType === TEXT_NODE) {
      let text = collapseRuns(child.nodeValue ?? '');
      const afterSpace = state.lastText === null || state.lastText.nodeValue?.endsWith(' ');
      if (afterSpace && !state.keepLeadingSpace && text.startsWith(' ')) text = text.slice(1);
      if (text === '') {
        child.parentNode = null;
        continue;
      }
      child.nodeValue = text;
      state.lastText = child;
      kept.push(child);
    } else if (child.nodeType === ELEMENT_NODE) {
      kept.push(child);
      passElementEdge(child, state);
      if (!keepsWhitespace(child) && child.childNodes.length > 0) {
        collapseChildren(child, state);
        passElementEdge(child, state);
      }
    } else {
      child.parentNode = null;
    }
  }
  parent.childNodes = kept;
}

/** What the start or the end of an element does to the whitespace around it. */
function passElementEdge(element: HtmlNode, state: Collapse): void {
  if (LAYOUT_BLOCKS.has(element.nodeName) || element.nodeName === 'BR') {
    if (state.lastText !== null) trimTrailingSpace(state.lastText);
    state.lastText = null;
    state.keepLeadingSpace = false;
  } else if (LAYOUT_VOIDS.has(element.nodeName) || keepsWhitespace(element)) {
    state.lastText = null;
    state.keepLeadingSpace = true;
  } else if (state.lastText !== null) {
    state.keepLeadingSpace = false;
  }
}

function keepsWhitespace(element: HtmlNode): boolean {
  return element.nodeName === 'PRE' || element.nodeName === 'CODE';
}

const RUN = /[ \r\n\t]+/g;
const NEEDS_COLLAPSE = /[\r\n\t]| {2}/;

function collapseRuns(text: string): string {
  return NEEDS_COLLAPSE.test(text) ? text.replace(RUN, ' ') : text;
}

function trimTrailingSpace(text: HtmlNode): void {
  const value = text.nodeValue ?? '';
  if (value.endsWith(' ')) text.nodeValue = value.slice(0, -1);
}
