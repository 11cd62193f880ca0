/**
 * A feed item's title, categories and content mapped onto a Quire article: a title within
 * Forem's limit, tags under Quire's tag rules, a body_markdown with DEV-style front matter.
 */
import { stringify } from 'yaml';
import type { FrontMatterSplit } from '../../render/front-matter.ts';
import { TAGS_MAX, TITLE_MAX, checkTags, normalizeTags } from '../articles/articles.rules.ts';
import { htmlToMarkdown } from '../../html-to-markdown/html-to-markdown.ts';

/**
 * The title as one line of at most TITLE_MAX characters (code points, as checkTitle counts),
 * cut at the last word boundary; a single word longer than that is cut where it reaches it.
 */
export function importTitle(title: string | null, fallback: string): string {
  const text = oneLine(title ?? '');
  if (text === '') return fallback === '' ? '' : importTitle(fallback, '');
  const chars = [...text];
  if (chars.length <= TITLE_MAX) return text;
  const head = chars.slice(0, TITLE_MAX).join('');
  if (chars[TITLE_MAX] === ' ') return head;
  const space = head.lastIndexOf(' ');
  return space > 0 ? head.slice(0, space) : head;
}

/** Whitespace and control characters collapsed to single spaces; lone surrogates repaired. */
function oneLine(text: string): string {
  return text
    .toWellFormed()
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim();
}

/**
 * Categories as Quire tags: `Web Development` -> `webdevelopment`, `C++` -> `c`, `node.js` ->
 * `nodejs`. Accents are dropped rather than the letters under them (`Café` -> `cafe`). Tags too
 * long for Quire are dropped, not cut; the first TAGS_MAX that remain are kept, in order.
 */
export function importTags(categories: readonly string[]): string[] {
  const stripped = categories.map((category) =>
    category
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, ''),
  );
  return normalizeTags(stripped)
    .filter((tag) => checkTags([tag]).length === 0)
    .slice(0, TAGS_MAX);
}

export interface ImportedArticle {
  title: string;
  html: string | null;
  tags: string[];
  canonicalUrl: string | null;
  date: Date | null;
  published: boolean;
  coverImage?: string | null;
}

/**
 * The article's body_markdown, and its front matter as Quire's parser reads it back, so the
 * article rules can take the values without parsing the YAML just written.
 */
export interface ImportedBody {
  markdown: string;
  frontMatter: FrontMatterSplit;
}

/** The article's body_markdown: front matter, a blank line, then the item's HTML as Markdown. */
export function importBody(input: ImportedArticle, baseUrl: string | null): ImportedBody {
  const data: Record<string, string | boolean> = {
    title: input.title,
    published: input.published,
  };
  if (input.tags.length > 0) data.tags = input.tags.join(', ');
  if (input.canonicalUrl) data.canonical_url = input.canonicalUrl;
  if (input.coverImage) data.cover_image = input.coverImage;
  if (input.date) data.date = input.date.toISOString();
  // YAML 1.1 output quotes `yes`, `no`, `on` and dates too, so DEV's own (1.1) parser reads
  // the same strings Quire's 1.2 parser does; `compat: 'core'` quotes what only the 1.2 core
  // schema would read as another type (`0o12`), so every value reads back exactly as `data`.
  // lineWidth 0 keeps long titles on one line.
  const yaml = stringify(data, { version: '1.1', compat: 'core', lineWidth: 0 });
  const body = input.html === null ? '' : htmlToMarkdown(input.html, baseUrl);
  return {
    markdown: `---\n${yaml}---\n\n${body}`,
    frontMatter: { data, body: `\n${body}` },
  };
}

export function importMarkdown(input: ImportedArticle, baseUrl: string | null): string {
  return importBody(input, baseUrl).markdown;
}
