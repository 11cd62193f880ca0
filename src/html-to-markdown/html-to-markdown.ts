/**
 * Converts an imported item's HTML to the Markdown Quire stores: parsed as a browser would,
 * GFM tables, strikethrough and task lists, code kept byte for byte, URLs made absolute
 * against the item.
 */
import MarkdownIt from 'markdown-it';
import { AppError } from '../errors.ts';
import { collapseWhitespace } from './collapse-whitespace.ts';
import {
  BLOCK_ELEMENTS,
  type ConversionRule,
  type DomNode,
  ELEMENT_NODE,
  TEXT_NODE,
  attr,
  children,
  classes,
  closest,
  someDescendant,
} from './dom.ts';
import { parseHtml } from './html-parse.ts';
import { codeRules } from './markdown-code.ts';
import { escapeInline, escapeProse } from './markdown-escape.ts';
import { linkRules } from './markdown-links.ts';
import { tableRules } from './markdown-table.ts';
import { writeMarkdown } from './markdown-writer.ts';

/** Removed with everything inside them: not content, or not representable in Markdown. */
const DROPPED = new Set([
  'SCRIPT',
  'STYLE',
  'IFRAME',
  'NOSCRIPT',
  'TEMPLATE',
  'TITLE',
  'HEAD',
  'META',
  'LINK',
  'BUTTON',
  'SVG',
  'MATH',
  'OBJECT',
  'EMBED',
  'CANVAS',
  'SELECT',
  'TEXTAREA',
]);
/** DEV's code block toolbar (fullscreen buttons) and similar chrome. */
const JUNK_CLASSES = new Set(['highlight__panel', 'highlight__panel-action']);

const HEADINGS = new Set(['H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
const CELLS_AND_CAPTIONS = new Set(['TD', 'TH', 'CAPTION']);

function isJunk(node: DomNode): boolean {
  // SVG and MathML elements keep their lowercase names in the DOM.
  return (
    DROPPED.has(node.nodeName.toUpperCase()) || classes(node).some((name) => JUNK_CLASSES.has(name))
  );
}

/** Far deeper than any article; refusing deeper HTML bounds the work and the recursion. */
const MAX_DEPTH = 500;

function tooDeep(): AppError {
  const message = `content is nested more than ${MAX_DEPTH} elements deep`;
  return new AppError('validation_failed', `Cannot convert the HTML: ${message}`, {
    errors: [{ field: 'body_markdown', message }],
  });
}

/**
 * The item's HTML as Markdown. Throws an AppError (validation_failed) for HTML nested too deeply
 * to convert, so an importer can skip that one item.
 */
export function htmlToMarkdown(html: string, baseUrl: string | null): string {
  if (html.trim() === '') return '';
  const root = parseHtml(html, MAX_DEPTH);
  if (root === null) throw tooDeep();
  collapseWhitespace(root);
  const tables = tableRules();
  // First to last in priority: a rule earlier in the list wins.
  const rules: ConversionRule[] = [
    // Converted all the same: a junk row or section still holds cells its table reads.
    { filter: isJunk, replacement: () => '' },
    ...Object.values(linkRules(baseUrl, escapeInline)),
    ...Object.values(blockRules()),
    ...Object.values(codeRules({ isJunk, inTableCell: tables.inTableCell })),
    ...Object.values(tables.rules),
  ];
  return tidy(writeMarkdown(root, rules, escapeProse));
}

function blockRules(): Record<string, ConversionRule> {
  const beside = { before: new Map<DomNode, Beside>(), after: new Map<DomNode, Beside>() };
  return {
    heading: {
      filter: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
      replacement: (content, node) => {
        const text = content
          .replace(/\s*\n\s*/g, ' ')
          .trim()
          // A trailing run of `#` after a space would read as the ATX closing sequence.
          .replace(/(\s)(#+)$/, '$1\\$2');
        if (text === '') return '\n\n';
        return `\n\n${'#'.repeat(Number(node.nodeName.charAt(1)))} ${text}\n\n`;
      },
    },
    lineBreak: {
      filter: 'br',
      replacement: (_content, node) => {
        if (closest(node, CELLS_AND_CAPTIONS)) return closest(node, HEADINGS) ? ' ' : '<br>';
        if (closest(node, HEADINGS)) return ' ';
        // A break with nothing on one side of it in its block would print as a stray backslash.
        if (!inlineContent(node, 'before', beside) || !inlineContent(node, 'after', beside)) {
          return '';
        }
        return '\\\n';
      },
    },
    blockquote: {
      filter: 'blockquote',
      replacement: (content) => `\n\n${prefixLines(trimNewlines(content), '> ')}\n\n`,
    },
    listItem: {
      filter: 'li',
      replacement: (content, node) => listItem(content, node),
    },
  };
}

/**
 * `- ` bullets and `1. ` numbers, continuation lines indented to the content. A list holding
 * code is indented to a multiple of four so tabs at the start of code lines keep their width.
 */
function listItem(content: string, node: DomNode): string {
  const list = node.parentNode;
  let marker = '-';
  if (list?.nodeName === 'OL') {
    const start = Number.parseInt(attr(list, 'start') ?? '1', 10);
    const index = itemsOf(list).indexOf(node);
    marker = `${Math.min(999_999_999, Math.max(0, Number.isNaN(start) ? 1 : start) + index)}.`;
  }
  const holdsCode = list !== null && listHoldsCode(list);
  const prefix = marker.padEnd(holdsCode ? Math.max(4, marker.length + 1) : marker.length + 1);
  const loose = /\n$/.test(content);
  // The task-list rule's `[x] ` meets the text's own leading space.
  const body = trimNewlines(content).replace(/^(\[[ x]\]) +/, '$1 ');
  const indented = prefixLines(body, ' '.repeat(prefix.length)).slice(prefix.length);
  return `${prefix}${indented}${loose ? '\n' : ''}${node.nextSibling ? '\n' : ''}`;
}

// Per list, not per item: a list of thousands of items must not be walked once per item.
const listItems = new WeakMap<DomNode, DomNode[]>();
const listCode = new WeakMap<DomNode, boolean>();

function itemsOf(list: DomNode): DomNode[] {
  let items = listItems.get(list);
  if (!items) {
    items = children(list).filter((child) => child.nodeType === ELEMENT_NODE);
    listItems.set(list, items);
  }
  return items;
}

function listHoldsCode(list: DomNode): boolean {
  let holds = listCode.get(list);
  if (holds === undefined) {
    holds = someDescendant(list, (child) => child.nodeName === 'PRE');
    listCode.set(list, holds);
  }
  return holds;
}

function trimNewlines(text: string): string {
  return text.replace(/^\n+/, '').replace(/\n+$/, '');
}

/** Prefixes every line; empty lines get the prefix without its trailing spaces. */
function prefixLines(text: string, prefix: string): string {
  const bare = prefix.trimEnd();
  return text
    .split('\n')
    .map((line) => (line === '' ? bare : prefix + line))
    .join('\n');
}

/** What comes first going one way along siblings: a block, something visible, or neither. */
type Beside = 'block' | 'visible' | 'none';
type Side = 'before' | 'after';

/** Whether something visible sits beside `node` within its block, on the given side. */
function inlineContent(
  node: DomNode,
  side: Side,
  known: Record<Side, Map<DomNode, Beside>>,
): boolean {
  for (let current: DomNode | null = node; current; current = current.parentNode) {
    if (current !== node && BLOCK_ELEMENTS.has(current.nodeName)) return false;
    const sibling = side === 'before' ? current.previousSibling : current.nextSibling;
    const found = sibling === null ? 'none' : firstBeside(sibling, side, known[side]);
    if (found !== 'none') return found === 'visible';
  }
  return false;
}

/**
 * The first block or visible node from `start` on, going `side`. Remembered for every node
 * passed, so a run of thousands of `<br>` is walked once, not once per break.
 */
function firstBeside(start: DomNode, side: Side, known: Map<DomNode, Beside>): Beside {
  const passed: DomNode[] = [];
  let found: Beside = 'none';
  for (let node: DomNode | null = start; node;) {
    const remembered = known.get(node);
    if (remembered !== undefined) {
      found = remembered;
      break;
    }
    passed.push(node);
    if (BLOCK_ELEMENTS.has(node.nodeName)) {
      found = 'block';
      break;
    }
    if (visible(node)) {
      found = 'visible';
      break;
    }
    node = side === 'before' ? node.previousSibling : node.nextSibling;
  }
  for (const node of passed) known.set(node, found);
  return found;
}

function visible(node: DomNode): boolean {
  if (node.nodeType === TEXT_NODE) return (node.nodeValue ?? '').trim() !== '';
  if (node.nodeType !== ELEMENT_NODE || isJunk(node) || node.nodeName === 'BR') return false;
  if (node.nodeName === 'IMG' || node.nodeName === 'INPUT') return true;
  return children(node).some(visible);
}

/** tidy() reads only the block structure, so inline content is left unparsed. */
const blockParser = new MarkdownIt().disable('inline');

/** Outside code: trailing whitespace trimmed, one blank line at most. One final newline. */
function tidy(markdown: string): string {
  const lines = markdown.split('\n');
  // Finding the code takes a Markdown parse; most output has nothing to tidy, code or not.
  const code = changesOutsideCode(lines) ? codeLines(markdown) : new Set<number>();
  const kept: string[] = [];
  let blank = true;
  lines.forEach((line, i) => {
    if (code.has(i)) {
      kept.push(line);
      blank = false;
      return;
    }
    const trimmed = line.trimEnd();
    if (trimmed === '' && blank) return;
    kept.push(trimmed);
    blank = trimmed === '';
  });
  const text = kept.join('\n').trimEnd();
  return text === '' ? '' : `${text}\n`;
}

/** Whether tidying would change a line if none were code (if not, it changes none at all). */
function changesOutsideCode(lines: string[]): boolean {
  let blank = true;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed !== line || (trimmed === '' && blank)) return true;
    blank = trimmed === '';
  }
  return false;
}

function codeLines(markdown: string): Set<number> {
  const code = new Set<number>();
  for (const token of blockParser.parse(markdown, {})) {
    if ((token.type === 'fence' || token.type === 'code_block') && token.map) {
      for (let line = token.map[0]; line < token.map[1]; line++) code.add(line);
    }
  }
  return code;
}
