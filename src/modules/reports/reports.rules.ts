/** What a report may say, and what a moderator may do with one: pure, so pages show the same. */
import type { FieldError } from '../../errors.ts';

/** Why a reader reports an article or a comment. */
export const REPORT_REASONS = ['spam', 'harassment', 'off-topic', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** Labels pages show for each reason. */
export const REASON_LABELS: Record<ReportReason, string> = {
  spam: 'Spam',
  harassment: 'Harassment',
  'off-topic': 'Off-topic',
  other: 'Something else',
};

/** The longest note a reporter may add, in characters. */
export const REPORT_NOTE_MAX = 1000;

export const REPORTABLE_TYPES = ['Article', 'Comment'] as const;
export type ReportableType = (typeof REPORTABLE_TYPES)[number];

/**
 * What a moderator does with a report, stored as its resolution: nothing (`dismiss`), hide the
 * item (a comment collapses, an article goes back to draft), delete it, or suspend its author.
 */
export const REPORT_ACTIONS = ['dismiss', 'hide', 'delete', 'suspend'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/** Open reports on one page of /admin/reports. */
export const REPORTS_PER_PAGE = 20;

export const isReportAction = (value: string): value is ReportAction =>
  (REPORT_ACTIONS as readonly string[]).includes(value);

export function checkReport(input: {
  reportable_type: string;
  reason: string;
  note: string;
}): FieldError[] {
  const errors: FieldError[] = [];
  if (!(REPORTABLE_TYPES as readonly string[]).includes(input.reportable_type))
    errors.push({ field: 'reportable_type', message: 'must be Article or Comment' });
  if (!(REPORT_REASONS as readonly string[]).includes(input.reason))
    errors.push({ field: 'reason', message: `must be one of ${REPORT_REASONS.join(', ')}` });
  if ([...input.note].length > REPORT_NOTE_MAX)
    errors.push({ field: 'note', message: `is too long (at most ${REPORT_NOTE_MAX} characters)` });
  else if (input.note.includes('\u0000')) errors.push({ field: 'note', message: 'contains a NUL' });
  return errors;
}
