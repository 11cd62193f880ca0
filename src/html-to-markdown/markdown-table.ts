/**
 * HTML tables as GFM pipe tables: never left as HTML, every pipe in a cell escaped on its own
 * (`||` stays two pipes), and every row, the header row too, as wide as the widest.
 */
import { type ConversionRule, type DomNode, attr, children } from './dom.ts';

const TABLE = new Set(['TABLE']);
const CELLS = new Set(['TD', 'TH']);
const SECTIONS = new Set(['THEAD', 'TBODY', 'TFOOT']);
/** More than this is a broken attribute, not a layout. */
const MAX_COLSPAN = 100;
const ALIGN = /text-align:\s*(left|right|center)/i;

interface Cell {
  text: string;
  align: string;
}

/** The rules, and whether a node sits in a cell of a table that becomes a pipe table. */
export function tableRules(): {
  rules: Record<string, ConversionRule>;
  inTableCell: (node: DomNode) => boolean;
} {
  /** Cells and captions convert before their table; the table rule reads their Markdown here. */
  const converted = new WeakMap<DomNode, string>();
  const layout = new WeakMap<DomNode, boolean>();

  const isLayout = (table: DomNode): boolean => {
    let known = layout.get(table);
    if (known === undefined) {
      known = isLayoutTable(table);
      layout.set(table, known);
    }
    return known;
  };
  const owningTable = (node: DomNode): DomNode | null => {
    for (let up = node.parentNode; up; up = up.parentNode) {
      if (TABLE.has(up.nodeName)) return up;
    }
    return null;
  };
  const inTableCell = (node: DomNode): boolean => {
    for (let up = node.parentNode; up; up = up.parentNode) {
      if (CELLS.has(up.nodeName)) {
        const table = owningTable(up);
        return table !== null && !isLayout(table);
      }
    }
    return false;
  };

  const rules: Record<string, ConversionRule> = {
    tableCell: {
      filter: ['th', 'td'],
      replacement: (content, node) => {
        const table = owningTable(node);
        if (!table || isLayout(table)) return `\n\n${content}\n\n`;
        converted.set(node, content);
        return '';
      },
    },
    tableRow: {
      filter: 'tr',
      replacement: (content, node) => {
        const table = owningTable(node);
        return !table || isLayout(table) ? `\n\n${content}\n\n` : '';
      },
    },
    tableCaption: {
      filter: 'caption',
      replacement: (content, node) => {
        const table = owningTable(node);
        if (!table || isLayout(table)) return `\n\n${content}\n\n`;
        converted.set(node, content);
        return '';
      },
    },
    table: {
      filter: 'table',
      replacement: (content, node) => {
        if (isLayout(node)) return `\n\n${content}\n\n`;
        return `\n\n${pipeTable(node, (cell) => converted.get(cell) ?? '')}\n\n`;
      },
    },
  };
  return { rules, inTableCell };
}

/** A table used for layout (a single cell, or tables inside it) is read as its cells' content. */
function isLayoutTable(table: DomNode): boolean {
  const rows = tableRows(table);
  if (rows.length === 0) return true;
  if (rows.length === 1 && rowCells(rows[0] as DomNode).length <= 1) return true;
  const nested = (node: DomNode): boolean =>
    children(node).some((child) => child.nodeName === 'TABLE' || nested(child));
  return nested(table);
}

/** The table's own rows, in document order (not those of tables nested in its cells). */
function tableRows(table: DomNode): DomNode[] {
  const rows: DomNode[] = [];
  for (const child of children(table)) {
    if (child.nodeName === 'TR') rows.push(child);
    else if (SECTIONS.has(child.nodeName)) {
      rows.push(...children(child).filter((row) => row.nodeName === 'TR'));
    }
  }
  return rows;
}

function rowCells(row: DomNode): DomNode[] {
  return children(row).filter((cell) => CELLS.has(cell.nodeName));
}

function pipeTable(table: DomNode, converted: (cell: DomNode) => string): string {
  const rows = tableRows(table)
    .map((row) => ({ row, cells: rowCells(row) }))
    .filter(({ cells }) => cells.length > 0);
  const grid = rows.map(({ cells }) =>
    cells.flatMap((cell) => {
      const span = Math.min(
        MAX_COLSPAN,
        Math.max(1, Number.parseInt(attr(cell, 'colspan') ?? '1', 10) || 1),
      );
      const first: Cell = { text: cellMarkdown(converted(cell)), align: cellAlign(cell) };
      // A spanning cell is followed by empty ones, so every row has the same number of cells.
      const rest: Cell[] = Array.from({ length: span - 1 }, () => ({
        text: '',
        align: first.align,
      }));
      return [first, ...rest];
    }),
  );
  const width = Math.max(0, ...grid.map((cells) => cells.length));
  if (width === 0) return '';

  const first = rows[0];
  const hasHeader =
    first !== undefined &&
    (first.row.parentNode?.nodeName === 'THEAD' ||
      first.cells.every((cell) => cell.nodeName === 'TH'));
  const header = hasHeader ? (grid.shift() ?? []) : [];
  const aligns = Array.from({ length: width }, (_, i) => (header[i] ?? grid[0]?.[i])?.align ?? '');

  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const padded = (cells: Cell[]) =>
    line(Array.from({ length: width }, (_, i) => cells[i]?.text ?? ''));
  const caption = children(table).find((child) => child.nodeName === 'CAPTION');
  const captionText = caption ? converted(caption).replace(/\s+/g, ' ').trim() : '';
  return [
    ...(captionText ? [captionText, ''] : []),
    padded(header),
    line(aligns.map(delimiter)),
    ...grid.map(padded),
  ].join('\n');
}

/** A cell holds one line: breaks become `<br>`, and every pipe is escaped on its own. */
function cellMarkdown(content: string): string {
  return content
    .trim()
    .replace(/\s*\n+\s*/g, '<br>')
    .replace(/\|/g, '\\|');
}

function cellAlign(cell: DomNode): string {
  const align = (
    attr(cell, 'align') ??
    ALIGN.exec(attr(cell, 'style') ?? '')?.[1] ??
    ''
  ).toLowerCase();
  return align === 'left' || align === 'right' || align === 'center' ? align : '';
}

function delimiter(align: string): string {
  if (align === 'left') return ':---';
  if (align === 'right') return '---:';
  if (align === 'center') return ':---:';
  return '---';
}
