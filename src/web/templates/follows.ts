/** The follow counts and the Follow / Unfollow button of a profile or tag page. */
import { html } from 'ghtml';
import { csrfInput } from './forms.ts';
import { plural } from './articles.ts';

/** What a page follows: an account (by id) or a tag, and the page to come back to. */
export interface FollowBoxTarget {
  field: 'user_id' | 'tag';
  value: string;
  path: string;
  /** The counts, already worded ("3 followers"). */
  counts: string[];
}

/** The viewer: signed out, or signed in with whether they follow (null: their own page). */
export type FollowViewer = { csrfToken: string; following: boolean | null } | null;

export function followBox(target: FollowBoxTarget, viewer: FollowViewer): string {
  const counts = html`<p class="follow-counts">!${target.counts.map((c) => html`<span>${c}</span>`).join(' · ')}</p>`;
  if (viewer === null) {
    const next = encodeURIComponent(target.path);
    return html`<div class="follow">!${counts}<p><a class="button" href="/enter?next=${next}">Sign in to follow</a></p></div>`;
  }
  if (viewer.following === null) return html`<div class="follow">!${counts}</div>`;
  const action = viewer.following ? '/unfollow' : '/follow';
  return html`<div class="follow">!${counts}<form method="post" action="${action}" class="inline">
  !${csrfInput(viewer.csrfToken)}
  <input type="hidden" name="${target.field}" value="${target.value}">
  <button type="submit"!${viewer.following ? ' aria-pressed="true"' : ''}>${viewer.following ? 'Unfollow' : 'Follow'}</button>
</form></div>`;
}

export const followerCount = (n: number) => plural(n, 'follower');

export function profileFollowCounts(user: {
  followers_count: number;
  following_users_count: number;
  following_tags_count: number;
}): string[] {
  return [
    followerCount(user.followers_count),
    `${user.following_users_count} following`,
    plural(user.following_tags_count, 'tag') + ' followed',
  ];
}
