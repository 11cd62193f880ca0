/**
 * The @mentions in Markdown: what a render links (given the accounts that exist) and what
 * notifications tell. Both come from the one rule in mention-rule.ts.
 */
import { parseMarkdown } from './markdown.ts';

/** Most usernames one text can mention; the rest are neither linked nor told. */
export const MENTIONS_MAX = 50;

/**
 * The usernames mentioned in the Markdown, lower case, each once, in order of first appearance,
 * at most MENTIONS_MAX. A mention is `@name` in the text a reader sees: not in code, link text,
 * URLs, image descriptions or raw HTML; not escaped (`\@name`); not after a letter, digit, `_`,
 * `.`, `/`, `@` or `-` (`ada@example.com`); not followed by more name characters or by `@`.
 * Pass the Markdown that is rendered: an article's body without its front matter
 * (`splitFrontMatter(body_markdown).body`), a comment's text as it is. Names are not checked
 * against the accounts here.
 */
export function findMentions(markdown: string): string[] {
  if (!markdown.includes('@')) return [];
  const found: string[] = [];
  parseMarkdown(markdown, { found, limit: MENTIONS_MAX });
  return found;
}
