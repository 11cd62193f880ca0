/** The pages behind a digest mail's unsubscribe link. */
import { html } from 'ghtml';

export function unsubscribePage(action: string): string {
  return html`<section class="narrow">
<h1>Stop the daily digest</h1>
<p>You get a mail once a day with the notifications you have not read. Stop it?</p>
<form method="post" action="${action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<p><button type="submit">Stop the daily digest</button></p>
</form>
<p>Your notifications stay on <a href="/notifications">your notifications page</a>; the digest can be turned on again in <a href="/settings/notifications">the notification settings</a>.</p>
</section>`;
}

export function unsubscribedPage(): string {
  return html`<section class="narrow">
<h1>No more digests</h1>
<p>You will get no more daily digests. You can turn them on again in <a href="/settings/notifications">the notification settings</a>.</p>
</section>`;
}
