/**
 * The hub's rules: which subscription requests are accepted, and what a confirmed one changes.
 * Verification runs in the process that accepted the request, just after the 202 is sent; it is
 * not queued durably, so a request whose process stops first is simply never confirmed, and the
 * subscriber asks again, as WebSub subscribers do when no verification comes.
 */
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { ResponseCache } from '../../http/response-cache.ts';
import { checkOutboundUrl, OutboundError, pushPolicy } from '../../net/safe-fetch.ts';
import { cachedFeed } from '../feeds/feeds.service.ts';
import type { HubRequest } from './subscription-request.ts';
import { deleteSubscription, findSubscription, saveSubscription } from './websub.repository.ts';
import { type TopicFeed, topicFeed } from './topics.ts';
import { askCallback, type Intent } from './verification.ts';

export interface AcceptedIntent extends Intent {
  secret: string | null;
}

/** Verifications one process runs at once; more requests wait for a 429 to clear. */
export const MAX_PENDING_VERIFICATIONS = 100;

const pending = new WeakMap<AppContext, Set<Promise<void>>>();

/** Checks a request against this site before anything is asked of the callback. */
export async function acceptRequest(
  ctx: AppContext,
  cache: ResponseCache,
  request: HubRequest,
): Promise<AcceptedIntent> {
  try {
    checkOutboundUrl(request.callback, {
      ...pushPolicy(ctx.config),
    });
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    throw new AppError('bad_request', `hub.callback is refused: ${error.message}`);
  }
  const topic = topicFeed(ctx.config.baseUrl, request.topic);
  if (!topic.ok) throw new AppError('bad_request', topicProblem(ctx, topic));
  if (request.mode === 'subscribe') {
    if (!(await cachedFeed(ctx, cache, topic.feed))) {
      throw new AppError(
        'not_found',
        'hub.topic names no feed: no one goes by that name, or no article carries that tag',
      );
    }
  } else if (!(await findSubscription(ctx.database.db, request.topic, request.callback))) {
    throw new AppError('not_found', 'This callback has no subscription to this topic');
  }
  if ((pending.get(ctx)?.size ?? 0) >= MAX_PENDING_VERIFICATIONS) {
    throw new AppError('rate_limited', 'Too many subscription requests are being verified', {
      retryAfter: 60,
    });
  }
  const { mode, callback, leaseSeconds, secret } = request;
  return { mode, topic: request.topic, callback, leaseSeconds, secret };
}

function topicProblem(ctx: AppContext, topic: Exclude<TopicFeed, { ok: true }>): string {
  if (topic.reason === 'not_first_page') return 'hub.topic must be the first page of a feed';
  if (topic.reason === 'not_normal') return `hub.topic must be written ${topic.normal}`;
  const base = ctx.config.baseUrl;
  return `hub.topic must be a feed of this site: ${base}/feed, ${base}/feed/{username} or ${base}/feed/tag/{tag}, as RSS, .atom or .json`;
}

/** Asks the callback, then subscribes or unsubscribes if (and only if) it confirms. */
export async function verifyAndApply(
  ctx: AppContext,
  cache: ResponseCache,
  intent: AcceptedIntent,
): Promise<boolean> {
  const verdict = await askCallback(ctx, intent);
  // The callback's path and query often hold the subscriber's own tokens: only its host is logged.
  const log = {
    mode: intent.mode,
    topic: intent.topic,
    callbackHost: new URL(intent.callback).host,
  };
  if (!verdict.confirmed) {
    ctx.logger.info({ ...log, reason: verdict.reason }, 'websub intent not verified');
    return false;
  }
  if (intent.mode === 'subscribe') {
    const topic = topicFeed(ctx.config.baseUrl, intent.topic);
    const entry = topic.ok ? (await cachedFeed(ctx, cache, topic.feed))?.entry : null;
    await saveSubscription(
      ctx.database.db,
      { ...intent, contentHash: entry?.tag ?? null },
      ctx.clock.now(),
    );
  } else {
    await deleteSubscription(ctx.database.db, intent.topic, intent.callback);
  }
  ctx.logger.info(log, 'websub intent verified');
  return true;
}

/** Verifies once `answered` settles (the 202 is out), keeping count of what is still running. */
export function verifyAfter(
  ctx: AppContext,
  cache: ResponseCache,
  intent: AcceptedIntent,
  answered: Promise<void>,
): void {
  let running = pending.get(ctx);
  if (!running) {
    running = new Set();
    pending.set(ctx, running);
  }
  const set = running;
  const task: Promise<void> = answered
    .then(() => verifyAndApply(ctx, cache, intent))
    .then(
      () => undefined,
      (error: unknown) => ctx.logger.error({ err: error }, 'websub verification failed'),
    )
    .finally(() => set.delete(task));
  set.add(task);
}

/** Resolves once no verification is running: for a clean stop, and for tests. */
export async function verificationsSettled(ctx: AppContext): Promise<void> {
  const running = pending.get(ctx);
  while (running && running.size > 0) await Promise.all(running);
}
