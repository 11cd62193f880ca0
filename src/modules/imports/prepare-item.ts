/**
 * One feed item made into an article ready to insert: Markdown with front matter from its HTML,
 * then Quire's own rules and rendering. Pure, so it can run on a worker thread.
 */
import { AppError } from '../../errors.ts';
import { importBody, importTags, importTitle } from './item-mapping.ts';
import type { ParsedItem } from '../../feeds/parsed.ts';
import { type PreparedArticle, prepareArticle } from '../articles/articles.service.ts';

export interface PrepareOptions {
  publish: boolean;
  canonical: boolean;
}

/** The article, or why this item cannot become one. */
export type Prepared = { ok: PreparedArticle } | { refused: string };

export function prepareItem(item: ParsedItem, options: PrepareOptions): Prepared {
  try {
    const title = importTitle(item.title, item.url ?? 'Untitled');
    const { markdown, frontMatter } = importBody(
      {
        title,
        html: item.html,
        tags: importTags(item.categories),
        canonicalUrl: options.canonical ? item.url : null,
        date: item.published ?? item.updated,
        published: options.publish,
      },
      item.url,
    );
    return { ok: prepareArticle({ body_markdown: markdown }, frontMatter) };
  } catch (error) {
    if (error instanceof AppError) return { refused: error.message };
    throw error;
  }
}
