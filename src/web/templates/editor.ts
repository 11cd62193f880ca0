/**
 * The editor of an article (new or existing): one Markdown text with its front matter, the
 * buttons that save, publish, schedule or preview it, its errors, and the preview itself.
 */
import { html } from 'ghtml';
import type { ArticleRow, UserRow } from '../../db/schema.ts';
import type { FieldError } from '../../errors.ts';
import type { OwnState } from '../../modules/articles/listings.ts';
import { actionButton, csrfInput, type FormState } from './forms.ts';

export const editPath = (article: Pick<ArticleRow, 'slug'>, author: Pick<UserRow, 'username'>) =>
  `/${author.username}/${article.slug}/edit`;

const WHEN = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
  hourCycle: 'h23',
});

/** "Mar 5, 2026, 10:00 UTC": times the author chose, in the zone the schedule field uses. */
export function readableTime(iso: string): string {
  return html`<time datetime="${iso}">${WHEN.format(new Date(iso))} UTC</time>`;
}

/** An article as the preview shows it: what publishing it would show. */
export interface PreviewContent {
  title: string;
  tags: string[];
  coverImage: string | null;
  /** Sanitized by the Markdown pipeline. */
  bodyHtml: string;
}

/** The article being edited, as far as the editor's buttons and state line need it. */
export interface EditedArticle {
  state: OwnState;
  publishedAt: string | null;
  /** Its public path, linked when it is public. */
  path: string;
  /** Where the editor posts. */
  editPath: string;
}

export interface EditorView {
  form: FormState;
  now: Date;
  /** Absent for a new article. */
  article?: EditedArticle;
  preview?: PreviewContent;
  /** A message about the last save, e.g. "Saved." */
  status?: string | undefined;
}

const BODY = 'f-body_markdown';
const SCHEDULE = 'f-schedule_at';

/** Where an error is shown: the schedule field's beside it, every other beside the text. */
const controlOf = (error: FieldError) => (error.field === 'schedule_at' ? SCHEDULE : BODY);

function fieldName(field: string): string {
  if (field === 'body_markdown') return 'Markdown';
  if (field === 'schedule_at') return 'Publish at';
  return html`<code>${field}</code>`;
}

function errorSummary(form: FormState): string {
  if (!form.message && form.errors.length === 0) return '';
  const items = form.errors.map(
    (e) => html`<li><a href="#${controlOf(e)}">!${fieldName(e.field)}: ${e.message}</a></li>`,
  );
  return html`<div class="alert error-summary" role="alert" id="editor-errors">
<h2>Nothing was saved</h2>
!${form.message ? html`<p>${form.message}</p>` : ''}
!${items.length > 0 ? `<ul>${items.join('')}</ul>` : ''}
</div>`;
}

function textArea(form: FormState): string {
  const errors = form.errors.filter((e) => controlOf(e) === BODY);
  const describedBy = errors.length > 0 ? `${BODY}-errors ${BODY}-hint` : `${BODY}-hint`;
  // The newline after the tag is dropped by HTML parsers, so a text's own first newline stays.
  return html`<div class="field editor-text">
<label for="${BODY}">Article: Markdown, front matter first</label>
<textarea id="${BODY}" name="body_markdown" rows="24" spellcheck="true" aria-describedby="${describedBy}"!${errors.length > 0 ? ' aria-invalid="true"' : ''}>
${form.values.body_markdown ?? ''}</textarea>
!${
    errors.length > 0
      ? html`<ul class="error field-errors" id="${BODY}-errors">!${errors.map(
          (e) => html`<li>!${fieldName(e.field)}: ${e.message}</li>`,
        )}</ul>`
      : ''
  }
<p class="hint" id="${BODY}-hint">Front matter keys: <code>title</code>, <code>description</code>,
<code>tags</code> (up to four, comma-separated), <code>cover_image</code>,
<code>canonical_url</code>, <code>series</code>, and <code>published_at</code> (or
<code>date</code>) to back-date an article. The button you press decides whether it is
published, whatever <code>published</code> says.</p>
</div>`;
}

/** `datetime-local` wants minutes, without a zone. */
const minuteOf = (date: Date) => date.toISOString().slice(0, 16);

function scheduleGroup(view: EditorView): string {
  const error = view.form.errors.find((e) => e.field === 'schedule_at');
  const invalid = error ? html` aria-invalid="true" aria-describedby="${SCHEDULE}-error"` : '';
  return html`<div class="editor-schedule">
<p class="field">
  <label for="${SCHEDULE}">Publish at (UTC)</label>
  <input id="${SCHEDULE}" name="schedule_at" type="datetime-local" min="${minuteOf(view.now)}" value="${view.form.values.schedule_at ?? ''}"!${invalid}>
  !${error ? html`<span class="error" id="${SCHEDULE}-error">${error.message}</span>` : ''}
</p>
<button type="submit" name="action" value="schedule" class="secondary">Schedule</button>
</div>`;
}

const button = (value: string, label: string, secondary = true) =>
  html`<button type="submit" name="action" value="${value}"!${secondary ? ' class="secondary"' : ''}>${label}</button>`;

function actions(view: EditorView): string {
  const state = view.article?.state ?? 'drafts';
  const preview = button('preview', 'Preview');
  if (state !== 'drafts') {
    return `${preview}${button('save', 'Save')}${button('unpublish', 'Unpublish')}`;
  }
  const save = view.article ? button('save', 'Save draft') : button('draft', 'Save draft');
  // A publication time, once set, never moves: only a never-published draft can be scheduled.
  const schedulable = !view.article || view.article.publishedAt === null;
  return `${preview}${save}${button('publish', 'Publish', false)}${schedulable ? scheduleGroup(view) : ''}`;
}

function stateLine(article: EditedArticle): string {
  if (article.state === 'published' && article.publishedAt) {
    return html`<p class="editor-state">Published !${readableTime(article.publishedAt)}.
<a href="${article.path}">View the article</a></p>`;
  }
  if (article.state === 'scheduled' && article.publishedAt) {
    return html`<p class="editor-state">Scheduled: it will be published !${readableTime(article.publishedAt)}.</p>`;
  }
  return '<p class="editor-state">Draft: only you can see it.</p>';
}

export function previewArticle(p: PreviewContent): string {
  return html`<article class="post preview-article">
!${p.coverImage ? html`<img class="cover" src="${p.coverImage}" alt="">` : ''}
<p class="preview-title">${p.title}</p>
!${p.tags.length > 0 ? html`<ul class="tags" aria-label="Tags">!${p.tags.map((t) => html`<li>#${t}</li>`)}</ul>` : ''}
<div class="body">!${p.bodyHtml}</div>
</article>`;
}

/** What a preview answers when the text breaks a rule. */
export function previewErrors(errors: FieldError[]): string {
  return html`<div class="alert" role="alert">
<p>Nothing to preview until these are fixed:</p>
<ul>!${errors.map((e) => html`<li>!${fieldName(e.field)}: ${e.message}</li>`)}</ul>
</div>`;
}

export function editorPage(view: EditorView): string {
  const { form, article, preview } = view;
  const action = article?.editPath ?? '/new';
  const unsaved = form.errors.length > 0 || form.message !== undefined || preview !== undefined;
  return html`<section class="editor-page">
<h1>${article ? 'Edit article' : 'Write a new article'}</h1>
!${view.status ? html`<p class="status-message" role="status">${view.status}</p>` : ''}
!${article ? stateLine(article) : ''}
!${errorSummary(form)}
<form method="post" action="${action}" id="editor-form" class="editor" novalidate data-editor!${unsaved ? ' data-unsaved' : ''}>
!${csrfInput(form.csrfToken)}
!${textArea(form)}
<div class="editor-actions">!${actions(view)}</div>
</form>
!${
    article
      ? actionButton({
          action: article.editPath,
          label: 'Delete article',
          csrfToken: form.csrfToken,
          confirm: 'Delete this article? This cannot be undone.',
          fields: { action: 'delete' },
          className: 'danger',
        })
      : ''
  }
<p class="editor-back"><a href="/dashboard">Back to the dashboard</a></p>
<section id="preview" class="preview" aria-labelledby="preview-heading"!${preview ? '' : ' hidden'}>
<h2 id="preview-heading" tabindex="-1">Preview</h2>
<div id="preview-body">!${preview ? previewArticle(preview) : ''}</div>
</section>
</section>`;
}
