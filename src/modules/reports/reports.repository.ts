/** Queries of reports: the open ones oldest first, and those on one item. */
import type { DbHandle } from '../../db/database.ts';
import type { ReportRow } from '../../db/schema.ts';

export type NewReport = Pick<
  ReportRow,
  'reporter_id' | 'reportable_type' | 'reportable_id' | 'reason' | 'note' | 'created_at'
>;

export function insertReport(db: DbHandle, row: NewReport): Promise<ReportRow> {
  return db.insertInto('reports').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findReport(db: DbHandle, id: number): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The reporter's open report on the item, if any (the index on the item, then its few rows). */
export function findOpenReportBy(
  db: DbHandle,
  reporterId: number,
  type: string,
  itemId: number,
): Promise<ReportRow | undefined> {
  return db
    .selectFrom('reports')
    .selectAll()
    .where('reportable_type', '=', type)
    .where('reportable_id', '=', itemId)
    .where('reporter_id', '=', reporterId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

/** One page of open reports, oldest first: a range of the index on (status, id). */
export function openReports(db: DbHandle, limit: number, offset: number): Promise<ReportRow[]> {
  return db
    .selectFrom('reports')
    .selectAll()
    .where('status', '=', 'open')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Resolves every open report on the item; returns the reports this resolved. */
export function resolveReportsOn(
  db: DbHandle,
  type: string,
  itemId: number,
  resolution: string,
  resolvedBy: number,
  at: string,
): Promise<ReportRow[]> {
  return db
    .updateTable('reports')
    .set({ status: 'resolved', resolution, resolved_by: resolvedBy, resolved_at: at })
    .where('reportable_type', '=', type)
    .where('reportable_id', '=', itemId)
    .where('status', '=', 'open')
    .returningAll()
    .execute();
}
