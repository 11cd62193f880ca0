/** What the discussion under an article needs, for whoever asks: the thread, and the reader's own state. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { ArticleListRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { csrfFor } from '../http/csrf.ts';
import { articlePath } from '../modules/articles/articles.presenter.ts';
import type { Listed } from '../modules/articles/articles.service.ts';
import { threadOf } from '../modules/comments/comments.service.ts';
import { readerState } from '../modules/reactions/reactions.service.ts';
import type { Discussion } from './templates/conversation.ts';

/**
 * The discussion of an article as the requester sees it. Without an account it is the same for
 * everyone (the shared page); with one it carries their forms and what they gave. Null for an
 * article no one may discuss (a draft its author previews).
 */
export async function discussionOf(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  item: Listed<ArticleListRow>,
  here = articlePath(item.article, item.author),
): Promise<Discussion | null> {
  // A draft or scheduled article, seen by its author, has no discussion yet.
  const roots = await threadOf(ctx, item.article.id).catch((error: unknown) => {
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  });
  if (roots === null) return null;
  const user = request.user;
  const viewer = user
    ? {
        user,
        csrfToken: csrfFor(reply),
        given: await readerState(ctx, user, item.article.id),
      }
    : null;
  return { item, roots, viewer, here, baseUrl: ctx.config.baseUrl, now: ctx.clock.now() };
}
