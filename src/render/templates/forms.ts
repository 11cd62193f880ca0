/** Form pieces: labelled fields with their error shown beside them. */
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

export function field(
  state: FormState,
  name: string,
  label: string,
  options: { type?: string; autocomplete?: string; required?: boolean; hint?: string } = {},
): string {
  const error = state.errors.find((e) => e.field === name);
  const id = `f-${name}`;
  const value = options.type === 'password' ? '' : (state.values[name] ?? '');
  return html`<p class="field">
  <label for="${id}">${label}</label>
  <input id="${id}" name="${name}" type="${options.type ?? 'text'}" value="${value}"
    !${options.autocomplete ? html`autocomplete="${options.autocomplete}"` : ''}
    ${options.required === false ? '' : 'required'}
    !${error ? html`aria-invalid="true" aria-describedby="${id}-error"` : ''}>
  !${error ? html`<span class="error" id="${id}-error">${error.message}</span>` : ''}
  !${options.hint && !error ? html`<span class="hint">${options.hint}</span>` : ''}
</p>`;
}

export function formStart(state: FormState, action: string): string {
  return html`<form method="post" action="${action}" novalidate>
<input type="hidden" name="_csrf" value="${state.csrfToken}">
!${state.message ? html`<p class="alert" role="alert">${state.message}</p>` : ''}`;
}
