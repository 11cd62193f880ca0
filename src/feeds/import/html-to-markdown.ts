/**
 * Converts an imported item's HTML to the Markdown Quire stores: turndown with GFM tables,
 * strikethrough and task lists, code kept byte for byte, URLs made absolute against the item.
 */
import { createRequire } from 'node:module';
import { Parser } from 'htmlparser2';
import MarkdownIt from 'markdown-it';
import TurndownService from 'turndown';
import { AppError } from '../../errors.ts';
import {
  BLOCK_ELEMENTS,
  type ConversionRule,
  type DomNode,
  ELEMENT_NODE,
  TEXT_NODE,
  addRules,
  attr,
  children,
  classes,
  closest,
  someDescendant,
} from './dom.ts';
import { codeRules } from './markdown-code.ts';
import { linkRules } from './markdown-links.ts';
import { tableRules } from './markdown-table.ts';

type Plugin = TurndownService.Plugin;
/** The plugin ships without types; these are the parts used. */
const gfm = createRequire(import.meta.url)('@joplin/turndown-plugin-gfm') as {
  strikethrough: Plugin;
  tables: Plugin;
  taskListItems: Plugin;
};

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

/**
 * Far deeper than any article; the DOM parser and turndown recurse per level and would run out
 * of stack somewhat above a thousand, after seconds of quadratic work.
 */
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
  if (mayNestTooDeep(html) && nestingDepth(html) > MAX_DEPTH) throw tooDeep();
  const service = new TurndownService({
    headingStyle: 'atx',
    hr: '---',
    bulletListMarker: '-',
    codeBlockStyle: 'fenced',
    emDelimiter: '*',
    strongDelimiter: '**',
    // A backslash hard break survives the trailing-whitespace trim that two spaces would not.
    br: '\\',
    preformattedCode: true,
  });
  const escapeMarkdown = service.escape.bind(service);
  const escapeAll = (text: string) => escapeText(escapeMarkdown(text));
  service.escape = (text: string) => escapeOutsideUrls(text, escapeAll);
  service.use([gfm.tables, gfm.strikethrough, gfm.taskListItems]);

  // Rules added later win, so these override turndown's and the plugin's own.
  const tables = tableRules();
  addRules(service, tables.rules);
  addRules(service, codeRules({ isJunk, inTableCell: tables.inTableCell }));
  addRules(service, blockRules());
  addRules(service, linkRules(baseUrl, escapeAll));
  addRules(service, { dropped: { filter: isJunk, replacement: () => '' } });
  try {
    return tidy(service.turndown(html));
  } catch (error) {
    // The parsers disagree a little on nesting (misnested tags); the stack is the last word.
    if (error instanceof RangeError) throw tooDeep();
    throw error;
  }
}

/** Nesting deeper than MAX_DEPTH takes more than MAX_DEPTH tags, and each starts with `<`. */
function mayNestTooDeep(html: string): boolean {
  let tags = 0;
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) {
    if (++tags > MAX_DEPTH) return true;
  }
  return false;
}

/** The deepest element nesting, by a fast streaming parse (void elements close at once). */
function nestingDepth(html: string): number {
  let depth = 0;
  let deepest = 0;
  const parser = new Parser({
    onopentag() {
      depth++;
      if (depth > deepest) deepest = depth;
    },
    onclosetag() {
      depth--;
    },
  });
  parser.end(html);
  return deepest;
}

/** Quire's renderer links bare URLs; linkify-it, configured as it is there, finds them here. */
const linkify = new MarkdownIt({ linkify: true }).linkify.set({ fuzzyEmail: false });

/**
 * A backslash inside a bare URL would end up in the link Quire's renderer makes of it, so URLs
 * in text are left as written and only the text around them is escaped.
 */
function escapeOutsideUrls(text: string, escape: (text: string) => string): string {
  // test() is linkify-it's quick check; match() alone scans with its slowest expressions.
  const matches = linkify.test(text) ? linkify.match(text) : null;
  if (!matches) return escape(text);
  let out = '';
  let last = 0;
  for (const match of matches) {
    out += escape(text.slice(last, match.index)) + text.slice(match.index, match.lastIndex);
    last = match.lastIndex;
  }
  return out + escape(text.slice(last));
}

/** What turndown leaves unescaped but Quire's Markdown (HTML allowed, GFM) would interpret. */
function escapeText(text: string): string {
  return text
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
    .replace(/~{2,}/g, (run) => run.replace(/~/g, '\\~'))
    .replace(/^(\d+)\) /, '$1\\) ');
}

function blockRules(): Record<string, ConversionRule> {
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
        if (!inlineContent(node, 'before') || !inlineContent(node, 'after')) return '';
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
  // The task-list plugin's `[x] ` meets the text's own leading space.
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

/** Whether something visible sits beside `node` within its block, on the given side. */
function inlineContent(node: DomNode, side: 'before' | 'after'): boolean {
  for (let current: DomNode | null = node; current; current = current.parentNode) {
    if (current !== node && BLOCK_ELEMENTS.has(current.nodeName)) return false;
    let sibling = side === 'before' ? current.previousSibling : current.nextSibling;
    for (; sibling; sibling = side === 'before' ? sibling.previousSibling : sibling.nextSibling) {
      if (BLOCK_ELEMENTS.has(sibling.nodeName)) return false;
      if (visible(sibling)) return true;
    }
  }
  return false;
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
  const code = new Set<number>();
  for (const token of blockParser.parse(markdown, {})) {
    if ((token.type === 'fence' || token.type === 'code_block') && token.map) {
      for (let line = token.map[0]; line < token.map[1]; line++) code.add(line);
    }
  }
  const lines: string[] = [];
  let blank = true;
  markdown.split('\n').forEach((line, i) => {
    if (code.has(i)) {
      lines.push(line);
      blank = false;
      return;
    }
    const trimmed = line.trimEnd();
    if (trimmed === '' && blank) return;
    lines.push(trimmed);
    blank = trimmed === '';
  });
  const text = lines.join('\n').trimEnd();
  return text === '' ? '' : `${text}\n`;
}
