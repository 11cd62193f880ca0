/**
 * The rules for elements the importer's own rules leave alone: paragraphs, lists, rules,
 * emphasis, strikethrough, task-list checkboxes and the parts of a table, and the fallback that
 * keeps an unknown element's content (as a block when the element is one).
 */
import { LAYOUT_BLOCKS } from './collapse-whitespace.ts';
import { type ConversionRule, type DomNode, ELEMENT_NODE, attr } from './dom.ts';

export const DEFAULT_RULES: readonly ConversionRule[] = [
  {
    // A checkbox in a list item (directly, or in a label or span there): `[x] ` or `[ ] `.
    filter: (node) => isCheckbox(node) && inListItem(node),
    replacement: (_content, node) => (isChecked(node) ? '[x] ' : '[ ] '),
    ignoresContent: true,
  },
  { filter: ['del', 's', 'strike'], replacement: (content) => `~~${content}~~` },
  // The table rules read rows wherever they sit; sections add nothing of their own.
  { filter: ['thead', 'tbody', 'tfoot'], replacement: (content) => content },
  { filter: ['colgroup', 'col'], replacement: () => '', ignoresContent: true },
  { filter: 'p', replacement: (content) => `\n\n${content}\n\n` },
  {
    filter: ['ul', 'ol'],
    // A list that ends its item follows the item's text on the next line.
    replacement: (content, node) =>
      node.parentNode?.nodeName === 'LI' && lastElementChild(node.parentNode) === node
        ? `\n${content}`
        : `\n\n${content}\n\n`,
  },
  { filter: 'hr', replacement: () => '\n\n---\n\n', ignoresContent: true },
  {
    filter: ['em', 'i'],
    replacement: (content) => (content.trim() === '' ? '' : `*${content}*`),
  },
  {
    filter: ['strong', 'b'],
    replacement: (content) => (content.trim() === '' ? '' : `**${content}**`),
  },
];

export const fallbackRule: ConversionRule = {
  filter: () => true,
  replacement: (content, node) =>
    LAYOUT_BLOCKS.has(node.nodeName) ? `\n\n${content}\n\n` : content,
};

function isCheckbox(node: DomNode): boolean {
  if (node.nodeName === 'INPUT' && attr(node, 'type')?.toLowerCase() === 'checkbox') return true;
  return attr(node, 'role') === 'checkbox';
}

function isChecked(node: DomNode): boolean {
  return node.nodeName === 'INPUT'
    ? attr(node, 'checked') !== null
    : attr(node, 'aria-checked') === 'true';
}

function inListItem(node: DomNode): boolean {
  const parent = node.parentNode;
  if (parent?.nodeName === 'LI') return true;
  const wrapper = parent?.nodeName === 'LABEL' || parent?.nodeName === 'SPAN';
  return wrapper && parent.parentNode?.nodeName === 'LI';
}

function lastElementChild(node: DomNode): DomNode | undefined {
  return node.childNodes.findLast((child) => child.nodeType === ELEMENT_NODE);
}
