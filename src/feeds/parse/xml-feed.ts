/**
 * RSS, RDF and Atom documents: a well-formedness check, then feedsmith, then the normalizers.
 * Callers must have run the entity guard first; this layer only promises never to expand entities.
 */
import { XMLValidator } from 'fast-xml-parser';
import {
  DetectError,
  MalformedError,
  ParseError,
  parseAtomFeed,
  parseRdfFeed,
  parseRssFeed,
} from 'feedsmith';
import { FeedError, type ParsedFeed } from '../parsed.ts';
import { normalizeAtom } from './normalize-atom.ts';
import { normalizeRdf } from './normalize-rdf.ts';
import { normalizeRss } from './normalize-rss.ts';
import type { XmlFeedFormat } from './sniff.ts';

const NAMES: Record<XmlFeedFormat, string> = { rss: 'RSS', rdf: 'RDF', atom: 'Atom' };

export function parseXmlFeed(
  text: string,
  format: XmlFeedFormat,
  documentUrl: string | null,
): ParsedFeed {
  // PHP feeds often lead with blank lines, which strict XML forbids before the declaration.
  const source = text.trimStart();
  // feedsmith is lenient by design (it reads "<title>a & b" or an unclosed <br>); a feed that
  // is not well-formed XML is refused, so what we import is what any XML reader would see.
  const verdict = XMLValidator.validate(source);
  if (verdict !== true) {
    const { line, col, msg } = verdict.err;
    throw new FeedError('malformed', `malformed XML at line ${line}, column ${col}: ${msg}`);
  }
  // feedsmith's parsers run fast-xml-parser with processEntities off: "&name;" stays literal
  // and external entities are rejected, so even an unguarded document cannot expand.
  try {
    if (format === 'rss') return normalizeRss(parseRssFeed(source), documentUrl);
    if (format === 'rdf') return normalizeRdf(parseRdfFeed(source), documentUrl);
    return normalizeAtom(parseAtomFeed(source), documentUrl);
  } catch (error) {
    throw translate(error, NAMES[format]);
  }
}

function translate(error: unknown, name: string): unknown {
  if (error instanceof MalformedError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new FeedError('malformed', `malformed ${name} document${cause}`);
  }
  if (error instanceof DetectError) {
    return new FeedError('not_a_feed', `the document has a ${name} root but is not a ${name} feed`);
  }
  if (error instanceof ParseError) {
    return new FeedError('empty', `the ${name} feed is empty: it has no channel or entries`);
  }
  return error;
}
