/**
 * HTML to a tree, the way a browser parses it: parse5 (the HTML standard's tokenizer and tree
 * construction: implied end tags, misnested formatting, tables and their foster parent, SVG and
 * MathML) building the HtmlNode tree the conversion walks, through a tree adapter.
 */
import {
  html as htmlNs,
  parse,
  type Token,
  type TreeAdapter,
  type TreeAdapterTypeMap,
} from 'parse5';
import { ELEMENT_NODE, TEXT_NODE } from './dom.ts';
import { HtmlNode, type Namespace } from './html-node.ts';

const DOCUMENT_NODE = 9;
const FRAGMENT_NODE = 11;
const COMMENT_NODE = 8;

const NAMESPACES: Record<string, Namespace> = {
  [htmlNs.NS.HTML]: 'html',
  [htmlNs.NS.SVG]: 'svg',
  [htmlNs.NS.MATHML]: 'math',
};
const URIS: Record<Namespace, htmlNs.NS> = {
  html: htmlNs.NS.HTML,
  svg: htmlNs.NS.SVG,
  math: htmlNs.NS.MATHML,
};

/** Thrown from inside the parser to stop at once when elements nest deeper than allowed. */
class NestingTooDeep extends Error {}

/** Every kind of node is an HtmlNode here. */
type Types = TreeAdapterTypeMap<
  HtmlNode,
  HtmlNode,
  HtmlNode,
  HtmlNode,
  HtmlNode,
  HtmlNode,
  HtmlNode,
  HtmlNode,
  HtmlNode,
  HtmlNode
>;

/** A tree adapter building HtmlNodes; elements pushed deeper than `maxDepth` stop the parse. */
function adapter(maxDepth: number): TreeAdapter<Types> {
  const modes = new WeakMap<HtmlNode, htmlNs.DOCUMENT_MODE>();
  const templates = new WeakMap<HtmlNode, HtmlNode>();
  /** A template's content hangs from no parent; its depth counts from the template. */
  const hosts = new WeakMap<HtmlNode, HtmlNode>();
  const setContent = (template: HtmlNode, content: HtmlNode) => {
    templates.set(template, content);
    hosts.set(content, template);
    return content;
  };
  const attributeList = (node: HtmlNode): Token.Attribute[] =>
    Object.entries(node.attributes ?? {}).map(([name, value]) => ({ name, value }));
  const textBefore = (parent: HtmlNode, reference: HtmlNode | null): HtmlNode | null => {
    const children = parent.childNodes;
    const at = reference === null ? children.length : children.lastIndexOf(reference);
    const previous = at > 0 ? children[at - 1] : undefined;
    return previous?.nodeType === TEXT_NODE ? previous : null;
  };
  return {
    createDocument: () => new HtmlNode(DOCUMENT_NODE, '#document', 'html', null, null),
    createDocumentFragment: () => new HtmlNode(FRAGMENT_NODE, '#fragment', 'html', null, null),
    createElement: (tagName, namespaceURI, attrs) => {
      const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const { name, value, prefix } of attrs) {
        const key = prefix ? `${prefix}:${name}` : name;
        if (!Object.hasOwn(attributes, key)) attributes[key] = value;
      }
      return HtmlNode.element(tagName, attributes, NAMESPACES[namespaceURI] ?? 'html');
    },
    createCommentNode: (data) => HtmlNode.comment(data),
    createTextNode: (value) => HtmlNode.text(value),
    appendChild: (parent, node) => parent.insert(node),
    insertBefore: (parent, node, reference) => parent.insert(node, reference),
    detachNode: (node) => node.detach(),
    insertText: (parent, text) => {
      const last = textBefore(parent, null);
      if (last) last.nodeValue = (last.nodeValue ?? '') + text;
      else parent.insert(HtmlNode.text(text));
    },
    insertTextBefore: (parent, text, reference) => {
      const previous = textBefore(parent, reference);
      if (previous) previous.nodeValue = (previous.nodeValue ?? '') + text;
      else parent.insert(HtmlNode.text(text), reference);
    },
    adoptAttributes: (recipient, attrs) => {
      const attributes = recipient.attributes;
      if (attributes === null) return;
      for (const { name, value } of attrs) {
        if (!Object.hasOwn(attributes, name)) attributes[name] = value;
      }
    },
    setTemplateContent: (template, content) => {
      setContent(template, content);
    },
    getTemplateContent: (template) =>
      templates.get(template) ??
      setContent(template, new HtmlNode(FRAGMENT_NODE, '#fragment', 'html', null, null)),
    // A doctype inside an item's content means nothing.
    setDocumentType: () => {},
    setDocumentMode: (document, mode) => modes.set(document, mode),
    getDocumentMode: (document) => modes.get(document) ?? htmlNs.DOCUMENT_MODE.NO_QUIRKS,
    getFirstChild: (node) => node.childNodes[0] ?? null,
    getChildNodes: (node) => node.childNodes,
    getParentNode: (node) => node.parentNode,
    getAttrList: attributeList,
    getTagName: (element) => element.localName,
    getNamespaceURI: (element) => URIS[element.namespace],
    getTextNodeContent: (node) => node.nodeValue ?? '',
    getCommentNodeContent: (node) => node.nodeValue ?? '',
    getDocumentTypeNodeName: () => '',
    getDocumentTypeNodePublicId: () => '',
    getDocumentTypeNodeSystemId: () => '',
    isTextNode: (node): node is HtmlNode => node.nodeType === TEXT_NODE,
    isCommentNode: (node): node is HtmlNode => node.nodeType === COMMENT_NODE,
    isDocumentTypeNode: (_node): _node is HtmlNode => false,
    isElementNode: (node): node is HtmlNode => node.nodeType === ELEMENT_NODE,
    setNodeSourceCodeLocation: () => {},
    getNodeSourceCodeLocation: () => undefined,
    updateNodeSourceCodeLocation: () => {},
    // Deep nesting makes the parser's scope checks slow: it stops as soon as it gets too deep.
    onItemPush: (element) => {
      let depth = 0;
      for (let up = element.parentNode; up !== null; up = up.parentNode ?? hosts.get(up) ?? null) {
        if (++depth > maxDepth + WRAPPERS) throw new NestingTooDeep();
      }
    },
  };
}

/**
 * The content is parsed inside an element of its own in the body of a document without a
 * doctype (quirks mode), as an item's HTML sits in a page: a tag cut off at the end
 * (`<img src="a.png" alt="A"`) is then still read, as a browser reads it there.
 */
const CONTAINER = 'quire-content';
const CONTAINER_END = `</${CONTAINER}>`;
/** The document, html, body and container elements above the content. */
const WRAPPERS = 4;

/** The parsed content under one root element; null when it nests deeper than `maxDepth`. */
export function parseHtml(html: string, maxDepth: number): HtmlNode | null {
  let document: HtmlNode;
  try {
    document = parse<Types>(`<${CONTAINER}>${html}${CONTAINER_END}`, {
      treeAdapter: adapter(maxDepth),
      scriptingEnabled: false,
    });
  } catch (error) {
    if (error instanceof NestingTooDeep) return null;
    throw error;
  }
  const root = findContainer(document);
  if (root === null) return HtmlNode.element(CONTAINER, {});
  dropSwallowedEnd(root);
  return depth(root) > maxDepth ? null : root;
}

/** The container element (content that closes it early leaves the rest outside, as in a page). */
function findContainer(document: HtmlNode): HtmlNode | null {
  const pending = [document];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.nodeType === ELEMENT_NODE && node.is(CONTAINER)) return node;
    for (let i = node.childNodes.length - 1; i >= 0; i--) {
      const child = node.childNodes[i];
      if (child) pending.push(child);
    }
  }
  return null;
}

/**
 * Text that runs to the end of the input (an unclosed `<plaintext>` or `<xmp>`) takes the
 * container's end tag in as text; it is not the author's.
 */
function dropSwallowedEnd(root: HtmlNode): void {
  let last: HtmlNode | undefined = root;
  while (last !== undefined && last.nodeType === ELEMENT_NODE) last = last.childNodes.at(-1);
  if (last?.nodeType === TEXT_NODE && last.nodeValue?.endsWith(CONTAINER_END)) {
    last.nodeValue = last.nodeValue.slice(0, -CONTAINER_END.length);
  }
}

/** The deepest element nesting under `root`, without recursion. */
function depth(root: HtmlNode): number {
  let deepest = 0;
  const pending: [HtmlNode, number][] = [[root, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, level] = next;
    if (level > deepest) deepest = level;
    for (const child of node.childNodes) {
      if (child.nodeType === ELEMENT_NODE) pending.push([child, level + 1]);
    }
  }
  return deepest;
}
