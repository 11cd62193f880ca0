/** Writes XML from plain objects with fast-xml-parser's builder, which escapes every text and attribute. */
import { XMLBuilder } from 'fast-xml-parser';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
});

/** `{ '@attr': value }` for attributes; arrays for repeated elements. */
export type XmlNode = { [name: string]: string | XmlNode | XmlNode[] | string[] | undefined };

// Characters XML 1.0 cannot carry at all, not even escaped.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- these are exactly what must go
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function clean<T>(value: T): T {
  if (typeof value === 'string') return value.replace(NOT_XML, '') as T;
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)])) as T;
  }
  return value;
}

export function writeXml(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(clean(root))}`;
}
