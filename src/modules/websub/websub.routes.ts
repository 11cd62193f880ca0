/**
 * `POST /websub`, the hub's one endpoint: a form-encoded subscription request is checked, answered
 * 202 Accepted, and then verified with the callback. Errors are plain text (what subscribers log)
 * unless the client asks for JSON.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { toProblem, wantsJson } from '../../http/error-handler.ts';
import { PROBLEM_JSON, problem } from '../../http/problem.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import type { ResponseCache } from '../../http/response-cache.ts';
import { WEBSUB_PATH } from '../feeds/feeds.service.ts';
import { readHubRequest } from './subscription-request.ts';
import { acceptRequest, verificationsSettled, verifyAfter } from './websub.service.ts';

/** The hub.* fields fit in a few kilobytes; nothing else belongs in the body. */
export const WEBSUB_BODY_LIMIT = 16 * 1024;

const FORM = 'application/x-www-form-urlencoded';

/** The app also parses JSON bodies; a hub takes the form encoding only (WebSub section 5.1). */
async function formOnly(request: FastifyRequest): Promise<void> {
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type !== FORM) {
    throw new AppError('unsupported_media_type', `Send the hub.* fields as ${FORM}`);
  }
}

function hubProblem(error: FastifyError | AppError) {
  if (!(error instanceof AppError) && error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const detail = `The request body is larger than ${WEBSUB_BODY_LIMIT} bytes`;
    return problem(413, 'payload_too_large', detail);
  }
  return toProblem(error);
}

export function websubRoutes(ctx: AppContext, cache: ResponseCache) {
  return async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      const p = hubProblem(error);
      if (p.status >= 500) request.log.error({ err: error }, 'request failed');
      if (error instanceof AppError && error.retryAfter !== undefined)
        reply.header('retry-after', String(error.retryAfter));
      reply.status(p.status);
      if (wantsJson(request)) return reply.type(PROBLEM_JSON).send(p);
      return reply.type('text/plain; charset=utf-8').send(`${p.detail}\n`);
    });
    app.addHook('onClose', async () => verificationsSettled(ctx));

    // Each accepted request makes this server send a request: limited like the API's writes.
    const rateLimit = { ...writeLimit(ctx).rateLimit, allowList: () => false };
    app.post(
      WEBSUB_PATH,
      {
        schema: { hide: true },
        bodyLimit: WEBSUB_BODY_LIMIT,
        config: { rateLimit },
        onRequest: formOnly,
      },
      async (request, reply) => {
        const intent = await acceptRequest(ctx, cache, readHubRequest(request.body));
        const answered = new Promise<void>((resolve) => reply.raw.once('close', resolve));
        verifyAfter(ctx, cache, intent, answered);
        return reply
          .status(202)
          .type('text/plain; charset=utf-8')
          .send(`Accepted: the callback will be asked to confirm this ${intent.mode}.\n`);
      },
    );
  };
}
