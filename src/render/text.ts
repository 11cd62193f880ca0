/** Plain-text measures of an article: reading time and a default description. */

export const WORDS_PER_MINUTE = 275;

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function readingTimeMinutes(text: string): number {
  return Math.ceil(countWords(text) / WORDS_PER_MINUTE);
}

/** About the first `max` characters of the text, cut on a word boundary. */
export function excerpt(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  // When the cut falls just before a space, the last word is whole and stays.
  const space = flat[max] === ' ' ? max : cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}...`;
}
