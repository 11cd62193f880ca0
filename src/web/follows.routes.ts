/**
 * The HTML side of follows: the box a profile or tag page shows (counts, and a Follow / Unfollow
 * button for a signed-in reader), and the form posts behind the button, which answer 303 back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { csrfFor } from '../http/csrf.ts';
import {
  type FollowInput,
  follow,
  isFollowing,
  tagFollowersCount,
  unfollow,
} from '../modules/follows/follows.service.ts';
import { isFollowableTag, normalizeTagName } from '../modules/follows/follows.rules.ts';
import { userById } from '../modules/users/users.service.ts';
import { type Form, pageKit, text } from './page.ts';
import { oneButton } from './one-button.ts';
import {
  followBox,
  followerCount,
  profileFollowCounts,
  type FollowViewer,
} from './templates/follows.ts';

const DIGITS = /^[0-9]{1,15}$/;

async function viewerOf(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  input: FollowInput,
  own: boolean,
): Promise<FollowViewer> {
  const user = request.user;
  if (!user) return null;
  return {
    csrfToken: csrfFor(reply),
    following: own ? null : await isFollowing(ctx, user, input),
  };
}

/** A profile's follow box: its counts, and the button (none on one's own profile). */
export async function profileFollowBox(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserRow,
): Promise<string> {
  const input = { user_id: user.id };
  const viewer = await viewerOf(ctx, request, reply, input, request.user?.id === user.id);
  const target = {
    field: 'user_id' as const,
    value: String(user.id),
    path: `/${user.username}`,
    counts: profileFollowCounts(user),
  };
  return followBox(target, viewer);
}

/** A tag page's follow box: how many follow the tag, and the button. */
export async function tagFollowBox(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  tag: string,
): Promise<string> {
  const viewer = await viewerOf(ctx, request, reply, { tag }, false);
  const counts = [followerCount(await tagFollowersCount(ctx, tag))];
  return followBox({ field: 'tag', value: tag, path: `/t/${tag}`, counts }, viewer);
}

export function followPagesRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { csrf, signedIn, formError } = pageKit(ctx, app);

    /** The account or tag a form names, and the page that shows it. */
    const formTarget = async (form: Form): Promise<{ input: FollowInput; back: string }> => {
      const tag = text(form, 'tag');
      if (tag !== '') {
        const name = normalizeTagName(tag);
        return { input: { tag }, back: isFollowableTag(name) ? `/t/${name}` : '/' };
      }
      const raw = text(form, 'user_id');
      const id = DIGITS.test(raw) ? Number(raw) : 0;
      const user = id > 0 ? await userById(ctx, id) : undefined;
      return { input: { user_id: id }, back: user ? `/${user.username}` : '/' };
    };

    const post = (path: string, run: (user: UserRow, input: FollowInput) => Promise<unknown>) =>
      app.post(path, csrf, async (request, reply) => {
        const user = signedIn(request, reply);
        if (!user) return reply;
        const { input, back } = await formTarget(request.body as Form);
        return oneButton(formError, request, reply, back, () => run(user, input));
      });

    post('/follow', (user, input) => follow(ctx, user, input));
    post('/unfollow', (user, input) => unfollow(ctx, user, input));
  };
}
