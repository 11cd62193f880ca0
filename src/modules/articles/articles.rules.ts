/** Forem's rules for an article's fields, applied to JSON input and to front matter alike. */
import type { FieldError } from '../../errors.ts';

export const TITLE_MAX = 128;
export const TAGS_MAX = 4;
export const TAG_MAX = 30;
/** 800 KiB of UTF-8, as Forem's limit on `body_markdown`. */
export const BODY_MAX_BYTES = 800 * 1024;
export const DESCRIPTION_MAX = 300;
export const SERIES_MAX = 128;
export const URL_MAX = 2048;

const TAG = /^[a-z0-9]+$/;

/** Whether an article could carry this (normalized) tag. */
export const isTagName = (tag: string) => TAG.test(tag);

/** Tags as given (a comma-separated string or a list), normalized: trimmed, lowercase, no `#`. */
export function normalizeTags(value: string | readonly string[]): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  const out: string[] = [];
  for (const raw of list) {
    const tag = raw.trim().replace(/^#+/, '').toLowerCase();
    if (tag !== '' && !out.includes(tag)) out.push(tag);
  }
  return out;
}

export function checkTags(tags: string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (tags.length > TAGS_MAX) {
    errors.push({ field: 'tags', message: `Tag list exceeds the maximum of ${TAGS_MAX} tags` });
  }
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      errors.push({ field: 'tags', message: `Tag "${tag}" contains non-alphanumeric characters` });
    } else if (tag.length > TAG_MAX) {
      errors.push({
        field: 'tags',
        message: `Tag "${tag}" is too long (maximum is ${TAG_MAX} characters)`,
      });
    }
  }
  return errors;
}

export function checkTitle(title: string): FieldError | null {
  if (title.trim() === '') return { field: 'title', message: "Title can't be blank" };
  if ([...title].length > TITLE_MAX) {
    return { field: 'title', message: `Title is too long (maximum is ${TITLE_MAX} characters)` };
  }
  return null;
}

export function checkBody(body: string): FieldError | null {
  if (Buffer.byteLength(body, 'utf8') > BODY_MAX_BYTES) {
    return {
      field: 'body_markdown',
      message: `Body markdown is too long (maximum is ${BODY_MAX_BYTES} bytes)`,
    };
  }
  return null;
}

/** An absolute http(s) URL, or the reason it is not one. */
export function checkHttpUrl(field: string, value: string): FieldError | null {
  const label = field.replace(/_/g, ' ');
  if (value.length > URL_MAX) return { field, message: `${label} is too long` };
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return null;
  } catch {
    // falls through to the error below
  }
  return {
    field,
    message: `${label[0]?.toUpperCase()}${label.slice(1)} must be an http or https URL`,
  };
}

/** Text that both databases store faithfully: no NUL characters, no lone surrogates. */
export function checkStorable(field: string, value: string): FieldError | null {
  if (value.includes('\u0000') || !value.isWellFormed()) {
    return { field, message: `${field} contains characters that cannot be stored` };
  }
  return null;
}
