/**
 * Accented Latin letters and their base letter (`é` → `e`, `Ł` stays: it has no decomposition),
 * from Unicode's canonical decompositions: what both full-text indexes fold and nothing more.
 * FTS5 folds them as it tokenizes (`remove_diacritics 2`); PostgreSQL by a function written
 * with this table (migrations 0011 and 0013); a query's words by `foldLatin`, so that a word is
 * looked up as it was indexed. Letters of other scripts keep their marks: neither index removes
 * them (`й` is not `и`).
 */

/** The blocks the folded letters come from: Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional. */
export const FOLDED_BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [0xc0, 0x24f],
  [0x1e00, 0x1eff],
];

/** The table, as the two strings of a `translate`: each letter of `from` becomes that of `to`. */
export function latinFolds(): { from: string; to: string } {
  let from = '';
  let to = '';
  for (const [start, end] of FOLDED_BLOCKS)
    for (let code = start; code <= end; code++) {
      const char = String.fromCodePoint(code);
      const base = char.normalize('NFD').replace(/\p{M}/gu, '');
      if (base !== char && /^[A-Za-z]$/.test(base)) {
        from += char;
        to += base;
      }
    }
  return { from, to };
}

let folds: Map<string, string> | undefined;

/** `text` with each accented Latin letter of the table replaced by its base letter. */
export function foldLatin(text: string): string {
  if (!folds) {
    const { from, to } = latinFolds();
    const bases = [...to];
    folds = new Map([...from].map((char, i) => [char, bases[i] as string]));
  }
  const table = folds;
  return text.replace(/[\u00c0-\u024f\u1e00-\u1eff]/gu, (char) => table.get(char) ?? char);
}
