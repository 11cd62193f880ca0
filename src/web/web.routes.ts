/**
 * The HTML side: first run, accounts, home, articles and profiles.
 * Fast path: home, tag, profile and article pages, once cached for anonymous readers, are
 * answered by src/http/fast-path.ts before they reach these routes.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError, notFound } from '../errors.ts';
import {
  authorKey,
  discussionKey,
  followersKey,
  HOME_KEY,
  listedCountKeys,
  listedKeys,
  seriesKey,
  tagFollowersKey,
  tagKey,
  userKey,
} from '../events/cache-keys.ts';
import { profileFollowBox, tagFollowBox } from './follows.routes.ts';
import { csrfFor } from '../http/csrf.ts';
import { clearSessionCookie, setSessionCookie } from '../modules/auth/session-cookie.ts';
import {
  articleHead,
  articleList,
  articlePage,
  profilePage,
  tagPage,
} from './templates/articles.ts';
import { discussion } from './templates/conversation.ts';
import { emptyForm } from './templates/forms.ts';
import { discussionOf } from './discussion.ts';
import { setupPage, signInPage, signUpPage } from './templates/pages.ts';
import { homeTabs } from './templates/notifications.ts';
import { listPublicPage, listSeries } from '../modules/articles/listings.ts';
import { findArticleByPath, findSeries } from '../modules/articles/articles.repository.ts';
import { articleForViewer } from '../modules/articles/articles.service.ts';
import { authenticate } from '../modules/auth/auth.service.ts';
import { endAllSessions, endSession, startSession } from '../modules/auth/sessions.ts';
import { countUsers, findUserByUsername } from '../modules/users/users.repository.ts';
import { RESERVED_USERNAMES } from '../modules/users/users.rules.ts';
import { createAccount } from '../modules/users/users.service.ts';
import { type Form, pageKit, pageNumber, safeNext, text } from './page.ts';
import { setSiteName, siteName, siteSettings } from '../modules/site/site.service.ts';

/** Articles per page on the home page, profiles and tag pages. */
const PAGE_SIZE = 20;
/** What a tag can be (see articles.rules.ts); anything else has no page. */
const TAG = /^[a-z0-9]{1,30}$/;

export function webRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { hide, paged, csrf, send, formError, publicPage } = pageKit(ctx, app);

    const signIn = async (reply: FastifyReply, user: UserRow, next = '/') => {
      setSessionCookie(reply, ctx, await startSession(ctx, user));
      return reply.redirect(safeNext(next), 303);
    };

    app.get('/', paged, async (request, reply) => {
      if ((await countUsers(ctx.database.db)) === 0) {
        return send(request, reply, 'Set up Quire', setupPage(emptyForm(csrfFor(reply))));
      }
      return publicPage(request, reply, async () => {
        const page = pageNumber(request);
        const { items, more } = await listPublicPage(ctx, { page, per_page: PAGE_SIZE });
        const list = articleList(items, ctx.config.baseUrl, ctx.clock.now(), page, '/', more);
        const site = await siteSettings(ctx);
        // A signed-in reader's own home page (never the shared cached one) has the tabs.
        const tabs = request.user ? homeTabs('latest') : '';
        return {
          title: site.site_name,
          body: `${tabs}<h1 class="visually-hidden">Latest articles</h1>${list}`,
          ...(site.site_description ? { description: site.site_description } : {}),
          keys: [HOME_KEY, ...listedKeys(items)],
          softKeys: listedCountKeys(items),
        };
      });
    });

    app.post('/setup', csrf, async (request, reply) => {
      const form = request.body as Form;
      try {
        if ((await countUsers(ctx.database.db)) > 0)
          throw new AppError('setup_done', 'This instance is already set up; sign in instead');
        const user = await createAccount(ctx, {
          username: text(form, 'username'),
          email: text(form, 'email'),
          password: text(form, 'password'),
        });
        const name = text(form, 'site_name').trim();
        if (name !== '' && user.role === 'admin') await setSiteName(ctx, name);
        return signIn(reply, user);
      } catch (error) {
        return formError(request, reply, 'Set up Quire', setupPage, error);
      }
    });

    app.get('/signup', hide, async (request, reply) =>
      send(request, reply, 'Create account', signUpPage(emptyForm(csrfFor(reply)))),
    );

    app.post('/signup', csrf, async (request, reply) => {
      const form = request.body as Form;
      try {
        const user = await createAccount(ctx, {
          username: text(form, 'username'),
          email: text(form, 'email'),
          password: text(form, 'password'),
          name: text(form, 'name') || undefined,
        });
        return signIn(reply, user);
      } catch (error) {
        return formError(request, reply, 'Create account', signUpPage, error);
      }
    });

    app.get('/enter', hide, async (request, reply) => {
      const next = (request.query as { next?: unknown }).next;
      const state = emptyForm(csrfFor(reply));
      if (typeof next === 'string') state.values.next = safeNext(next);
      return send(request, reply, 'Sign in', signInPage(state));
    });

    app.post('/enter', csrf, async (request, reply) => {
      const form = request.body as Form;
      try {
        return signIn(
          reply,
          await authenticate(ctx, text(form, 'login'), text(form, 'password'), request.ip),
          text(form, 'next') || '/',
        );
      } catch (error) {
        return formError(request, reply, 'Sign in', signInPage, error);
      }
    });

    app.post('/signout', csrf, async (request, reply) => {
      if (request.sessionToken) await endSession(ctx.database.db, request.sessionToken);
      clearSessionCookie(reply, ctx);
      return reply.redirect('/', 303);
    });

    app.post('/signout_everywhere', csrf, async (request, reply) => {
      if (request.user) await endAllSessions(ctx, request.user.id);
      clearSessionCookie(reply, ctx);
      return reply.redirect('/', 303);
    });

    app.get('/t/:tag', paged, async (request, reply) => {
      const { tag: raw } = request.params as { tag: string };
      const tag = raw.toLowerCase();
      if (!TAG.test(tag)) throw notFound('No articles carry this tag');
      return publicPage(request, reply, async () => {
        const page = pageNumber(request);
        const { items, more } = await listPublicPage(ctx, { tag, page, per_page: PAGE_SIZE });
        if (items.length === 0 && page === 1) throw notFound('No articles carry this tag');
        return {
          title: `#${tag}`,
          body: tagPage(
            tag,
            items,
            ctx.config.baseUrl,
            ctx.clock.now(),
            page,
            more,
            await tagFollowBox(ctx, request, reply, tag),
          ),
          description: `Articles tagged #${tag}`,
          feeds: [{ title: `#${tag}`, path: `/feed/tag/${tag}` }],
          keys: [tagKey(tag), tagFollowersKey(tag), ...listedKeys(items)],
          softKeys: listedCountKeys(items),
        };
      });
    });

    app.get('/:username', paged, async (request, reply) => {
      const { username } = request.params as { username: string };
      if (RESERVED_USERNAMES.has(username)) return reply.callNotFound();
      return publicPage(request, reply, async () => {
        const user = await findUserByUsername(ctx.database.db, username);
        if (!user) throw notFound('No one here goes by that name');
        const page = pageNumber(request);
        const { items, more } = await listPublicPage(ctx, {
          username: user.username,
          page,
          per_page: PAGE_SIZE,
        });
        return {
          title: user.name,
          body: profilePage(
            user,
            items,
            ctx.config.baseUrl,
            ctx.clock.now(),
            page,
            more,
            await profileFollowBox(ctx, request, reply, user),
          ),
          description: user.summary ?? `Articles by ${user.name}`,
          feeds: [{ title: user.name, path: `/feed/${user.username}` }],
          keys: [userKey(user.id), authorKey(user.id), followersKey(user.id), ...listedKeys(items)],
          softKeys: listedCountKeys(items),
        };
      });
    });

    app.get('/:username/:slug', hide, async (request, reply) => {
      const { username, slug } = request.params as { username: string; slug: string };
      // Reserved names are routes (e.g. /api/...), never authors: answer as the unknown route.
      if (RESERVED_USERNAMES.has(username)) return reply.callNotFound();
      return publicPage(request, reply, async () => {
        const found = await findArticleByPath(ctx.database.db, username, slug);
        const item = await articleForViewer(ctx, request.user, found).catch(() => {
          throw notFound('This article does not exist, or is not published');
        });
        const series = item.article.series_id
          ? await findSeries(ctx.database.db, item.article.series_id)
          : undefined;
        const seriesNav = series
          ? { name: series.name, items: await listSeries(ctx, series.id) }
          : null;
        const talk = await discussionOf(ctx, request, reply, item);
        return {
          title: item.article.title,
          body: articlePage(
            item,
            ctx.config.baseUrl,
            ctx.clock.now(),
            seriesNav,
            talk ? discussion(talk) : '',
          ),
          head: articleHead(item, ctx.config.baseUrl, await siteName(ctx)),
          description: item.article.description,
          feeds: [{ title: item.author.name, path: `/feed/${item.author.username}` }],
          keys: [
            ...listedKeys([item]),
            discussionKey(item.article.id),
            ...(series ? [seriesKey(series.id), ...listedKeys(seriesNav?.items ?? [])] : []),
          ],
        };
      });
    });
  };
}
