/** Form pieces: labelled fields with their error shown beside them, and one-button actions. */
import { html } from 'ghtml';
import type { FieldError } from '../../errors.ts';

export interface FormState {
  values: Record<string, string>;
  errors: FieldError[];
  /** A message about the form as a whole (e.g. a wrong password). */
  message?: string | undefined;
  csrfToken: string;
}

export const emptyForm = (csrfToken: string): FormState => ({ values: {}, errors: [], csrfToken });

interface FieldOptions {
  required?: boolean;
  hint?: string;
}

/** The error of a field and the attributes that tie it to the control. */
function fieldError(state: FormState, name: string, id: string) {
  const error = state.errors.find((e) => e.field === name);
  return {
    attributes: error ? html`aria-invalid="true" aria-describedby="${id}-error"` : '',
    note: error ? html`<span class="error" id="${id}-error">${error.message}</span>` : '',
    error,
  };
}

function hint(options: FieldOptions, error: unknown): string {
  return options.hint && !error ? html`<span class="hint">${options.hint}</span>` : '';
}

export function csrfInput(token: string): string {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export function textarea(
  state: FormState,
  name: string,
  label: string,
  options: FieldOptions & { rows?: number } = {},
): string {
  const id = `f-${name}`;
  const { attributes, note, error } = fieldError(state, name, id);
  return html`<p class="field">
  <label for="${id}">${label}</label>
  <textarea id="${id}" name="${name}" rows="${options.rows ?? 4}" ${options.required ? 'required' : ''} !${attributes}>${state.values[name] ?? ''}</textarea>
  !${note}
  !${hint(options, error)}
</p>`;
}

export function checkbox(
  state: FormState,
  name: string,
  label: string,
  options: FieldOptions = {},
): string {
  const id = `f-${name}`;
  const { attributes, note, error } = fieldError(state, name, id);
  const checked = ['on', 'true', '1'].includes(state.values[name] ?? '');
  return html`<p class="field check">
  <input id="${id}" name="${name}" type="checkbox" ${checked ? 'checked' : ''} !${attributes}>
  <label for="${id}">${label}</label>
  !${note}
  !${hint(options, error)}
</p>`;
}

/**
 * A form of one button that posts to `action`: delete, revoke, replay. With `confirm`, the
 * script asks first; without the script the action simply happens.
 */
export function actionButton(options: {
  action: string;
  label: string;
  csrfToken: string;
  confirm?: string;
  fields?: Record<string, string>;
  className?: string;
}): string {
  const fields = Object.entries(options.fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return html`<form method="post" action="${options.action}" class="inline"!${options.confirm ? html` data-confirm="${options.confirm}"` : ''}>
!${csrfInput(options.csrfToken)}!${fields.join('')}
<button type="submit" class="${options.className ?? 'secondary'}">${options.label}</button>
</form>`;
}

export function field(
  state: FormState,
  name: string,
  label: string,
  options: FieldOptions & { type?: string; autocomplete?: string } = {},
): string {
  const id = `f-${name}`;
  const { attributes, note, error } = fieldError(state, name, id);
  const value = options.type === 'password' ? '' : (state.values[name] ?? '');
  return html`<p class="field">
  <label for="${id}">${label}</label>
  <input id="${id}" name="${name}" type="${options.type ?? 'text'}" value="${value}"
    !${options.autocomplete ? html`autocomplete="${options.autocomplete}"` : ''}
    ${options.required === false ? '' : 'required'}
    !${attributes}>
  !${note}
  !${hint(options, error)}
</p>`;
}

export function formStart(state: FormState, action: string): string {
  return html`<form method="post" action="${action}" novalidate>
!${csrfInput(state.csrfToken)}
!${state.message ? html`<p class="alert" role="alert">${state.message}</p>` : ''}`;
}
