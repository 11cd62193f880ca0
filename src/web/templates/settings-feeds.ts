/** The feed sources settings page: add a feed, and per source its last poll and import log. */
import { html } from 'ghtml';
import type { FeedSourceRow } from '../../db/schema.ts';
import type { ImportSummary } from '../../modules/imports/imports.schemas.ts';
import { actionButton, checkbox, type FormState, field, formStart } from './forms.ts';
import { settingsFrame, statusNote, timeTag } from './settings.ts';

const STATUS_TEXT: Record<string, string> = {
  ok: 'Imported',
  not_modified: 'Unchanged since the last poll',
  error: 'Failed',
};

function lastLog(source: FeedSourceRow): ImportSummary | null {
  if (!source.last_log) return null;
  try {
    return JSON.parse(source.last_log) as ImportSummary;
  } catch {
    return null;
  }
}

function importLog(source: FeedSourceRow): string {
  const log = lastLog(source);
  if (!log) return '<p class="muted">Nothing imported yet.</p>';
  const failures =
    log.failed.length === 0
      ? ''
      : html`<ul class="failures">!${log.failed.map((f) => html`<li><span class="item">${f.item}</span>: ${f.reason}</li>`)}</ul>`;
  return html`<p class="import-log">Last import: <strong>${log.imported}</strong> imported,
<strong>${log.skipped}</strong> skipped (already imported), <strong>${log.failed.length}</strong> failed, of ${log.total} items.</p>
!${failures}`;
}

function sourceEntry(source: FeedSourceRow, csrfToken: string): string {
  const options = [
    source.publish === 1 ? 'published' : 'as drafts',
    source.canonical === 1 ? 'canonical URL set to the original' : '',
  ].filter(Boolean);
  const status = source.last_status
    ? (STATUS_TEXT[source.last_status] ?? source.last_status)
    : 'Not polled yet';
  return html`<article class="entry" id="source-${source.id}" aria-labelledby="source-${source.id}-url">
<h3 id="source-${source.id}-url" class="url">${source.url}</h3>
<dl class="facts">
  <dt>Imports</dt><dd>${options.join(', ')}</dd>
  <dt>Last poll</dt><dd>!${timeTag(source.last_polled_at)}</dd>
  <dt>Status</dt><dd class="status-${source.last_status ?? 'none'}">${status}</dd>
  !${source.last_error ? html`<dt>Error</dt><dd class="error-text">${source.last_error}</dd>` : ''}
  <dt>Next poll</dt><dd>!${timeTag(source.next_poll_at)}</dd>
</dl>
!${importLog(source)}
<div class="actions">
!${actionButton({ action: `/settings/feeds/${source.id}/poll`, label: 'Import now', csrfToken })}
!${actionButton({
    action: `/settings/feeds/${source.id}/remove`,
    label: 'Remove',
    csrfToken,
    confirm: `Stop importing ${source.url}? Articles already imported stay.`,
    className: 'danger',
  })}
</div>
</article>`;
}

export function feedsSettingsPage(
  state: FormState,
  sources: FeedSourceRow[],
  message?: string,
): string {
  const list =
    sources.length === 0
      ? '<p class="empty">No feed sources yet.</p>'
      : sources.map((s) => sourceEntry(s, state.csrfToken)).join('\n');
  return settingsFrame(
    'feeds',
    html`<h1>Feed sources</h1>
<p>Quire polls these feeds (RSS, Atom, JSON Feed, or a page that links one) and imports their new items as your articles.</p>
!${statusNote(message)}
<section aria-labelledby="add-feed-heading">
<h2 id="add-feed-heading">Add a feed</h2>
!${formStart(state, '/settings/feeds')}
!${field(state, 'url', 'Feed URL', { type: 'url' })}
!${checkbox(state, 'publish', 'Publish imported articles (otherwise they are drafts)')}
!${checkbox(state, 'canonical', "Set each article's canonical URL to the original")}
<p><button type="submit" id="add-feed">Add feed</button></p>
</form>
</section>
<section aria-labelledby="feeds-heading">
<h2 id="feeds-heading">Your feeds</h2>
!${list}
</section>`,
  );
}
