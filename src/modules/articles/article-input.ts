/**
 * Turns an article request (JSON fields plus the front matter inside `body_markdown`) into the
 * changes to make. Front matter wins over JSON, as on DEV.
 */
import { type FieldError, validationFailed } from '../../errors.ts';
import { type FrontMatterSplit, splitFrontMatter } from '../../render/front-matter.ts';
import {
  checkBody,
  checkHttpUrl,
  checkStorable,
  checkTags,
  checkTitle,
  DESCRIPTION_MAX,
  normalizeTags,
  SERIES_MAX,
} from './articles.rules.ts';
import type { ArticleInput } from './articles.schemas.ts';

/** The `article` object of a create or update request, typed by the schema that checks it. */
export type { ArticleInput };

/** What a request asks to change; absent fields stay as they are. */
export interface ArticleChanges {
  title?: string;
  bodyMarkdown?: string;
  /** The Markdown without its front matter, when `bodyMarkdown` is given. */
  content?: string;
  published?: boolean;
  description?: string | null;
  tags?: string[];
  canonicalUrl?: string | null;
  coverImage?: string | null;
  series?: string | null;
  publishedAt?: Date;
}

type Raw = Record<string, unknown>;

/** Front matter keys and the JSON fields they stand for. */
const FRONT_MATTER_KEYS: Record<string, keyof ArticleInput> = {
  title: 'title',
  published: 'published',
  description: 'description',
  tags: 'tags',
  canonical_url: 'canonical_url',
  cover_image: 'cover_image',
  main_image: 'cover_image',
  series: 'series',
  date: 'published_at',
  published_at: 'published_at',
};

function fromFrontMatter(data: Raw, errors: FieldError[]): Raw {
  const out: Raw = {};
  for (const [key, value] of Object.entries(data)) {
    const field = FRONT_MATTER_KEYS[key];
    if (!field) continue;
    if (value instanceof Date) out[field] = value.toISOString();
    else if (typeof value === 'number' && field !== 'published') out[field] = String(value);
    else if (field === 'tags' && Array.isArray(value)) out[field] = value.map(String);
    else if (value === null || typeof value === 'string' || typeof value === 'boolean')
      out[field] = value;
    else errors.push({ field: key, message: `Front matter "${key}" has an unsupported value` });
  }
  return out;
}

const blankToNull = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? null : value;

/**
 * `frontMatter`, when given, is the front matter of `input.body_markdown` as splitFrontMatter
 * reads it, from whoever just wrote that Markdown (the importer), so it is not parsed again.
 */
export function parseArticleInput(
  input: ArticleInput,
  frontMatter?: FrontMatterSplit,
): ArticleChanges {
  const errors: FieldError[] = [];
  const merged: Raw = { ...input };
  if (input.tag_list !== undefined && input.tags === undefined) merged.tags = input.tag_list;
  if (input.main_image !== undefined && input.cover_image === undefined)
    merged.cover_image = input.main_image;
  const changes: ArticleChanges = {};

  if (typeof input.body_markdown === 'string') {
    const body = input.body_markdown;
    const invalid = checkBody(body) ?? checkStorable('body_markdown', body);
    if (invalid) throw validationFailed([invalid]);
    const { data, body: content } = frontMatter ?? splitFrontMatter(body);
    if (data) Object.assign(merged, fromFrontMatter(data, errors));
    changes.bodyMarkdown = body;
    changes.content = content;
  }

  const text = (field: string): string | null | undefined => {
    const value = blankToNull(merged[field]);
    if (value === undefined || value === null) return value;
    if (typeof value !== 'string') {
      errors.push({ field, message: `${field} must be text` });
      return undefined;
    }
    const bad = checkStorable(field, value);
    if (bad) errors.push(bad);
    return value.trim();
  };

  if (merged.title !== undefined) {
    const title = typeof merged.title === 'string' ? merged.title.trim() : '';
    const bad = checkTitle(title) ?? checkStorable('title', title);
    if (bad) errors.push(bad);
    changes.title = title;
  }
  if (merged.published !== undefined) {
    if (typeof merged.published === 'boolean') changes.published = merged.published;
    else errors.push({ field: 'published', message: 'Published must be true or false' });
  }
  const description = text('description');
  if (description !== undefined) {
    if (description !== null && description.length > DESCRIPTION_MAX) {
      errors.push({
        field: 'description',
        message: `Description is too long (maximum is ${DESCRIPTION_MAX} characters)`,
      });
    }
    changes.description = description;
  }
  if (merged.tags !== undefined && merged.tags !== null) {
    const raw = merged.tags;
    if (
      typeof raw === 'string' ||
      (Array.isArray(raw) && raw.every((t) => typeof t === 'string'))
    ) {
      changes.tags = normalizeTags(raw);
      errors.push(...checkTags(changes.tags));
    } else {
      errors.push({
        field: 'tags',
        message: 'Tags must be a comma-separated string or a list of strings',
      });
    }
  } else if (merged.tags === null) {
    changes.tags = [];
  }
  for (const [field, key] of [
    ['canonical_url', 'canonicalUrl'],
    ['cover_image', 'coverImage'],
  ] as const) {
    const value = text(field);
    if (value === undefined) continue;
    const bad = value === null ? null : checkHttpUrl(field, value);
    if (bad) errors.push(bad);
    changes[key] = value;
  }
  const series = text('series');
  if (series !== undefined) {
    if (series !== null && series.length > SERIES_MAX) {
      errors.push({
        field: 'series',
        message: `Series is too long (maximum is ${SERIES_MAX} characters)`,
      });
    }
    changes.series = series;
  }
  const publishedAt = text('published_at');
  if (publishedAt) {
    const date = new Date(publishedAt);
    if (Number.isNaN(date.getTime()))
      errors.push({ field: 'published_at', message: 'Published at is not a valid date' });
    else changes.publishedAt = date;
  }

  if (errors.length > 0) throw validationFailed(errors);
  return changes;
}
