/** The feed sources settings: add and remove sources, and import one now. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { csrfFor } from '../http/csrf.ts';
import { emptyForm, type FormState } from './templates/forms.ts';
import { FEED_FETCH_ROUTE } from '../http/request-timeout.ts';
import { feedsSettingsPage } from './templates/settings-feeds.ts';
import {
  addSource,
  claimSource,
  listSources,
  ownSource,
  pollClaimed,
  removeSource,
} from '../modules/imports/feed-sources.service.ts';
import { type Form, type PageKit, text } from './page.ts';
import { doneNote, idParam } from './settings-kit.ts';

const NOTES = {
  added: 'Feed added: it is imported at the next poll, or now with "Import now".',
  removed: 'Feed removed. Articles it brought in stay.',
  'polled-ok': 'Feed imported: the result is below.',
  'polled-not_modified': 'The feed has not changed since the last poll.',
  'polled-error': 'The feed could not be imported: the error is below.',
};

const ticked = (form: Form, key: string) => text(form, key) !== '';

export function feedSettingsRoutes(ctx: AppContext, app: FastifyInstance, kit: PageKit): void {
  const { hide, csrf, send, formError, signedIn } = kit;
  const title = 'Feed sources';

  app.get('/settings/feeds', hide, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const page = feedsSettingsPage(
      emptyForm(csrfFor(reply)),
      await listSources(ctx, user),
      doneNote(request, NOTES),
    );
    return send(request, reply, title, page);
  });

  app.post('/settings/feeds', csrf, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const form = request.body as Form;
    try {
      await addSource(ctx, user, {
        url: text(form, 'url'),
        publish: ticked(form, 'publish'),
        canonical: ticked(form, 'canonical'),
      });
    } catch (error) {
      const sources = await listSources(ctx, user);
      const render = (state: FormState) => feedsSettingsPage(state, sources);
      return formError(request, reply, title, render, error);
    }
    return reply.redirect('/settings/feeds?done=added', 303);
  });

  app.post('/settings/feeds/:id/remove', csrf, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    await removeSource(ctx, user, idParam(request));
    return reply.redirect('/settings/feeds?done=removed', 303);
  });

  const fetching = { ...csrf, config: { ...csrf.config, ...FEED_FETCH_ROUTE } };
  app.post('/settings/feeds/:id/poll', fetching, async (request, reply) => {
    const user = signedIn(request, reply);
    if (!user) return reply;
    const id = idParam(request);
    await ownSource(ctx, user, id);
    const claimed = await claimSource(ctx, id);
    if (!claimed) {
      throw new AppError('conflict', 'This feed is being imported right now; try again shortly');
    }
    const result = await pollClaimed(ctx, claimed);
    return reply.redirect(`/settings/feeds?done=polled-${result.status}#source-${id}`, 303);
  });
}
