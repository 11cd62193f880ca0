/** The administrator's page: the site's name and description, and every account. */
import { html } from 'ghtml';
import type { DirectoryPage } from '../../modules/users/directory.ts';
import { readableDate } from '../../modules/users/users.presenter.ts';
import { SITE_DESCRIPTION_MAX } from '../../modules/site/site.rules.ts';
import { type FormState, field, formStart, textarea } from './forms.ts';
import { statusNote, tableBox } from './settings.ts';

export interface AdminView {
  directory: DirectoryPage;
  page: number;
  message?: string | undefined;
}

function accountsTable(view: AdminView): string {
  const rows = view.directory.entries.map(
    (u) => html`<tr>
  <th scope="row"><a href="/${u.username}">@${u.username}</a></th>
  <td>${u.name}</td>
  <td>${u.role === 'admin' ? 'Administrator' : 'Author'}</td>
  <td><time datetime="${u.created_at}">${readableDate(u.created_at)}</time></td>
  <td class="number">${u.articles}</td>
</tr>`,
  );
  if (rows.length === 0) return '<p class="empty">No accounts on this page.</p>';
  return tableBox(
    'accounts-heading',
    html`<table>
<thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col">Articles</th></tr></thead>
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
