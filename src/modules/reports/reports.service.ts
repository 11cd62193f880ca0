/**
 * Reports: a reader flags an article or a comment they can see, once while their report is open;
 * an administrator reads the open ones oldest first and resolves each by dismissing it, hiding or
 * deleting the item, or suspending its author. A resolution closes every open report on the
 * item. Each change commits with its event; public answers show no report, so none names a key.
 */
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/database.ts';
import type { ArticleRow, CommentRow, ReportRow, UserRow } from '../../db/schema.ts';
import { AppError, notFound, validationFailed } from '../../errors.ts';
import { appendEvents } from '../../events/outbox.ts';
import {
  deleteArticle,
  findArticleById,
  isVisible,
  updateArticle,
} from '../articles/articles.service.ts';
import { findCommentRow, removeComment, setCommentHidden } from '../comments/comments.service.ts';
import { assertMayWrite } from '../users/users.rules.ts';
import { findUserById, suspendAccount } from '../users/users.service.ts';
import { reportJson } from './reports.presenter.ts';
import {
  findOpenReportBy,
  findReport,
  insertReport,
  openReports,
  resolveReportsOn,
} from './reports.repository.ts';
import { checkReport, type ReportAction, type ReportableType } from './reports.rules.ts';

export interface ReportInput {
  reportable_type: string;
  reportable_id: number;
  reason: string;
  note: string;
}

/**
 * What a report is about, as a moderator sees it: the item, its author, and its article with
 * the article's author (for an article, the same account).
 */
export type ReportedItem = { article: ArticleRow; articleAuthor: UserRow; author: UserRow } & (
  { type: 'Article' } | { type: 'Comment'; comment: CommentRow }
);

async function itemOf(
  ctx: AppContext,
  type: ReportableType,
  id: number,
): Promise<ReportedItem | null> {
  const db = ctx.database.db;
  if (type === 'Article') {
    const article = await findArticleById(db, id);
    const author = article && (await findUserById(db, article.user_id));
    return article && author ? { type, article, author, articleAuthor: author } : null;
  }
  const comment = await findCommentRow(ctx, id);
  const article = comment && (await findArticleById(db, comment.article_id));
  const author = comment && (await findUserById(db, comment.user_id));
  const articleAuthor = article && (await findUserById(db, article.user_id));
  return comment && article && author && articleAuthor
    ? { type, comment, article, author, articleAuthor }
    : null;
}

/** Whether readers see the item as written: public, not deleted, its writers not suspended. */
function showsToReaders(ctx: AppContext, item: ReportedItem): boolean {
  if (!isVisible(item.article, ctx.clock.now())) return false;
  if (item.author.suspended_at !== null || item.articleAuthor.suspended_at !== null) return false;
  return item.type === 'Article' || item.comment.deleted === 0;
}

function reportEvents(type: 'report.created' | 'report.resolved', reports: ReportRow[]) {
  return reports.map((report) => ({
    type,
    subject: `report:${report.id}`,
    data: reportJson(report),
    ownerId: report.reporter_id,
    keys: [],
  }));
}

/**
 * A reader reports an item they can see (anything else does not exist for them: 404). A second
 * open report of theirs on the same item is refused (409).
 */
export async function createReport(
  ctx: AppContext,
  reporter: UserRow,
  input: ReportInput,
): Promise<ReportRow> {
  assertMayWrite(reporter);
  const errors = checkReport(input);
  if (errors.length > 0) throw validationFailed(errors);
  const type = input.reportable_type as ReportableType;
  const item = await itemOf(ctx, type, input.reportable_id);
  if (!item || !showsToReaders(ctx, item)) throw notFound(`${type.toLowerCase()} not found`);
  const now = ctx.clock.now();
  return ctx.database.transaction(async (tx) => {
    // Taken before the check, so two reports of one reader at once take turns and one is refused.
    await tx.lockOutbox();
    if (await findOpenReportBy(tx.db, reporter.id, type, input.reportable_id))
      throw new AppError('conflict', 'You have already reported this; a moderator will look at it');
    const report = await insertReport(tx.db, {
      reporter_id: reporter.id,
      reportable_type: type,
      reportable_id: input.reportable_id,
      reason: input.reason,
      note: input.note,
      created_at: now.toISOString(),
    });
    await appendEvents(tx, reportEvents('report.created', [report]), now);
    return report;
  });
}

export interface OpenReport {
  report: ReportRow;
  reporter: UserRow | undefined;
  /** Null when the item is gone. */
  item: ReportedItem | null;
}

function assertAdmin(user: UserRow): void {
  if (user.role !== 'admin') throw notFound('not found');
}

/** One page of open reports, oldest first, each with its item and reporter. */
export async function listOpenReports(
  ctx: AppContext,
  admin: UserRow,
  page: number,
  perPage: number,
): Promise<{ entries: OpenReport[]; more: boolean }> {
  assertAdmin(admin);
  const rows = await openReports(ctx.database.db, perPage + 1, (page - 1) * perPage);
  const entries: OpenReport[] = [];
  for (const report of rows.slice(0, perPage)) {
    entries.push({
      report,
      reporter: await findUserById(ctx.database.db, report.reporter_id),
      item: await itemOf(ctx, report.reportable_type as ReportableType, report.reportable_id),
    });
  }
  return { entries, more: rows.length > perPage };
}

/** Closes every open report on the report's item with this resolution, with their events. */
async function resolveAll(
  ctx: AppContext,
  admin: UserRow,
  report: ReportRow,
  action: ReportAction,
): Promise<ReportRow[]> {
  const now = ctx.clock.now();
  return ctx.database.transaction(async (tx: Tx) => {
    const resolved = await resolveReportsOn(
      tx.db,
      report.reportable_type,
      report.reportable_id,
      action,
      admin.id,
      now.toISOString(),
    );
    await appendEvents(tx, reportEvents('report.resolved', resolved), now);
    return resolved;
  });
}

/**
 * An administrator resolves an open report (anyone else: 404): the action is done through the
 * service that owns the item, then the item's open reports are closed. Deleting an article
 * deletes the reports on it, so those are closed first, and their events stay in the outbox.
 */
export async function resolveReport(
  ctx: AppContext,
  admin: UserRow,
  id: number,
  action: ReportAction,
): Promise<ReportRow[]> {
  assertAdmin(admin);
  const report = await findReport(ctx.database.db, id);
  if (!report) throw notFound('report not found');
  if (report.status !== 'open') throw new AppError('conflict', 'This report is already resolved');
  const item = await itemOf(ctx, report.reportable_type as ReportableType, report.reportable_id);
  if (!item && action !== 'dismiss')
    throw new AppError('conflict', 'What was reported is gone; dismiss the report');
  if (item && action === 'suspend') await suspendAccount(ctx, admin, item.author.id);
  else if (item?.type === 'Comment' && action === 'hide')
    await setCommentHidden(ctx, admin, item.comment.id, true);
  else if (item?.type === 'Comment' && action === 'delete')
    await removeComment(ctx, item.comment, item.article);
  else if (item?.type === 'Article' && action === 'hide')
    await updateArticle(ctx, admin, item.article.id, { published: false });
  else if (item?.type === 'Article' && action === 'delete') {
    const resolved = await resolveAll(ctx, admin, report, action);
    await deleteArticle(ctx, admin, item.article.id);
    return resolved;
  }
  return resolveAll(ctx, admin, report, action);
}
