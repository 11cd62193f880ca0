/**
 * A one-button form (follow, mark read, mute): the change, then 303 back to the page the button
 * was on; a change the service refuses answers the page that says what was wrong, with that way
 * back.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageKit } from './page.ts';
import { actionRefusedPage } from './templates/conversation.ts';

export async function oneButton(
  formError: PageKit['formError'],
  request: FastifyRequest,
  reply: FastifyReply,
  back: string,
  change: () => Promise<unknown>,
): Promise<FastifyReply> {
  try {
    await change();
    return await reply.redirect(back, 303);
  } catch (error) {
    return formError(
      request,
      reply,
      'That did not work',
      (state) => actionRefusedPage(state, back),
      error,
    );
  }
}
