/**
 * The tree the HTML-to-Markdown conversion walks: elements, text and comments as the HTML parser
 * builds them, with the DOM names the conversion rules read (`nodeName`, `parentNode`, ...).
 */
import { type DomNode, ELEMENT_NODE, TEXT_NODE } from './dom.ts';

const COMMENT_NODE = 8;

/** HTML elements, or SVG and MathML ones (whose names stay lowercase, as in the DOM). */
export type Namespace = 'html' | 'svg' | 'math';

export class HtmlNode implements DomNode {
  readonly nodeType: number;
  /** Uppercase for HTML elements, as the DOM has it; `#text` and `#comment` otherwise. */
  readonly nodeName: string;
  /** The lowercase tag name the parser matches on. */
  readonly localName: string;
  readonly namespace: Namespace;
  nodeValue: string | null;
  readonly attributes: Record<string, string> | null;
  parentNode: HtmlNode | null = null;
  childNodes: HtmlNode[] = [];
  /** Set once the tree is final, before conversion. */
  previousSibling: HtmlNode | null = null;
  nextSibling: HtmlNode | null = null;
  /**
   * Set by the Markdown writer before it walks the tree: the whitespace the node's text starts
   * with (all of it when the text is only whitespace) and ends with, whether the text is only
   * whitespace, and whether an element below it is kept even when it has no text (an image,
   * a link, a table cell...).
   */
  leadingSpace = '';
  trailingSpace = '';
  blankText = true;
  holdsKept = false;

  constructor(
    nodeType: number,
    localName: string,
    namespace: Namespace,
    value: string | null,
    attributes: Record<string, string> | null,
  ) {
    this.nodeType = nodeType;
    this.localName = localName;
    this.namespace = namespace;
    this.nodeName =
      nodeType === TEXT_NODE
        ? '#text'
        : nodeType === COMMENT_NODE
          ? '#comment'
          : namespace === 'html'
            ? localName.toUpperCase()
            : localName;
    this.nodeValue = value;
    this.attributes = attributes;
  }

  static element(
    localName: string,
    attributes: Record<string, string>,
    namespace: Namespace = 'html',
  ): HtmlNode {
    return new HtmlNode(ELEMENT_NODE, localName, namespace, null, attributes);
  }

  static text(data: string): HtmlNode {
    return new HtmlNode(TEXT_NODE, '', 'html', data, null);
  }

  static comment(data: string): HtmlNode {
    return new HtmlNode(COMMENT_NODE, '', 'html', data, null);
  }

  is(localName: string): boolean {
    return this.namespace === 'html' && this.localName === localName;
  }

  get textContent(): string {
    if (this.nodeType !== ELEMENT_NODE) return this.nodeValue ?? '';
    let text = '';
    for (const child of this.childNodes) {
      if (child.nodeType !== COMMENT_NODE) text += child.textContent;
    }
    return text;
  }

  getAttribute(name: string): string | null {
    const attributes = this.attributes;
    return attributes !== null && Object.hasOwn(attributes, name)
      ? (attributes[name] ?? null)
      : null;
  }

  /** Inserts `child` before `before` (at the end when null), taking it from where it was. */
  insert(child: HtmlNode, before: HtmlNode | null = null): void {
    child.detach();
    child.parentNode = this;
    const at = before === null ? -1 : this.childNodes.lastIndexOf(before);
    if (at === -1) this.childNodes.push(child);
    else this.childNodes.splice(at, 0, child);
  }

  detach(): void {
    const parent = this.parentNode;
    if (parent === null) return;
    const at = parent.childNodes.lastIndexOf(this);
    if (at !== -1) parent.childNodes.splice(at, 1);
    this.parentNode = null;
  }
}
