/** An account's own settings: profile, password, API keys, feed sources and webhooks. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { csrfFor } from '../http/csrf.ts';
import { setSessionCookie } from '../modules/auth/session-cookie.ts';
import { emptyForm, type FormState } from './templates/forms.ts';
import {
  keysSettingsPage,
  passwordSettingsPage,
  profileSettingsPage,
} from './templates/settings.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../modules/apikeys/apikeys.service.ts';
import { changePassword } from '../modules/auth/auth.service.ts';
import { startSession } from '../modules/auth/sessions.ts';
import { updateProfile } from '../modules/users/users.service.ts';
import { type Form, pageKit, text } from './page.ts';
import { feedSettingsRoutes } from './settings-feeds.routes.ts';
import { doneNote, idParam, privateAnswers } from './settings-kit.ts';
import { webhookSettingsRoutes } from './settings-webhooks.routes.ts';

const NOTES = {
  saved: 'Saved',
  password: 'Password changed. Every other browser has been signed out.',
  revoked: 'The key is revoked: it no longer works.',
};

function profileForm(user: UserRow, csrfToken: string): FormState {
  const state = emptyForm(csrfToken);
  state.values = {
    name: user.name,
    summary: user.summary ?? '',
    website_url: user.website_url ?? '',
    profile_image: user.profile_image ?? '',
  };
  return state;
}

export function settingsRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const kit = pageKit(ctx, app);
    const { hide, csrf, send, formError, signedIn } = kit;
    privateAnswers(app);

    app.get('/settings', hide, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const page = profileSettingsPage(profileForm(user, csrfFor(reply)), doneNote(request, NOTES));
      return send(request, reply, 'Profile settings', page);
    });

    app.post('/settings', csrf, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const form = request.body as Form;
      try {
        await updateProfile(ctx, user, {
          name: text(form, 'name'),
          summary: text(form, 'summary'),
          website_url: text(form, 'website_url'),
          profile_image: text(form, 'profile_image'),
        });
      } catch (error) {
        return formError(request, reply, 'Profile settings', profileSettingsPage, error);
      }
      return reply.redirect('/settings?done=saved', 303);
    });

    app.get('/settings/password', hide, async (request, reply) => {
      if (!signedIn(request, reply)) return reply;
      const page = passwordSettingsPage(emptyForm(csrfFor(reply)), doneNote(request, NOTES));
      return send(request, reply, 'Password', page);
    });

    app.post('/settings/password', csrf, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const form = request.body as Form;
      try {
        const change = {
          current: text(form, 'current_password'),
          next: text(form, 'new_password'),
          confirmation: text(form, 'new_password_confirmation'),
        };
        await changePassword(ctx, user, change, request.ip);
      } catch (error) {
        return formError(request, reply, 'Password', passwordSettingsPage, error);
      }
      // Every session ended with the old password, this one too; this browser gets a new one.
      setSessionCookie(reply, ctx, await startSession(ctx, user));
      return reply.redirect('/settings/password?done=password', 303);
    });

    app.get('/settings/keys', hide, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      const page = keysSettingsPage(emptyForm(csrfFor(reply)), {
        keys: await listApiKeys(ctx, user),
        message: doneNote(request, NOTES),
      });
      return send(request, reply, 'API keys', page);
    });

    app.post('/settings/keys', csrf, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      let created;
      try {
        created = await createApiKey(ctx, user, text(request.body as Form, 'name'));
      } catch (error) {
        const keys = await listApiKeys(ctx, user);
        const render = (state: FormState) => keysSettingsPage(state, { keys });
        return formError(request, reply, 'API keys', render, error);
      }
      // The key is in this answer only: a redirect would have to carry it in the URL.
      const page = keysSettingsPage(emptyForm(csrfFor(reply)), {
        keys: await listApiKeys(ctx, user),
        created: { name: created.row.name, key: created.key },
      });
      return send(request, reply, 'API keys', page);
    });

    app.post('/settings/keys/:id/revoke', csrf, async (request, reply) => {
      const user = signedIn(request, reply);
      if (!user) return reply;
      await revokeApiKey(ctx, user, idParam(request));
      return reply.redirect('/settings/keys?done=revoked', 303);
    });

    feedSettingsRoutes(ctx, app, kit);
    webhookSettingsRoutes(ctx, app, kit);
  };
}
