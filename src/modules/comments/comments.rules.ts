/** Limits and checks of comments: pure, so pages can show them too. */
import type { FieldError } from '../../errors.ts';

/** The longest comment, in characters of Markdown. */
export const COMMENT_MAX = 25_000;
/** Levels of a thread a page shows; deeper replies are behind a "continue this thread" link. */
export const THREAD_DEPTH_SHOWN = 3;
/** Comments one account may write per hour. */
export const COMMENTS_PER_HOUR = 30;
/** Comments an account younger than a day may write per hour. */
export const NEW_ACCOUNT_COMMENTS_PER_HOUR = 5;
/** How long an account counts as new. */
export const NEW_ACCOUNT_MS = 86_400_000;
/** The same text on the same article from the same account within this time is refused. */
export const DUPLICATE_WINDOW_MS = 60_000;

export function checkCommentBody(body: string): FieldError | null {
  if (body.trim() === '') return { field: 'body_markdown', message: "can't be blank" };
  if (body.length > COMMENT_MAX)
    return { field: 'body_markdown', message: `is too long (at most ${COMMENT_MAX} characters)` };
  if (body.includes('\u0000')) return { field: 'body_markdown', message: 'contains a NUL' };
  return null;
}

/** `comments.hidden`: shown, hidden by the article's author, or by a moderator. */
export const SHOWN = 0;
export const HIDDEN_BY_AUTHOR = 1;
export const HIDDEN_BY_MODERATOR = 2;

/** Forem's `id_code`: the id in base 26, as comment URLs carry it. */
export const idCode = (id: number) => id.toString(26);

const ID_CODE = /^[0-9a-p]{1,10}$/;

/** The comment id an `id_code` names, or null when it names none. */
export function idFromCode(code: string): number | null {
  if (!ID_CODE.test(code)) return null;
  const id = Number.parseInt(code, 26);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
