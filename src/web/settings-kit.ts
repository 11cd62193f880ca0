/**
 * What the settings, admin and editor routes share: ids from the path, the status note an action leaves
 * for the page it redirects to, and answers no cache may keep (they may hold secrets).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../errors.ts';

/** A numeric id from the path; anything else is a resource that does not exist. */
export function idParam(request: FastifyRequest, name = 'id'): number {
  const raw = (request.params as Record<string, string | undefined>)[name] ?? '';
  const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : 0;
  if (!Number.isSafeInteger(id) || id < 1) throw notFound('not found');
  return id;
}

/**
 * The note for `?done=<code>` (or another query key), from the page's own list: the text never
 * comes from the URL, so a crafted link cannot put words on the page.
 */
export function doneNote(
  request: FastifyRequest,
  notes: Record<string, string>,
  key = 'done',
): string | undefined {
  const code = (request.query as Record<string, unknown>)[key];
  return typeof code === 'string' && Object.hasOwn(notes, code) ? notes[code] : undefined;
}

/**
 * A count from the query (e.g. how many deliveries were replayed), or null when absent. The
 * route's querystring schema declares it, so a broken one was already refused.
 */
export function countParam(request: FastifyRequest, name: string): number | null {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : null;
}

/** Every answer of these routes is private to the account and kept by no cache. */
export function privateAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'private, no-store');
  });
}

/** Values of a form field that may repeat (checkboxes sharing a name). */
export function listField(form: Record<string, unknown> | undefined, key: string): string[] {
  const value = form?.[key];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
