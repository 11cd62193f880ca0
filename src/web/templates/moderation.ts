/** A reader's report form, and the thanks after it. */
import { html } from 'ghtml';
import {
  REASON_LABELS,
  REPORT_NOTE_MAX,
  REPORT_REASONS,
} from '../../modules/reports/reports.rules.ts';
import { type FormState, formStart, textarea } from './forms.ts';

/** The reason picker, with the field's error beside it. */
function reasons(state: FormState): string {
  const error = state.errors.find((e) => e.field === 'reason');
  const options = REPORT_REASONS.map(
    (reason) =>
      html`<option value="${reason}"${state.values.reason === reason ? ' selected' : ''}>${REASON_LABELS[reason]}</option>`,
  );
  return html`<p class="field">
  <label for="f-reason">Reason</label>
  <select id="f-reason" name="reason" required!${error ? ' aria-invalid="true" aria-describedby="f-reason-error"' : ''}>!${options.join('')}</select>
  !${error ? html`<span class="error" id="f-reason-error">${error.message}</span>` : ''}
</p>`;
}

export function reportPage(state: FormState): string {
  const what = state.values.reportable_type === 'Article' ? 'article' : 'comment';
  const hidden = ['reportable_type', 'reportable_id', 'next'].map(
    (name) => html`<input type="hidden" name="${name}" value="${state.values[name] ?? ''}">`,
  );
  const fieldErrors = state.errors
    .filter((e) => e.field === 'reportable_type' || e.field === 'reportable_id')
    .map((e) => html`<p class="alert" role="alert">${e.message}</p>`);
  return html`<section class="narrow">
<h1>Report this ${what}</h1>
<p>A moderator will read your report. The author is not told who sent it.</p>
!${formStart(state, '/report')}
!${hidden.join('')}!${fieldErrors.join('')}
!${reasons(state)}
!${textarea(state, 'note', 'Note', { rows: 4, hint: `Optional, up to ${REPORT_NOTE_MAX} characters` })}
<p><button type="submit">Send report</button></p>
</form>
</section>`;
}

export function reportThanksPage(next: string): string {
  return html`<section class="narrow">
<h1>Thank you</h1>
<p role="status">Your report was sent. A moderator will look at it.</p>
<p><a href="${next}">Go back</a></p>
</section>`;
}
