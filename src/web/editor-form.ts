/**
 * The editor's form, read into what the articles service takes: the button pressed, the time to
 * publish at, and the Markdown with its front matter's publication keys made to agree with that
 * button (front matter wins over form fields in the service, as on DEV, so the text must say it);
 * and the preview, rendered by the pipeline a save uses.
 */
import { isMap, isScalar, parseDocument, stringify } from 'yaml';
import type { AppContext } from '../context.ts';
import type { ArticleRow } from '../db/schema.ts';
import { AppError, type FieldError, validationFailed } from '../errors.ts';
import type { PreviewContent } from './templates/editor.ts';
import type { ArticleInput } from '../modules/articles/articles.schemas.ts';
import { tagArray } from '../modules/articles/articles.presenter.ts';
import { prepareArticle, prepareArticleLinked } from '../modules/articles/articles.service.ts';
import { type Form, text } from './page.ts';

export type NewAction = 'preview' | 'draft' | 'publish' | 'schedule';
export type EditAction = 'preview' | 'save' | 'publish' | 'schedule' | 'unpublish' | 'delete';

const NEW_ACTIONS: readonly string[] = ['preview', 'draft', 'publish', 'schedule'];
const EDIT_ACTIONS: readonly string[] = [
  'preview',
  'save',
  'publish',
  'schedule',
  'unpublish',
  'delete',
];

function action<T extends string>(value: string, allowed: readonly string[]): T {
  if (!allowed.includes(value)) throw new AppError('bad_request', 'Choose one of the buttons');
  return value as T;
}

export const newAction = (value: string) => action<NewAction>(value, NEW_ACTIONS);
export const editAction = (value: string) => action<EditAction>(value, EDIT_ACTIONS);

/** The front matter a new article starts with: the keys DEV's editor offers. */
export const NEW_ARTICLE_TEMPLATE = `---
title:
published: false
description:
tags:
cover_image:
canonical_url:
series:
---

`;

/** Browsers send a textarea's line breaks as CRLF; the article keeps the author's LF. */
export const typedMarkdown = (value: string) => value.replace(/\r\n?/g, '\n');

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/;

/** The schedule field (`datetime-local`, read as UTC): a real time, in the future. */
export function scheduleTime(value: string, now: Date): Date {
  const at = new Date(`${value}Z`);
  const real =
    LOCAL_DATE_TIME.test(value) &&
    !Number.isNaN(at.getTime()) &&
    at.toISOString().slice(0, 16) === value.slice(0, 16);
  if (!real) {
    throw validationFailed([
      { field: 'schedule_at', message: 'Choose a date and time to publish at' },
    ]);
  }
  if (at <= now) {
    throw validationFailed([
      { field: 'schedule_at', message: 'The time to publish at must be in the future' },
    ]);
  }
  return at;
}

const OPEN = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSE = /^---[ \t]*(?:\r?\n|$)/m;

interface Edit {
  from: number;
  to: number;
  text: string;
}

/**
 * Sets the front matter's `published` key, and with `publishAt` its `date` / `published_at` keys,
 * where the text has them; every other byte stays as typed. Text whose front matter does not
 * parse is returned as is, for the service to report.
 */
export function withPublication(markdown: string, published: boolean, publishAt?: Date): string {
  const open = OPEN.exec(markdown);
  if (!open) return markdown;
  const start = open[0].length;
  const close = CLOSE.exec(markdown.slice(start));
  if (!close) return markdown;
  const yaml = markdown.slice(start, start + close.index);
  const doc = parseDocument(yaml, { schema: 'core', uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return markdown;
  const edits: Edit[] = [];
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    const node = pair.value as { range?: [number, number, number]; value?: unknown } | null;
    if (!node?.range) continue;
    let wanted: string | undefined;
    if (key === 'published' && !(isScalar(node) && node.value === published))
      wanted = String(published);
    else if (publishAt && (key === 'date' || key === 'published_at'))
      wanted = publishAt.toISOString();
    if (wanted === undefined) continue;
    const [from, to] = node.range;
    // An empty value sits right after the colon, or before a comment: keep the spaces YAML needs.
    const before = from === to && yaml[from - 1] === ':' ? ' ' : '';
    const after = from === to && yaml[to] !== undefined && !/\s/.test(yaml[to] ?? '') ? ' ' : '';
    edits.push({ from, to, text: `${before}${wanted}${after}` });
  }
  if (edits.length === 0) return markdown;
  let edited = yaml;
  for (const e of edits.sort((a, b) => b.from - a.from))
    edited = edited.slice(0, e.from) + e.text + edited.slice(e.to);
  return markdown.slice(0, start) + edited + markdown.slice(start + close.index);
}

/** What the service is asked to do for a save of the editor. */
export function articleInput(markdown: string, published: boolean, publishAt?: Date): ArticleInput {
  return {
    body_markdown: withPublication(markdown, published, publishAt),
    published,
    ...(publishAt && { published_at: publishAt.toISOString() }),
  };
}

const yamlLine = (key: string, value: string | null) =>
  value === null || value === ''
    ? `${key}:`
    : stringify({ [key]: value }, { lineWidth: 0 }).trimEnd();

/**
 * The text to edit: the Markdown as stored, or, for an article written without front matter
 * (through the API with JSON fields), its fields as front matter above the body, so the editor
 * can change them too.
 */
export function editableMarkdown(article: ArticleRow, seriesName: string | null): string {
  if (OPEN.test(article.body_markdown)) return article.body_markdown;
  const lines = [
    yamlLine('title', article.title),
    `published: ${article.published === 1}`,
    yamlLine('description', article.description_auto === 1 ? null : article.description),
    yamlLine('tags', tagArray(article).join(', ')),
    yamlLine('cover_image', article.cover_image),
    yamlLine('canonical_url', article.canonical_url),
    yamlLine('series', seriesName),
  ];
  return `---\n${lines.join('\n')}\n---\n\n${article.body_markdown}`;
}

/** Renders the Markdown as publishing would, mentions linked, or throws the rules it breaks. */
export async function previewOf(ctx: AppContext, markdown: string): Promise<PreviewContent> {
  const { changes, body } = await prepareArticleLinked(ctx, { body_markdown: markdown });
  return {
    title: changes.title,
    tags: changes.tags ?? [],
    coverImage: changes.coverImage ?? null,
    bodyHtml: body.body_html,
  };
}

/** The rules the text breaks, were it saved. */
function textErrors(markdown: string): FieldError[] {
  try {
    prepareArticle({ body_markdown: markdown });
    return [];
  } catch (error) {
    if (error instanceof AppError && error.errors) return error.errors;
    throw error;
  }
}

/** A new article's schedule; when it is wrong, the text's own errors are told at the same time. */
export function newSchedule(value: string, now: Date, markdown: string): Date {
  try {
    return scheduleTime(value, now);
  } catch (error) {
    if (!(error instanceof AppError && error.errors)) throw error;
    throw validationFailed([...error.errors, ...textErrors(markdown)]);
  }
}

/**
 * An existing article's schedule: only one never published before can take one (the editor of
 * any other has no schedule field, so the refusal is about the form as a whole).
 */
export function editSchedule(article: ArticleRow, value: string, now: Date): Date {
  if (article.published_at !== null) {
    throw new AppError('validation_failed', 'A publication date, once set, cannot move');
  }
  return scheduleTime(value, now);
}

/** What the editor shows again after a preview: the typed text and schedule, as sent. */
export function keptValues(body: Form): Record<string, string> {
  return {
    body_markdown: text(body, 'body_markdown'),
    schedule_at: text(body, 'schedule_at'),
  };
}
