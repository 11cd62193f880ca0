/**
 * Independent readers for the feeds Quire writes: rss-parser, fast-xml-parser and a JSON Feed
 * 1.1 schema, plus raw HTTP (no automatic decompression) for the encoding and HEAD checks.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import RssParser from 'rss-parser';

// CommonJS with an ES-style default export: `.default` is the same function at run time.
const addFormats = addFormatsModule.default;

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request over node:http: the bytes exactly as sent, never decompressed. */
export function rawRequest(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, baseUrl),
      { method, headers: { 'accept-encoding': 'identity', ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * A request on a bare socket, read until the server closes it: whatever follows the header
 * block is exactly the body the server sent (node:http would drop it for a HEAD).
 */
export function socketRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ head: string; afterHead: Buffer }> {
  const url = new URL(baseUrl);
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${url.host}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error('no complete header block'));
      resolve({ head: all.subarray(0, end).toString('latin1'), afterHead: all.subarray(end + 4) });
    });
  });
}

/** A header's value from a raw header block (first match, case-insensitive). */
export function headerOf(head: string, name: string): string | undefined {
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export interface RssItemExtras {
  /** Atom entries: rss-parser copies <id> and the first author's <name>. */
  id?: string;
  author?: string;
  categoryNodes?: { $: { term: string } }[];
  updated?: string;
}

/** rss-parser, told about the fields its defaults skip (Atom categories and updated). */
export const rssParser = new RssParser<Record<string, unknown>, RssItemExtras>({
  customFields: { item: [['category', 'categoryNodes', { keepArray: true }], 'updated'] },
});

const REPEATED = new Set([
  'rss.channel.item',
  'rss.channel.item.category',
  'rss.channel.atom:link',
  'feed.link',
  'feed.entry',
  'feed.entry.link',
  'feed.entry.category',
]);

/** fast-xml-parser as a plain XML reader: entities decoded, no trimming, no number guessing. */
const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (_name, jpath) => REPEATED.has(String(jpath)),
});

/** Parses after checking the document is well-formed XML. */
export function readXml(xml: string): any {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  return xmlParser.parse(xml);
}

const orderedParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  preserveOrder: true,
  parseTagValue: false,
});

type Ordered = Record<string, unknown>[];

function elementNames(nodes: Ordered): string[] {
  return nodes.flatMap((n) => Object.keys(n).filter((k) => k !== ':@' && k !== '#text'));
}

function childrenOf(nodes: Ordered, name: string): Ordered {
  const node = nodes.find((n) => name in n);
  if (!node) throw new Error(`no <${name}>`);
  return node[name] as Ordered;
}

/** The element names, in document order, of an RSS channel and of its first item. */
export function rssShape(xml: string): { channel: string[]; item: string[] } {
  const channel = childrenOf(childrenOf(orderedParser.parse(xml) as Ordered, 'rss'), 'channel');
  const names = elementNames(channel);
  return {
    channel: names.filter((n, i) => n !== 'item' || names.indexOf('item') === i),
    item: elementNames(childrenOf(channel, 'item')),
  };
}

const schema = JSON.parse(
  readFileSync(new URL('../fixtures/jsonfeed-1.1.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const ajv = new Ajv({
  strict: true,
  // Off because `anyOf: [{ required: [...] }]` names members defined by the parent schema.
  strictRequired: false,
  allErrors: true,
  logger: {
    log: () => {},
    warn: (...args: unknown[]) => {
      throw new Error(`ajv: ${args.map(String).join(' ')}`);
    },
    error: (...args: unknown[]) => {
      throw new Error(`ajv: ${args.map(String).join(' ')}`);
    },
  },
});
addFormats(ajv);

/** Validates a parsed document against the JSON Feed 1.1 schema; returns the errors, if any. */
export const validateJsonFeed = ajv.compile(schema);

export function jsonFeedErrors(doc: unknown): string[] {
  return validateJsonFeed(doc)
    ? []
    : (validateJsonFeed.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** "Sun, 01 Mar 2026 12:00:00 +0000": RFC 822 (with a four-digit year, as RFC 1123 allows). */
export const RFC822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (\+0000|GMT)$/;

/** An instant to the second, as the API writes `published_at`. */
export const toSecond = (value: string | Date) =>
  new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
