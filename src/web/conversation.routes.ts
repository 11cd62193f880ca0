/**
 * The HTML side of comments, reactions and the reading list: form posts that answer 303 back to
 * where the change shows (or, asked with `Accept: application/json` by the script, the new
 * discussion to put in place), a comment's own page, and the reader's reading list.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { ArticleListRow, UserRow } from '../db/schema.ts';
import { AppError, notFound, validationFailed } from '../errors.ts';
import { discussionKey, listedKeys } from '../events/cache-keys.ts';
import { csrfFor } from '../http/csrf.ts';
import { wantsJson } from '../http/error-handler.ts';
import { articlePath } from '../modules/articles/articles.presenter.ts';
import {
  articleForViewer,
  findArticleByPath,
  type Listed,
  listedByIds,
} from '../modules/articles/articles.service.ts';
import { findNode } from '../modules/comments/comments.presenter.ts';
import { COMMENT_MAX, idFromCode, THREAD_DEPTH_SHOWN } from '../modules/comments/comments.rules.ts';
import {
  commentDepth,
  createComment,
  deleteComment,
  editComment,
  findCommentRow,
  setCommentHidden,
} from '../modules/comments/comments.service.ts';
import { react, readingListOf } from '../modules/reactions/reactions.service.ts';
import { RESERVED_USERNAMES } from '../modules/users/users.rules.ts';
import { discussionOf } from './discussion.ts';
import { type Form, pageKit, pageNumber, safeNext, text } from './page.ts';
import {
  actionRefusedPage,
  commentAnchor,
  commentFormPage,
  commentPage,
  commentPath,
  discussion,
  readingListPage,
} from './templates/conversation.ts';
import type { FormState } from './templates/forms.ts';

/**
 * A form carries the Markdown percent-encoded, up to nine bytes per UTF-16 unit: room for the
 * longest comment the rules allow, so an oversized one gets the service's 422, not a bare 413.
 */
const COMMENT_BODY_LIMIT = 9 * COMMENT_MAX + 16 * 1024;
/** Saved articles per page of the reading list. */
const READING_LIST_PAGE = 20;
const DIGITS = /^[0-9]{1,15}$/;

/** The comment an id_code names, or a 404. */
function commentIdOf(code: string): number {
  const id = idFromCode(code);
  if (id === null) throw notFound('This comment does not exist');
  return id;
}

export function conversationRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { csrf, hide, paged, send, formError, publicPage, signedIn } = pageKit(ctx, app);
    const post = { ...csrf, bodyLimit: COMMENT_BODY_LIMIT };

    /** The article with its author and path, or null. */
    const articleTarget = async (id: number) => {
      const [item] = await listedByIds(ctx, [id]);
      return item ? { item, path: articlePath(item.article, item.author) } : null;
    };

    /** The article page anchored at a comment, for the way back from a refused action. */
    const backToComment = async (code: string): Promise<string | null> => {
      const id = idFromCode(code);
      const row = id === null ? undefined : await findCommentRow(ctx, id);
      const target = row ? await articleTarget(row.article_id) : null;
      return target && row ? `${target.path}#${commentAnchor(row.id)}` : null;
    };

    /** The reader, or null after sending a signed-out post to the sign-in page. */
    const reader = (request: FastifyRequest, reply: FastifyReply): UserRow | null => {
      if (!request.user && wantsJson(request))
        throw new AppError('unauthorized', 'Sign in to take part');
      return signedIn(request, reply);
    };

    /** A refused write: the script gets the problem; a browser, the page that says what was wrong. */
    const refused = (
      request: FastifyRequest,
      reply: FastifyReply,
      title: string,
      render: (state: FormState) => string,
      error: unknown,
    ) => {
      if (wantsJson(request)) throw error;
      return formError(request, reply, title, render, error);
    };

    /**
     * After a comment changed: back to the page that shows it (the article page, or the page of
     * the comment it answers when it sits deeper than the article page shows), or the discussion
     * as it now is, for the script to put in place.
     */
    const commentDone = async (
      request: FastifyRequest,
      reply: FastifyReply,
      articleId: number,
      commentId: number | null,
    ) => {
      const target = await articleTarget(articleId);
      if (!target) return reply.redirect('/', 303);
      let location = `${target.path}#comments`;
      if (commentId !== null) {
        const row = await findCommentRow(ctx, commentId);
        const deep =
          (await commentDepth(ctx, commentId, THREAD_DEPTH_SHOWN + 1)) > THREAD_DEPTH_SHOWN &&
          row?.parent_id;
        const page = deep ? commentPath(target.item, deep) : target.path;
        location = `${page}#${commentAnchor(commentId)}`;
      }
      if (!wantsJson(request)) return reply.redirect(location, 303);
      const talk = await discussionOf(ctx, request, reply, target.item);
      reply.header('cache-control', 'private, no-store');
      return reply.send({ location, html: talk ? discussion(talk) : null });
    };

    app.post('/comments', post, async (request, reply) => {
      const user = reader(request, reply);
      if (!user) return reply;
      const form = request.body as Form;
      const rawId = text(form, 'article_id');
      const target = DIGITS.test(rawId) ? await articleTarget(Number(rawId)) : null;
      try {
        if (!target) throw notFound('This article does not exist, or is not published');
        // A filled honeypot is a bot: it is told all went well, and nothing is kept.
        if (text(form, 'website') !== '') return commentDone(request, reply, Number(rawId), null);
        const parentCode = text(form, 'parent_id');
        const parent = parentCode === '' ? null : (idFromCode(parentCode) ?? 0);
        const { comment } = await createComment(ctx, user, {
          body_markdown: text(form, 'body_markdown'),
          article_id: target.item.article.id,
          parent_id: parent,
        });
        return await commentDone(request, reply, comment.article_id, comment.id);
      } catch (error) {
        const backPath = target?.path ?? null;
        return refused(
          request,
          reply,
          'Write a comment',
          (state) => commentFormPage(state, { backPath, action: 'new' }),
          error,
        );
      }
    });

    app.post('/comments/:id/edit', post, async (request, reply) => {
      const user = reader(request, reply);
      if (!user) return reply;
      const { id: code } = request.params as { id: string };
      try {
        const id = commentIdOf(code);
        const body = text(request.body as Form, 'body_markdown');
        const { article } = await editComment(ctx, user, id, body);
        return await commentDone(request, reply, article.id, id);
      } catch (error) {
        const backPath = await backToComment(code);
        return refused(
          request,
          reply,
          'Edit your comment',
          (state) => commentFormPage(state, { backPath, action: 'edit', code }),
          error,
        );
      }
    });

    /** A one-button change of a comment: delete, hide, unhide. */
    const commentAction = (
      path: string,
      change: (user: UserRow, id: number) => Promise<{ articleId: number }>,
    ) =>
      app.post(path, csrf, async (request, reply) => {
        const user = reader(request, reply);
        if (!user) return reply;
        const { id: code } = request.params as { id: string };
        try {
          const id = commentIdOf(code);
          const { articleId } = await change(user, id);
          return await commentDone(request, reply, articleId, id);
        } catch (error) {
          const backPath = await backToComment(code);
          return refused(
            request,
            reply,
            'That did not work',
            (state) => actionRefusedPage(state, backPath),
            error,
          );
        }
      });

    commentAction('/comments/:id/delete', async (user, id) => {
      const row = await findCommentRow(ctx, id);
      await deleteComment(ctx, user, id);
      return { articleId: row?.article_id ?? 0 };
    });
    commentAction('/comments/:id/hide', async (user, id) => {
      const { article } = await setCommentHidden(ctx, user, id, true);
      return { articleId: article.id };
    });
    commentAction('/comments/:id/unhide', async (user, id) => {
      const { article } = await setCommentHidden(ctx, user, id, false);
      return { articleId: article.id };
    });

    /** Where a reaction shows, and the count it moved. */
    const placeOf = async (type: string, id: number) => {
      if (type === 'Comment') {
        const row = await findCommentRow(ctx, id);
        const target = row ? await articleTarget(row.article_id) : null;
        return {
          path: target ? `${target.path}#${commentAnchor(id)}` : '/',
          count: row?.public_reactions_count ?? 0,
        };
      }
      const target = await articleTarget(id);
      return {
        path: target ? `${target.path}#reactions` : '/',
        count: target?.item.article.public_reactions_count ?? 0,
      };
    };

    app.post('/reactions/toggle', csrf, async (request, reply) => {
      const user = reader(request, reply);
      if (!user) return reply;
      const form = request.body as Form;
      const type = text(form, 'reactable_type');
      const rawId = text(form, 'reactable_id');
      const next = text(form, 'next');
      try {
        if (!DIGITS.test(rawId))
          throw validationFailed([{ field: 'reactable_id', message: 'must be a number' }]);
        const input = { category: text(form, 'category'), reactable_id: Number(rawId) };
        const result = await react(ctx, user, { ...input, reactable_type: type }, 'toggle');
        const place = await placeOf(result.reactable_type, result.reactable_id);
        if (wantsJson(request)) {
          reply.header('cache-control', 'private, no-store');
          return reply.send({
            result: result.result,
            category: result.category,
            given: result.result !== 'destroy',
            count: place.count,
          });
        }
        const anchor = place.path.includes('#') ? place.path.slice(place.path.indexOf('#')) : '';
        return reply.redirect(next === '' ? place.path : `${safeNext(next)}${anchor}`, 303);
      } catch (error) {
        const backPath =
          next !== ''
            ? safeNext(next)
            : DIGITS.test(rawId)
              ? (await placeOf(type, Number(rawId))).path
              : null;
        return refused(
          request,
          reply,
          'That did not work',
          (state) => actionRefusedPage(state, backPath),
          error,
        );
      }
    });

    app.get('/readinglist', paged, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const page = pageNumber(request);
      // One saved article past the page says whether an older page follows.
      const found = await readingListOf(ctx, user, page, READING_LIST_PAGE, 1);
      reply.header('cache-control', 'private, no-store');
      const body = readingListPage({
        items: found.slice(0, READING_LIST_PAGE),
        csrfToken: csrfFor(reply),
        baseUrl: ctx.config.baseUrl,
        now: ctx.clock.now(),
        page,
        hasMore: found.length > READING_LIST_PAGE,
      });
      return send(request, reply, 'Reading list', body);
    });

    app.get('/:username/:slug/comments/:id', hide, async (request, reply) => {
      const { username, slug, id } = request.params as {
        username: string;
        slug: string;
        id: string;
      };
      if (RESERVED_USERNAMES.has(username)) return reply.callNotFound();
      return publicPage(request, reply, async () => {
        const missing = () => notFound('This comment does not exist');
        const commentId = commentIdOf(id);
        const found = await findArticleByPath(ctx.database.db, username, slug);
        const item: Listed<ArticleListRow> = await articleForViewer(ctx, request.user, found).catch(
          () => {
            throw missing();
          },
        );
        const talk = await discussionOf(ctx, request, reply, item, commentPath(item, commentId));
        const node = talk ? findNode(talk.roots, commentId) : undefined;
        if (!talk || !node) throw missing();
        return {
          title: `Comment by ${node.comment.author.name} on ${item.article.title}`,
          body: commentPage(talk, node),
          keys: [...listedKeys([item]), discussionKey(item.article.id)],
        };
      });
    });
  };
}
