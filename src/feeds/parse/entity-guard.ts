/**
 * Refuses XML entity declarations before any parser runs: external entities (XXE) and entity
 * expansion (billion laughs) both need a <!ENTITY> declaration.
 */
import { FeedError } from '../parsed.ts';

// Deliberately blunt: any "<!ENTITY" anywhere, whatever the case, even where a parser would call
// it a comment, CDATA or a quoted value. Working out where a DTD really ends is exactly what an
// attacker would try to confuse, and legitimate feeds escape "<" in content, so nothing is lost.
const ENTITY_DECLARATION = /<!ENTITY/i;

export function refuseEntityDeclarations(text: string): void {
  if (ENTITY_DECLARATION.test(text)) {
    throw new FeedError(
      'entities_refused',
      'the document declares XML entities (<!ENTITY ...>); entity declarations are refused because they enable external entity (XXE) and entity expansion attacks',
    );
  }
}
