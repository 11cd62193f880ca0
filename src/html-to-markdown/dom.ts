/**
 * The slice of the DOM that the HTML-to-Markdown rules read (the parsed tree of html-node.ts
 * provides it), and the shape of a rule.
 */

export interface DomNode {
  readonly nodeType: number;
  /** Uppercase for HTML elements (`P`, `CODE`), as in the DOM. */
  readonly nodeName: string;
  readonly nodeValue: string | null;
  readonly textContent: string | null;
  readonly parentNode: DomNode | null;
  readonly childNodes: readonly DomNode[];
  readonly previousSibling: DomNode | null;
  readonly nextSibling: DomNode | null;
  getAttribute?(name: string): string | null;
}

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;

/**
 * How the elements a filter selects become Markdown: `filter` names are lowercase tag names;
 * `content` is the element's children already converted.
 */
export interface ConversionRule {
  filter: string | string[] | ((node: DomNode) => boolean);
  replacement: (content: string, node: DomNode) => string;
  /** The replacement reads the node itself, so its children need not be converted first. */
  ignoresContent?: boolean;
}

/** Elements the rules treat as blocks when they look for content beside a node. */
export const BLOCK_ELEMENTS = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'AUDIO',
  'BLOCKQUOTE',
  'BODY',
  'CANVAS',
  'CENTER',
  'DD',
  'DETAILS',
  'DIR',
  'DIV',
  'DL',
  'DT',
  'FIELDSET',
  'FIGCAPTION',
  'FIGURE',
  'FOOTER',
  'FORM',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HR',
  'HTML',
  'LI',
  'MAIN',
  'MENU',
  'NAV',
  'OL',
  'P',
  'PRE',
  'SECTION',
  'SUMMARY',
  'TABLE',
  'TBODY',
  'TD',
  'TFOOT',
  'TH',
  'THEAD',
  'TR',
  'UL',
]);

export function attr(node: DomNode, name: string): string | null {
  return node.nodeType === ELEMENT_NODE && node.getAttribute ? node.getAttribute(name) : null;
}

export function classes(node: DomNode): string[] {
  return (attr(node, 'class') ?? '').split(/\s+/).filter((name) => name !== '');
}

export function children(node: DomNode): readonly DomNode[] {
  return node.childNodes;
}

/** The nearest ancestor (not the node itself) named one of `names`, stopping at `stop`. */
export function closest(
  node: DomNode,
  names: ReadonlySet<string>,
  stop: ReadonlySet<string> = new Set(),
): DomNode | null {
  for (let up = node.parentNode; up; up = up.parentNode) {
    if (names.has(up.nodeName)) return up;
    if (stop.has(up.nodeName)) return null;
  }
  return null;
}

export function someDescendant(node: DomNode, test: (node: DomNode) => boolean): boolean {
  return children(node).some((child) => test(child) || someDescendant(child, test));
}
