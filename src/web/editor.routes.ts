/** The writing side: the editor (new and edit), its server-rendered preview, and the dashboard. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { ArticleRow, UserRow } from '../db/schema.ts';
import { AppError, notFound } from '../errors.ts';
import { csrfFor } from '../http/csrf.ts';
import { dashboardPage, type DashboardSection } from './templates/dashboard.ts';
import {
  editorPage,
  editPath,
  type PreviewContent,
  previewArticle,
  previewErrors,
} from './templates/editor.ts';
import { emptyForm, type FormState } from './templates/forms.ts';
import {
  countMineByState,
  listMineByState,
  type OwnState,
  ownState,
} from '../modules/articles/listings.ts';
import { articlePath } from '../modules/articles/articles.presenter.ts';
import { findArticleByPath, findSeries } from '../modules/articles/articles.repository.ts';
import { BODY_MAX_BYTES } from '../modules/articles/articles.rules.ts';
import {
  canManage,
  createArticle,
  deleteArticle,
  updateArticle,
} from '../modules/articles/articles.service.ts';
import { findUserById } from '../modules/users/users.repository.ts';
import { RESERVED_USERNAMES } from '../modules/users/users.rules.ts';
import {
  articleInput,
  editableMarkdown,
  editAction,
  editSchedule,
  keptValues,
  NEW_ARTICLE_TEMPLATE,
  newAction,
  newSchedule,
  previewOf,
  typedMarkdown,
} from './editor-form.ts';
import { type Form, pageKit, pageNumber, text } from './page.ts';
import { doneNote, privateAnswers } from './settings-kit.ts';

/**
 * A form carries the Markdown percent-encoded, up to three bytes per byte: room for the largest
 * article the rules allow, so an oversized one gets the service's 422 rather than a bare 413.
 */
const EDITOR_BODY_LIMIT = 3 * BODY_MAX_BYTES + 64 * 1024;

/** Articles per dashboard section, and per page of one section. */
const SECTION_SIZE = 20;

const STATES: OwnState[] = ['drafts', 'scheduled', 'published'];

/** Messages a redirect may ask the next page to show, by their query flag. */
const STATUS: Record<string, string> = {
  saved: 'Saved.',
  scheduled: 'Scheduled.',
  published: 'Published.',
  unpublished: 'Unpublished: it is a draft again.',
  deleted: 'Article deleted.',
};

const statusOf = (request: FastifyRequest) => doneNote(request, STATUS, 'status');

export function editorRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { hide, paged, csrf, send, formError, signedIn } = pageKit(ctx, app);
    const post = { ...csrf, bodyLimit: EDITOR_BODY_LIMIT };
    // Pages with someone's unpublished writing stay out of every cache.
    privateAnswers(app);

    /** The article at this path if `user` may change it; for anyone else it does not exist. */
    const editable = async (request: FastifyRequest, user: UserRow) => {
      const { username, slug } = request.params as { username: string; slug: string };
      const article = await findArticleByPath(ctx.database.db, username, slug);
      if (!article || !canManage(user, article)) throw notFound('This article does not exist');
      const author = (await findUserById(ctx.database.db, article.user_id)) as UserRow;
      return { article, author };
    };

    const edited = (article: ArticleRow, author: UserRow) => ({
      state: ownState(article, ctx.clock.now()),
      publishedAt: article.published_at,
      path: articlePath(article, author),
      editPath: editPath(article, author),
    });

    const editTitle = (article: ArticleRow) => `Edit “${article.title}”`;

    app.get('/new', hide, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const form = emptyForm(csrfFor(reply));
      form.values.body_markdown = NEW_ARTICLE_TEMPLATE;
      return send(
        request,
        reply,
        'Write a new article',
        editorPage({ form, now: ctx.clock.now() }),
      );
    });

    app.post('/new', post, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const title = 'Write a new article';
      const now = ctx.clock.now();
      const render = (form: FormState, preview?: PreviewContent) =>
        editorPage({ form, now, ...(preview && { preview }) });
      const body = request.body as Form;
      try {
        const action = newAction(text(body, 'action'));
        const markdown = typedMarkdown(text(body, 'body_markdown'));
        if (action === 'preview') {
          const form: FormState = { ...emptyForm(csrfFor(reply)), values: keptValues(body) };
          return send(request, reply, title, render(form, await previewOf(ctx, markdown)));
        }
        const at =
          action === 'schedule' ? newSchedule(text(body, 'schedule_at'), now, markdown) : undefined;
        const { article, author } = await createArticle(
          ctx,
          user,
          articleInput(markdown, action !== 'draft', at),
        );
        if (action === 'publish') return reply.redirect(articlePath(article, author), 303);
        const flag = action === 'schedule' ? 'scheduled' : 'saved';
        return reply.redirect(`${editPath(article, author)}?status=${flag}`, 303);
      } catch (error) {
        return formError(request, reply, title, (form) => render(form), error);
      }
    });

    app.post('/preview', post, async (request, reply) => {
      if (!request.user) throw new AppError('unauthorized', 'Sign in to preview an article');
      reply.type('text/html; charset=utf-8');
      try {
        const markdown = typedMarkdown(text(request.body as Form, 'body_markdown'));
        return reply.send(previewArticle(await previewOf(ctx, markdown)));
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        const errors = error.errors ?? [{ field: 'body_markdown', message: error.message }];
        return reply.status(error.status).send(previewErrors(errors));
      }
    });

    app.get('/:username/:slug/edit', hide, async (request, reply) => {
      const { username } = request.params as { username: string };
      if (RESERVED_USERNAMES.has(username)) return reply.callNotFound();
      const user = signedIn(request, reply);
      if (!user) return reply;
      const { article, author } = await editable(request, user);
      const series = article.series_id
        ? await findSeries(ctx.database.db, article.series_id)
        : undefined;
      const form = emptyForm(csrfFor(reply));
      form.values.body_markdown = editableMarkdown(article, series?.name ?? null);
      return send(
        request,
        reply,
        editTitle(article),
        editorPage({
          form,
          now: ctx.clock.now(),
          article: edited(article, author),
          status: statusOf(request),
        }),
      );
    });

    app.post('/:username/:slug/edit', post, async (request, reply) => {
      const { username } = request.params as { username: string };
      if (RESERVED_USERNAMES.has(username)) return reply.callNotFound();
      const user = signedIn(request, reply);
      if (!user) return reply;
      const { article, author } = await editable(request, user);
      const now = ctx.clock.now();
      const title = editTitle(article);
      const body = request.body as Form;
      const render = (form: FormState, preview?: PreviewContent) =>
        editorPage({ form, now, article: edited(article, author), ...(preview && { preview }) });
      try {
        const action = editAction(text(body, 'action'));
        // The dashboard's buttons post no text: they change the state of the text as stored.
        const markdown =
          typeof body.body_markdown === 'string'
            ? typedMarkdown(body.body_markdown)
            : article.body_markdown;
        const done = (flag: string, path: string) =>
          reply.redirect(
            text(body, 'back') === 'dashboard' ? `/dashboard?status=${flag}` : path,
            303,
          );
        if (action === 'preview') {
          const form: FormState = { ...emptyForm(csrfFor(reply)), values: keptValues(body) };
          return send(request, reply, title, render(form, await previewOf(ctx, markdown)));
        }
        if (action === 'delete') {
          await deleteArticle(ctx, user, article.id);
          return reply.redirect('/dashboard?status=deleted', 303);
        }
        const at =
          action === 'schedule' ? editSchedule(article, text(body, 'schedule_at'), now) : undefined;
        const published =
          action === 'save'
            ? article.published === 1
            : action === 'publish' || action === 'schedule';
        const saved = await updateArticle(
          ctx,
          user,
          article.id,
          articleInput(markdown, published, at),
        );
        if (action === 'publish')
          return done('published', articlePath(saved.article, saved.author));
        const flag =
          action === 'save' ? 'saved' : action === 'schedule' ? 'scheduled' : 'unpublished';
        return done(flag, `${editPath(saved.article, saved.author)}?status=${flag}`);
      } catch (error) {
        return formError(request, reply, title, (form) => render(form), error);
      }
    });

    const sectionOf = async (user: UserRow, state: OwnState, page: number, count: number) => {
      const { items, more } = await listMineByState(ctx, user, state, {
        page,
        per_page: SECTION_SIZE,
      });
      return { state, count, items, more } satisfies DashboardSection;
    };

    app.get('/dashboard', hide, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const counts = await countMineByState(ctx, user);
      const sections = await Promise.all(STATES.map((s) => sectionOf(user, s, 1, counts[s])));
      const page = dashboardPage({
        sections,
        status: statusOf(request),
        csrfToken: csrfFor(reply),
      });
      return send(request, reply, 'Dashboard', page);
    });

    app.get('/dashboard/:state', paged, async (request, reply) => {
      const { state } = request.params as { state: string };
      if (!STATES.includes(state as OwnState)) return reply.callNotFound();
      const user = signedIn(request, reply);
      if (!user) return reply;
      const counts = await countMineByState(ctx, user);
      const page = pageNumber(request);
      const own = state as OwnState;
      const section = await sectionOf(user, own, page, counts[own]);
      const body = dashboardPage({ sections: [section], page, csrfToken: csrfFor(reply) });
      return send(request, reply, 'Dashboard', body);
    });
  };
}
