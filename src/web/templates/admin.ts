/** The administrator's page: the site's name and description, and every account. */
import { html } from 'ghtml';
import { commentNotice } from '../../modules/comments/comments.presenter.ts';
import { idCode } from '../../modules/comments/comments.rules.ts';
import {
  REASON_LABELS,
  type ReportAction,
  type ReportReason,
} from '../../modules/reports/reports.rules.ts';
import type { OpenReport } from '../../modules/reports/reports.service.ts';
import type { DirectoryPage } from '../../modules/users/directory.ts';
import { readableDate } from '../../modules/users/users.presenter.ts';
import { SITE_DESCRIPTION_MAX } from '../../modules/site/site.rules.ts';
import { actionButton, type FormState, field, formStart, textarea } from './forms.ts';
import { statusNote, tableBox } from './settings.ts';

export interface AdminView {
  directory: DirectoryPage;
  page: number;
  message?: string | undefined;
  /** The administrator viewing, who cannot suspend themselves. */
  adminId: number;
  csrfToken: string;
}

/** Suspend or lift a suspension; administrators (the viewer among them) have neither. */
function suspensionButton(view: AdminView, u: DirectoryPage['entries'][number]): string {
  if (u.role === 'admin') return '';
  const suspended = u.suspended_at !== null;
  return actionButton({
    action: `/admin/accounts/${u.id}/${suspended ? 'unsuspend' : 'suspend'}`,
    label: suspended ? 'Lift suspension' : 'Suspend',
    csrfToken: view.csrfToken,
    ...(!suspended && {
      confirm: `Suspend @${u.username}? Their articles leave the site until you lift it.`,
    }),
  });
}

function accountsTable(view: AdminView): string {
  const rows = view.directory.entries.map(
    (u) => html`<tr>
  <th scope="row"><a href="/${u.username}">@${u.username}</a></th>
  <td>${u.name}</td>
  <td>${u.role === 'admin' ? 'Administrator' : 'Author'}${u.suspended_at === null ? '' : ' (suspended)'}</td>
  <td><time datetime="${u.created_at}">${readableDate(u.created_at)}</time></td>
  <td class="number">${u.articles}</td>
  <td>!${suspensionButton(view, u)}</td>
</tr>`,
  );
  if (rows.length === 0) return '<p class="empty">No accounts on this page.</p>';
  return tableBox(
    'accounts-heading',
    html`<table>
<thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col">Articles</th><th scope="col">Actions</th></tr></thead>
<tbody>!${rows}</tbody>
</table>`,
  );
}

export function adminPage(state: FormState, view: AdminView): string {
  const { page } = view;
  const newer = page > 1 ? html`<a rel="prev" href="/admin?page=${page - 1}">Previous</a>` : '';
  const older = view.directory.more
    ? html`<a rel="next" href="/admin?page=${page + 1}">Next</a>`
    : '';
  return html`<div class="admin">
<h1>Administration</h1>
!${statusNote(view.message)}
<p><a href="/admin/reports">Open reports</a></p>
<section aria-labelledby="site-heading">
<h2 id="site-heading">Site</h2>
!${formStart(state, '/admin/site')}
!${field(state, 'site_name', 'Site name', { hint: 'Shown in the header, page titles and feeds' })}
!${textarea(state, 'site_description', 'Site description', { rows: 3, hint: `Up to ${SITE_DESCRIPTION_MAX} characters` })}
<p><button type="submit" id="save-site">Save site settings</button></p>
</form>
</section>
<section aria-labelledby="accounts-heading">
<h2 id="accounts-heading">Accounts</h2>
!${accountsTable(view)}
<nav class="pager" aria-label="Pages">!${newer} !${older}</nav>
</section>
</div>`;
}

export interface ReportsView {
  entries: OpenReport[];
  more: boolean;
  page: number;
  message?: string | undefined;
  csrfToken: string;
}

const ACTION_LABELS: Record<ReportAction, string> = {
  dismiss: 'Dismiss',
  hide: 'Hide',
  delete: 'Delete',
  suspend: 'Suspend the author',
};

/** The reported item as readers see it, with where it is. */
function reportedItem(entry: OpenReport): string {
  const item = entry.item;
  if (!item) return '<p class="empty">What was reported is gone.</p>';
  const articlePath = `/${item.articleAuthor.username}/${item.article.slug}`;
  const by = html`<a href="/${item.author.username}">@${item.author.username}</a>`;
  if (item.type === 'Article')
    return html`<p>Article <a href="${articlePath}">${item.article.title}</a> by !${by}</p>`;
  const notice = commentNotice({ ...item.comment, author: item.author });
  const path = `${articlePath}/comments/${idCode(item.comment.id)}`;
  return html`<p>Comment by !${by} on <a href="${path}">${item.article.title}</a></p>
<blockquote class="reported-text">!${notice === null ? item.comment.body_html : html`<p>${notice}</p>`}</blockquote>`;
}

function reportEntry(entry: OpenReport, csrfToken: string): string {
  const { report } = entry;
  const reason = REASON_LABELS[report.reason as ReportReason] ?? report.reason;
  const reporter = entry.reporter
    ? html`<a href="/${entry.reporter.username}">@${entry.reporter.username}</a>`
    : 'a deleted account';
  const actions = (Object.keys(ACTION_LABELS) as ReportAction[])
    .filter((action) => entry.item !== null || action === 'dismiss')
    .map((action) =>
      actionButton({
        action: `/admin/reports/${report.id}`,
        label: ACTION_LABELS[action],
        csrfToken,
        fields: { action },
        ...(action === 'delete' && { confirm: 'Delete it for good?' }),
      }),
    );
  return html`<li class="report" id="report-${report.id}">
!${reportedItem(entry)}
<p>Reported by !${reporter} for <strong>${reason}</strong>, <time datetime="${report.created_at}">${readableDate(report.created_at)}</time></p>
!${report.note === '' ? '' : html`<blockquote class="report-note">${report.note}</blockquote>`}
<p class="actions">!${actions.join(' ')}</p>
</li>`;
}

export function reportsPage(view: ReportsView): string {
  const { page } = view;
  const newer =
    page > 1 ? html`<a rel="prev" href="/admin/reports?page=${page - 1}">Previous</a>` : '';
  const older = view.more
    ? html`<a rel="next" href="/admin/reports?page=${page + 1}">Next</a>`
    : '';
  const list =
    view.entries.length === 0
      ? '<p class="empty">No open reports.</p>'
      : html`<ol class="reports">!${view.entries.map((e) => reportEntry(e, view.csrfToken)).join('')}</ol>`;
  return html`<div class="admin">
<h1>Open reports</h1>
!${statusNote(view.message)}
<p>Oldest first. Resolving a report closes every open report on the same item.</p>
!${list}
<nav class="pager" aria-label="Pages">!${newer} !${older}</nav>
<p><a href="/admin">Back to administration</a></p>
</div>`;
}
