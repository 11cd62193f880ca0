/**
 * The slice of the DOM (domino's, as turndown hands it to rules) that the HTML-to-Markdown rules
 * read, typed here because the project compiles without the DOM library.
 */
import type TurndownService from 'turndown';

export interface DomNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly nodeValue: string | null;
  readonly textContent: string | null;
  readonly parentNode: DomNode | null;
  readonly childNodes: ArrayLike<DomNode>;
  readonly previousSibling: DomNode | null;
  readonly nextSibling: DomNode | null;
  getAttribute?(name: string): string | null;
}

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;

/** A turndown rule over our typed nodes; `filter` names are lowercase tag names. */
export interface ConversionRule {
  filter: string | string[] | ((node: DomNode) => boolean);
  replacement: (content: string, node: DomNode) => string;
}

export function addRules(service: TurndownService, rules: Record<string, ConversionRule>): void {
  for (const [key, rule] of Object.entries(rules)) {
    service.addRule(key, rule as unknown as TurndownService.Rule);
  }
}

/** Elements turndown lays out as blocks, plus the table parts it treats the same way. */
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

export function children(node: DomNode): DomNode[] {
  return Array.from(node.childNodes);
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
