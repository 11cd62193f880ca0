/**
 * The discussion under an article (its reactions, the reading-list button and the comment thread),
 * a comment's own page, and the reading list. The shared page (no viewer) carries no form and
 * nothing about one reader; a signed-in reader's private page carries their forms and state.
 */
import { html } from 'ghtml';
import type { ArticleListRow, UserRow } from '../../db/schema.ts';
import type { Listed } from '../../modules/articles/listings.ts';
import { articlePath, readablePublishDate } from '../../modules/articles/articles.presenter.ts';
import { type CommentNode, commentNotice } from '../../modules/comments/comments.presenter.ts';
import {
  COMMENT_MAX,
  HIDDEN_BY_MODERATOR,
  idCode,
  THREAD_DEPTH_SHOWN,
} from '../../modules/comments/comments.rules.ts';
import {
  CATEGORY_LABELS,
  type Category,
  PUBLIC_CATEGORIES,
  READING_LIST,
} from '../../modules/reactions/reactions.rules.ts';
import { profileImage } from '../../modules/users/users.presenter.ts';
import { articleCard, plural } from './articles.ts';
import { csrfInput, type FormState } from './forms.ts';

/** The signed-in reader of a private page: their token and what they gave. */
export interface Viewer {
  user: UserRow;
  csrfToken: string;
  given: { article: string[]; comments: Record<string, string[]> };
}

export interface Discussion {
  item: Listed<ArticleListRow>;
  roots: CommentNode[];
  viewer: Viewer | null;
  /** The page this is on, where a reaction posted without the script comes back to. */
  here: string;
  baseUrl: string;
  now: Date;
}

export const commentAnchor = (id: number) => `comment-${idCode(id)}`;

export function commentPath(item: Listed<ArticleListRow>, id: number): string {
  return `${articlePath(item.article, item.author)}/comments/${idCode(id)}`;
}

/** A button that gives or takes back one reaction; the script toggles it in place. */
function reactionButton(options: {
  viewer: Viewer;
  here: string;
  type: 'Article' | 'Comment';
  id: number;
  category: Category;
  given: boolean;
  countId: string;
  label?: string;
}): string {
  const { viewer, type, id, category, given } = options;
  return html`<form method="post" action="/reactions/toggle" class="inline reaction-form" data-inplace="reaction" data-count="${options.countId}">
!${csrfInput(viewer.csrfToken)}
<input type="hidden" name="reactable_type" value="${type}">
<input type="hidden" name="reactable_id" value="${String(id)}">
<input type="hidden" name="category" value="${category}">
<input type="hidden" name="next" value="${options.here}">
<button type="submit" class="reaction" data-category="${category}" aria-pressed="${given ? 'true' : 'false'}">${options.label ?? CATEGORY_LABELS[category]}</button>
</form>`;
}

/** The article's counts, its reaction buttons and the Save button (or a way to sign in). */
function reactionBar(d: Discussion, signInPath: string): string {
  const { article } = d.item;
  const counts = html`<p class="counts">
  <span><span id="article-reactions">${String(article.public_reactions_count)}</span> ${article.public_reactions_count === 1 ? 'reaction' : 'reactions'}</span>
  <a href="#comments">${plural(article.comments_count, 'comment')}</a>
</p>`;
  if (!d.viewer) {
    return html`<section class="reactions" id="reactions" aria-label="Reactions">!${counts}
<p class="sign-in-note"><a href="${signInPath}">Sign in to react or save</a></p></section>`;
  }
  const viewer = d.viewer;
  const given = new Set(viewer.given.article);
  const button = (category: Category) =>
    reactionButton({
      viewer,
      here: d.here,
      type: 'Article',
      id: article.id,
      category,
      given: given.has(category),
      countId: category === READING_LIST ? '' : 'article-reactions',
    });
  return html`<section class="reactions" id="reactions" aria-label="Reactions">!${counts}
<div class="reaction-buttons">!${PUBLIC_CATEGORIES.map(button)}</div>
<div class="save">!${button(READING_LIST)}</div>
</section>`;
}

/**
 * A field no person sees or fills (hidden by the stylesheet, skipped by keyboards and screen
 * readers); a bot that fills every field gives itself away.
 */
function honeypot(id: string): string {
  return html`<p class="hp" aria-hidden="true"><label for="${id}">Website</label><input id="${id}" name="website" type="text" value="" tabindex="-1" autocomplete="off"></p>`;
}

function bodyField(id: string, label: string, value: string, error?: string): string {
  return html`<p class="field">
  <label for="${id}">${label}</label>
  <textarea id="${id}" name="body_markdown" rows="4" maxlength="${String(COMMENT_MAX)}" required!${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>${value}</textarea>
  !${error ? html`<span class="error" id="${id}-error">${error}</span>` : ''}
</p>`;
}

/** The form of a new comment, or of a reply when `parentCode` is given. */
export function commentForm(options: {
  csrfToken: string;
  articleId: number;
  parentCode?: string;
  value?: string;
  error?: string;
  message?: string;
}): string {
  const suffix = options.parentCode ? `reply-${options.parentCode}` : 'new';
  const label = options.parentCode ? 'Your reply' : 'Your comment';
  return html`<form method="post" action="/comments" class="comment-form" data-inplace="comment">
!${csrfInput(options.csrfToken)}
!${options.message ? html`<p class="alert" role="alert">${options.message}</p>` : ''}
<input type="hidden" name="article_id" value="${String(options.articleId)}">
!${options.parentCode ? html`<input type="hidden" name="parent_id" value="${options.parentCode}">` : ''}
!${bodyField(`body-${suffix}`, label, options.value ?? '', options.error)}
!${honeypot(`website-${suffix}`)}
<p><button type="submit">${options.parentCode ? 'Reply' : 'Comment'}</button></p>
</form>`;
}

/** The form that changes a comment's text. */
export function editForm(options: {
  csrfToken: string;
  code: string;
  value: string;
  error?: string;
  message?: string;
}): string {
  return html`<form method="post" action="/comments/${options.code}/edit" class="comment-form" data-inplace="comment">
!${csrfInput(options.csrfToken)}
!${options.message ? html`<p class="alert" role="alert">${options.message}</p>` : ''}
!${bodyField(`body-edit-${options.code}`, 'Your comment', options.value, options.error)}
<p><button type="submit">Save changes</button></p>
</form>`;
}

function actionForm(viewer: Viewer, action: string, label: string, extra = ''): string {
  return html`<form method="post" action="${action}" class="inline" data-inplace="comment"!${extra}>
!${csrfInput(viewer.csrfToken)}
<button type="submit" class="link">${label}</button>
</form>`;
}

/** What a reader may do to one comment: like, reply, edit, delete, hide. */
function commentActions(d: Discussion, node: CommentNode): string {
  const viewer = d.viewer;
  const c = node.comment;
  const code = idCode(c.id);
  const likes = html`<span class="likes"><span id="likes-${code}">${String(c.public_reactions_count)}</span> ${c.public_reactions_count === 1 ? 'like' : 'likes'}</span>`;
  if (!viewer || c.deleted === 1) return html`<div class="comment-actions">!${likes}</div>`;
  const own = c.user_id === viewer.user.id;
  const admin = viewer.user.role === 'admin';
  const moderates = d.item.article.user_id === viewer.user.id || admin;
  const live = c.author.suspended_at === null;
  const parts = [
    live
      ? reactionButton({
          viewer,
          here: d.here,
          type: 'Comment',
          id: c.id,
          category: 'like',
          given: (viewer.given.comments[code] ?? []).includes('like'),
          countId: `likes-${code}`,
        })
      : '',
    likes,
    html`<details class="reply"><summary>Reply</summary>!${commentForm({ csrfToken: viewer.csrfToken, articleId: d.item.article.id, parentCode: code })}</details>`,
    own && live
      ? html`<details class="edit"><summary>Edit</summary>!${editForm({ csrfToken: viewer.csrfToken, code, value: c.body_markdown })}</details>`
      : '',
    own || admin
      ? actionForm(
          viewer,
          `/comments/${code}/delete`,
          'Delete',
          ' data-confirm="Delete this comment?"',
        )
      : '',
    own ? '' : reportLink('Comment', code, commentPath(d.item, c.id)),
    moderates
      ? actionForm(
          viewer,
          `/comments/${code}/${c.hidden !== 0 ? 'unhide' : 'hide'}`,
          c.hidden !== 0 ? 'Unhide' : 'Hide',
        )
      : '',
  ];
  return html`<div class="comment-actions">!${parts.join('\n')}</div>`;
}

/** A link to the form that reports an article or a comment to the moderators. */
function reportLink(type: 'Article' | 'Comment', id: string, next: string): string {
  const query = new URLSearchParams({ reportable_type: type, reportable_id: id, next });
  return html`<a class="report" href="/report?${query.toString()}" rel="nofollow">Report</a>`;
}

/** One comment and its replies down to the depth shown; deeper ones are a link away. */
function commentItem(d: Discussion, node: CommentNode, depth: number): string {
  const c = node.comment;
  const notice = commentNotice(c);
  const permalink = commentPath(d.item, c.id);
  const date = readablePublishDate(c.created_at, d.now) ?? '';
  const replies =
    node.children.length === 0
      ? ''
      : depth < THREAD_DEPTH_SHOWN
        ? html`<ol class="thread">!${node.children.map((child) => commentItem(d, child, depth + 1))}</ol>`
        : html`<p class="continue"><a href="${permalink}">Continue this thread</a></p>`;
  const content = html`<div class="comment-main">
<p class="comment-meta">
  <img class="avatar" src="${profileImage(c.author, d.baseUrl)}" alt="" width="24" height="24">
  <a href="/${c.author.username}">${c.author.name}</a>
  <a href="${permalink}" class="when"><time datetime="${c.created_at}">${date}</time></a>
  !${c.edited_at !== null && c.deleted === 0 ? html`<span class="edited">edited</span>` : ''}
</p>
<div class="comment-body">!${notice === null ? c.body_html : html`<p class="notice">${notice}</p>`}</div>
!${commentActions(d, node)}
</div>
!${replies}`;
  // A hidden comment folds away with its replies; <details> needs no script to open it.
  const body =
    c.hidden !== 0 && c.deleted === 0
      ? html`<details class="hidden-comment"><summary>Comment hidden by ${c.hidden === HIDDEN_BY_MODERATOR ? 'a moderator' : 'the author'}</summary>!${content}</details>`
      : content;
  return html`<li class="comment" id="${commentAnchor(c.id)}">!${body}</li>`;
}

/**
 * The discussion block under an article: counts, buttons, the form (or a sign-in link) and the
 * thread. The script swaps the whole block for the one a write answers with.
 */
export function discussion(d: Discussion): string {
  const path = articlePath(d.item.article, d.item.author);
  const signIn = `/enter?next=${encodeURIComponent(path)}`;
  const count = d.item.article.comments_count;
  const form = d.viewer
    ? commentForm({ csrfToken: d.viewer.csrfToken, articleId: d.item.article.id })
    : html`<p class="sign-in-note"><a href="${signIn}">Sign in to comment</a></p>`;
  const thread =
    d.roots.length === 0
      ? '<p class="empty">No comments yet.</p>'
      : html`<ol class="thread">!${d.roots.map((node) => commentItem(d, node, 1))}</ol>`;
  return html`<div class="discussion" id="discussion" data-scope="article">
!${reactionBar(d, signIn)}
!${d.viewer && d.viewer.user.id !== d.item.article.user_id ? html`<p class="report-article">!${reportLink('Article', String(d.item.article.id), path)}</p>` : ''}
<section class="comments" id="comments" aria-labelledby="comments-heading">
<h2 id="comments-heading">Comments <span class="count">(${String(count)})</span></h2>
<p class="alert" role="alert" id="discussion-error" hidden></p>
!${form}
!${thread}
</section>
</div>`;
}

/** A comment's own page: the comment and its replies, with the way back to the article. */
export function commentPage(d: Discussion, node: CommentNode): string {
  const path = articlePath(d.item.article, d.item.author);
  const parent = node.comment.parent_id;
  return html`<nav class="comment-nav" aria-label="Thread">
<p><a href="${path}#comments">Back to “${d.item.article.title}”</a></p>
!${parent === null ? '' : html`<p><a href="${commentPath(d.item, parent)}">The comment this answers</a></p>`}
</nav>
<div class="discussion" id="discussion" data-scope="comment">
<h1 class="comment-title">Comment on <a href="${path}">${d.item.article.title}</a></h1>
<p class="alert" role="alert" id="discussion-error" hidden></p>
<ol class="thread">!${commentItem(d, node, 1)}</ol>
</div>`;
}

/** A comment form shown again on its own, with what was typed and what was wrong. */
export function commentFormPage(
  state: FormState,
  options: { backPath: string | null; action: 'new' | 'edit'; code?: string },
): string {
  const error = state.errors.find((e) => e.field === 'body_markdown')?.message;
  const others = state.errors.filter((e) => e.field !== 'body_markdown');
  const message =
    state.message ??
    (others.length > 0 ? others.map((e) => `${e.field} ${e.message}`).join('; ') : undefined);
  const value = state.values.body_markdown ?? '';
  const articleId = Number(state.values.article_id);
  const form =
    options.action === 'edit' && options.code
      ? editForm({
          csrfToken: state.csrfToken,
          code: options.code,
          value,
          ...(error && { error }),
          ...(message && { message }),
        })
      : commentForm({
          csrfToken: state.csrfToken,
          articleId: Number.isSafeInteger(articleId) ? articleId : 0,
          ...(state.values.parent_id && { parentCode: state.values.parent_id }),
          value,
          ...(error && { error }),
          ...(message && { message }),
        });
  return html`<section class="narrow comment-retry">
<h1>${options.action === 'edit' ? 'Edit your comment' : 'Write a comment'}</h1>
!${form}
!${options.backPath ? html`<p><a href="${options.backPath}">Back to the article</a></p>` : ''}
</section>`;
}

/** Why a button's action was refused, and the way back. */
export function actionRefusedPage(state: FormState, backPath: string | null): string {
  const message = state.message ?? state.errors.map((e) => `${e.field} ${e.message}`).join('; ');
  return html`<section class="narrow">
<h1>That did not work</h1>
<p class="alert" role="alert">${message}</p>
<p><a href="${backPath ?? '/'}">Go back</a></p>
</section>`;
}

/** The reader's saved articles, each with a button that takes it off the list. */
export function readingListPage(options: {
  items: Listed[];
  csrfToken: string;
  baseUrl: string;
  now: Date;
  page: number;
  hasMore: boolean;
}): string {
  const { items, page } = options;
  const cards = items.map(
    (item) => html`<div class="saved">
!${articleCard(item, options.baseUrl, options.now)}
<form method="post" action="/reactions/toggle" class="inline unsave">
!${csrfInput(options.csrfToken)}
<input type="hidden" name="reactable_type" value="Article">
<input type="hidden" name="reactable_id" value="${String(item.article.id)}">
<input type="hidden" name="category" value="${READING_LIST}">
<input type="hidden" name="next" value="/readinglist${page > 1 ? `?page=${page}` : ''}">
<button type="submit" class="secondary">Unsave<span class="visually-hidden"> “${item.article.title}”</span></button>
</form>
</div>`,
  );
  const more = options.hasMore
    ? html`<a rel="next" href="/readinglist?page=${page + 1}">Older</a>`
    : '';
  const less = page > 1 ? html`<a rel="prev" href="/readinglist?page=${page - 1}">Newer</a>` : '';
  return html`<h1>Reading list</h1>
!${items.length === 0 ? '<p class="empty">Nothing saved yet. Articles you save show up here.</p>' : html`<div class="list">!${cards}</div>`}
<nav class="pager" aria-label="Pages">!${less} !${more}</nav>`;
}
