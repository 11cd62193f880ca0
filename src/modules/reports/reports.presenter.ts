/** Reports as the API answers them. */
import type { ReportRow } from '../../db/schema.ts';
import { isoSeconds } from '../articles/articles.presenter.ts';
import type { ReportableType, ReportAction, ReportReason } from './reports.rules.ts';

export function reportJson(report: ReportRow) {
  return {
    type_of: 'report' as const,
    id: report.id,
    // Written only by the service, which checks each against the rules.
    reportable_type: report.reportable_type as ReportableType,
    reportable_id: report.reportable_id,
    reason: report.reason as ReportReason,
    note: report.note,
    status: report.status,
    resolution: report.resolution as ReportAction | null,
    created_at: isoSeconds(report.created_at),
    resolved_at: report.resolved_at === null ? null : isoSeconds(report.resolved_at),
  };
}
