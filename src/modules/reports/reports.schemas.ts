/** Request and response schemas of reports (a Quire addition). */
import { Type } from 'typebox';
import { Nullable, NullableTimestamp, Timestamp } from '../../http/schemas.ts';
import { ID_RANGE } from '../../http/url-numbers.ts';
import {
  REPORT_ACTIONS,
  REPORT_NOTE_MAX,
  REPORT_REASONS,
  REPORTABLE_TYPES,
} from './reports.rules.ts';

/** One of these strings. */
const oneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description && { description }) });

export const ReportCreate = Type.Object({
  report: Type.Object({
    reportable_type: oneOf(REPORTABLE_TYPES, 'What is reported'),
    reportable_id: Type.Integer({ ...ID_RANGE, description: 'The article or comment id' }),
    reason: oneOf(REPORT_REASONS),
    note: Type.Optional(
      Type.String({
        maxLength: REPORT_NOTE_MAX * 4,
        description: `What a moderator should know, at most ${REPORT_NOTE_MAX} characters`,
      }),
    ),
  }),
});

export const Report = Type.Object(
  {
    type_of: Type.Literal('report'),
    id: Type.Integer(),
    reportable_type: oneOf(REPORTABLE_TYPES),
    reportable_id: Type.Integer(),
    reason: oneOf(REPORT_REASONS),
    note: Type.String(),
    status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
    resolution: Nullable(oneOf(REPORT_ACTIONS), { description: 'What a moderator did' }),
    created_at: Timestamp,
    resolved_at: NullableTimestamp('Null while open'),
  },
  { $id: 'Report', description: 'A report of an article or a comment to the moderators' },
);

export const reportComponents = [Report];
