/**
 * Turns every failure into a clear answer: JSON problems for the API, pages for browsers.
 * A 5xx is logged in full and answered with a generic message, never with internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../errors.ts';
import { type Problem, PROBLEM_JSON, problem } from './problem.ts';

export type ErrorPageRenderer = (
  request: FastifyRequest,
  reply: FastifyReply,
  p: Problem,
) => Promise<string>;

/** Fastify's own client errors, by code, with the words we answer them with. */
const FASTIFY_ERRORS: Record<string, { code: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', detail: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    detail: 'Unsupported Content-Type; send application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'bad_request',
    detail: 'Content-Length does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'bad_request',
    detail: 'Request body is empty; send a JSON object',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'bad_request', detail: 'Request body is not valid JSON' },
  FST_ERR_BAD_URL: { code: 'bad_request', detail: 'The URL has a broken %-encoding' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'bad_request', detail: 'A part of the URL is too long' },
};

function validationErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const path = `${v.instancePath}${missing ? `/${missing}` : ''}`
      .replace(/^\//, '')
      .replace(/\//g, '.');
    const field = path || (error.validationContext ?? 'body');
    return { field, message: `${field} ${v.message ?? 'is invalid'}` };
  });
}

/** Seconds a client is asked to wait before retrying when the database is unavailable. */
export const UNAVAILABLE_RETRY_AFTER = 5;

/** Failures that are nobody's mistake and pass by themselves: a 503 to retry, not a 500. */
function unavailable(
  error: FastifyError | AppError,
  isUnavailable: (error: unknown) => boolean,
): AppError | null {
  if (error instanceof AppError) return null;
  if (isUnavailable(error))
    return new AppError('unavailable', 'The database is unavailable; retry shortly', {
      retryAfter: UNAVAILABLE_RETRY_AFTER,
    });
  return null;
}

export function toProblem(error: FastifyError | AppError): Problem {
  if (error instanceof AppError)
    return problem(error.status, error.code, error.message, error.errors);
  if (error.validation && error.validationContext === 'params')
    return problem(404, 'not_found', 'not found');
  if (error.validation) {
    const errors = validationErrors(error);
    return problem(
      422,
      'validation_failed',
      `Validation failed: ${errors.map((e) => e.message).join(', ')}`,
      errors,
    );
  }
  const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
  const status = error.statusCode ?? 500;
  if (known) return problem(status, known.code, known.detail);
  if (error instanceof SyntaxError && status === 400)
    return problem(400, 'bad_request', 'Request body is not valid JSON');
  if (status >= 400 && status < 500) return problem(status, 'bad_request', error.message);
  return problem(500, 'internal', 'Something went wrong on our side; it has been logged');
}

export function wantsJson(request: Pick<FastifyRequest, 'url' | 'headers'>): boolean {
  if (request.url.startsWith('/api/') || request.url === '/api') return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('json') && !accept.includes('text/html');
}

/**
 * `isUnavailable` recognises failures of the database being away (answered 503 with
 * Retry-After and logged as a warning, not a 500).
 */
export function installErrorHandlers(
  app: FastifyInstance,
  renderPage: ErrorPageRenderer,
  isUnavailable: (error: unknown) => boolean = () => false,
): void {
  const send = async (request: FastifyRequest, reply: FastifyReply, p: Problem) => {
    reply.status(p.status);
    if (wantsJson(request)) return reply.type(PROBLEM_JSON).send(p);
    return reply.type('text/html; charset=utf-8').send(await renderPage(request, reply, p));
  };

  app.setErrorHandler((thrown: FastifyError | AppError, request, reply) => {
    const away = unavailable(thrown, isUnavailable);
    if (away) request.log.warn({ err: thrown }, 'request refused: service unavailable');
    const error = away ?? thrown;
    const p = toProblem(error);
    if (p.status >= 500 && !away) request.log.error({ err: error }, 'request failed');
    if (error instanceof AppError && error.retryAfter !== undefined)
      reply.header('retry-after', String(error.retryAfter));
    return send(request, reply, p);
  });

  app.setNotFoundHandler((request, reply) =>
    send(
      request,
      reply,
      problem(404, 'not_found', request.url.startsWith('/api/') ? 'not found' : 'Page not found'),
    ),
  );
}
