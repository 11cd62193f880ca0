/** Builds the HTTP application over a context. It never listens: `main.ts` and tests do that. */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';
import { csrfFor } from './http/csrf.ts';
import { Drain } from './http/drain.ts';
import { installErrorHandlers, UNAVAILABLE_RETRY_AFTER } from './http/error-handler.ts';
import { apiKeyFrom, installIdentity } from './http/identity.ts';
import { installRequestId, RequestLog, requestId } from './http/request-log.ts';
import { type FastRoute, fastPath } from './http/fast-path.ts';
import { apiFastRoute } from './http/api-cache.ts';
import { RateCounter } from './http/rate-counter.ts';
import { installRequestMetrics } from './http/request-metrics.ts';
import { apiDocumentOptions } from './http/openapi.ts';
import { Problem } from './http/problem.ts';
import { urlDigitsKeyword } from './http/url-numbers.ts';
import { responseCacheOf, searchCacheOf } from './http/shared-response-cache.ts';
import { securityHeaders } from './http/security-headers.ts';
import { installSameOriginCheck } from './http/same-origin.ts';
import { installRequestTimeout } from './http/request-timeout.ts';
import { lazyCompilers } from './http/schema-compilers.ts';
import { apiKeysRoutes } from './modules/apikeys/apikeys.routes.ts';
import { apiKeyComponents } from './modules/apikeys/apikeys.schemas.ts';
import { userForApiKey } from './modules/apikeys/apikeys.service.ts';
import { sessionOf } from './modules/auth/session-cookie.ts';
import { articlesRoutes } from './modules/articles/articles.routes.ts';
import { articleComponents } from './modules/articles/articles.schemas.ts';
import { SESSION_COOKIE } from './modules/auth/sessions.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { commentComponents } from './modules/comments/comments.schemas.ts';
import { commentsRoutes } from './modules/comments/comments.routes.ts';
import { feedCachePolicy } from './modules/feeds/feeds.service.ts';
import { feedKeyOf, feedRouteOf } from './modules/feeds/feed-urls.ts';
import { feedsRoutes } from './modules/feeds/feeds.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { importsRoutes } from './modules/imports/imports.routes.ts';
import { importComponents } from './modules/imports/imports.schemas.ts';
import { metricsRoutes } from './modules/metrics/metrics.routes.ts';
import { metricsOf } from './metrics/metrics.ts';
import { tagsRoutes } from './modules/tags/tags.routes.ts';
import { followComponents } from './modules/follows/follows.schemas.ts';
import { followsRoutes } from './modules/follows/follows.routes.ts';
import { notificationsRoutes } from './modules/notifications/notifications.routes.ts';
import { notificationComponents } from './modules/notifications/notifications.schemas.ts';
import { reactionComponents } from './modules/reactions/reactions.schemas.ts';
import { reactionsRoutes } from './modules/reactions/reactions.routes.ts';
import { reportComponents } from './modules/reports/reports.schemas.ts';
import { searchApiAsked, searchApiKey } from './modules/search/search-cache.ts';
import { searchRoutes } from './modules/search/search.routes.ts';
import { searchComponents } from './modules/search/search.schemas.ts';
import { reportsRoutes } from './modules/reports/reports.routes.ts';
import { tagComponents } from './modules/tags/tags.schemas.ts';
import { usersRoutes } from './modules/users/users.routes.ts';
import { userComponents } from './modules/users/users.schemas.ts';
import { adminRoutes } from './web/admin.routes.ts';
import { moderationRoutes } from './web/moderation.routes.ts';
import { assetsRoutes } from './web/assets.routes.ts';
import { conversationRoutes } from './web/conversation.routes.ts';
import { dashboardSearchRoutes } from './web/dashboard-search.routes.ts';
import { editorRoutes } from './web/editor.routes.ts';
import { followPagesRoutes } from './web/follows.routes.ts';
import { notificationStreamRoutes } from './web/notification-stream.ts';
import { notificationPagesRoutes } from './web/notifications.routes.ts';
import { pageCachePolicy, pageKeyOf, pageRouteOf } from './web/page.ts';
import { searchPageFastRoute, searchPageRoutes } from './web/search.routes.ts';
import { passwordRoutes } from './web/password.routes.ts';
import { unsubscribeRoutes } from './web/unsubscribe.routes.ts';
import { settingsRoutes } from './web/settings.routes.ts';
import { siteName } from './modules/site/site.service.ts';
import { webRoutes } from './web/web.routes.ts';
import { websubRoutes } from './modules/websub/websub.routes.ts';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.ts';
import { webhookComponents } from './modules/webhooks/webhooks.schemas.ts';
import { layout } from './web/templates/layout.ts';
import { errorPage } from './web/templates/pages.ts';

/** Bodies above this are refused with 413; Markdown itself is capped lower, with a 422. */
export const BODY_LIMIT = 2 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** Refuses new requests and finishes those in flight, for a graceful stop (`main.ts`). */
    drain: Drain;
    /**
     * Compiles every route's schemas now, rather than at each route's first request; returns how
     * many were still waiting (`http/schema-compilers.ts`).
     */
    compileSchemas(): number;
  }
}

/** The API's rate limit counts requests per minute. */
const API_RATE_WINDOW_MS = 60_000;

/**
 * What the fast path answers, in the order it asks: the first route that makes a key for a URL
 * decides. The API's and the search page's come before the pages', which make a key for any
 * path; search answers are in their own cache.
 */
export function fastRoutes(ctx: AppContext, apiRequests: RateCounter): FastRoute[] {
  const limit = {
    counter: apiRequests,
    max: ctx.config.apiRateLimit,
    windowMs: API_RATE_WINDOW_MS,
    trustedProxies: ctx.config.trustedProxies,
  };
  const search = {
    key: (url: string) => {
      const asked = searchApiAsked(url);
      return asked && searchApiKey(asked);
    },
    route: () => '/api/search',
    cache: searchCacheOf(ctx),
  };
  return [
    { key: feedKeyOf, route: feedRouteOf, policy: feedCachePolicy(ctx.config) },
    apiFastRoute(ctx.config, SESSION_COOKIE, limit),
    apiFastRoute(ctx.config, SESSION_COOKIE, limit, search),
    searchPageFastRoute(ctx),
    { key: pageKeyOf, route: pageRouteOf, policy: pageCachePolicy(ctx.config) },
  ];
}

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const responses = responseCacheOf(ctx);
  // The API's rate limit, counted here for Fastify's routes and the fast path alike.
  const apiRequests = new RateCounter(ctx.clock);
  const fast = fastPath(ctx, responses, fastRoutes(ctx, apiRequests));
  const security = securityHeaders(ctx.config);
  const drain = new Drain(ctx.logger, security);
  const compilers = lazyCompilers();
  const app = Fastify({
    serverFactory: (handler) => createServer(drain.wrap(fast.listener(handler))),
    loggerInstance: ctx.logger,
    logController: new RequestLog({ requestIdLogLabel: 'reqId' }),
    genReqId: requestId,
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
    return503OnClosing: true,
    // Numbers in URLs are read as decimal text before Ajv coerces them (see url-numbers.ts).
    // A list of types (`parent_id`: a number or an id_code) is how a value that may be either
    // escapes coercion; strict mode otherwise warns of each.
    ajv: { customOptions: { allowUnionTypes: true }, plugins: [urlDigitsKeyword] },
    schemaController: { compilersFactory: compilers.compilersFactory },
    // A URL the router cannot read (bad %-encoding, an overlong parameter) gets the same problem
    // answer as any other error, rather than Fastify's own body.
    frameworkErrors: (error, request, reply) => request.server.errorHandler(error, request, reply),
    // Without trusted proxies, the address is the connection's, whatever X-Forwarded-For says.
    trustProxy: ctx.config.trustedProxies.length > 0 ? ctx.config.trustedProxies : false,
  });

  // Only JSON (and forms, for the pages) are bodies here; text/plain must be a 415, not a 422.
  app.removeContentTypeParser('text/plain');
  installRequestId(app);
  installRequestMetrics(app, metricsOf(ctx));
  installRequestTimeout(app, ctx.config.requestTimeout * 1000, UNAVAILABLE_RETRY_AFTER);
  installErrorHandlers(
    app,
    async (request, reply, p) => {
      const name = await siteName(ctx).catch(() => ctx.config.siteName);
      const csrfToken = request.user ? csrfFor(reply) : undefined;
      return layout(
        { siteName: name, title: p.title, user: request.user, csrfToken },
        errorPage(p.status, p.title, p.detail),
      );
    },
    (error) => ctx.database.isUnavailable(error),
  );

  app.decorate('drain', drain);
  app.decorate('compileSchemas', () => compilers.compileAll());
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(security);
  });

  await app.register(cookie, { secret: ctx.secret });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'quire_csrf',
    cookieOpts: {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
      signed: true,
      secure: ctx.config.baseUrl.startsWith('https:'),
    },
  });
  await app.register(rateLimit, {
    global: true,
    max: ctx.config.apiRateLimit,
    timeWindow: API_RATE_WINDOW_MS,
    // The plugin makes its store with `new`; the fast path counts in the same one.
    store: function sharedStore() {
      return apiRequests;
    } as unknown as FastifyRateLimitStoreCtor,
    allowList: (request) => !request.url.startsWith('/api/'),
    keyGenerator: (request) => {
      const key = apiKeyFrom(request);
      return key ? `key:${createHash('sha256').update(key).digest('hex')}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `Rate limit exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`,
        {
          retryAfter: Math.ceil(context.ttl / 1000),
        },
      ),
  });
  await app.register(swagger, apiDocumentOptions(ctx.config.baseUrl, SESSION_COOKIE));
  // The named schemas routes refer to (`Ref`): one definition each, a component of the document.
  for (const schema of [
    Problem,
    ...articleComponents,
    ...userComponents,
    ...apiKeyComponents,
    ...tagComponents,
    ...importComponents,
    ...webhookComponents,
    ...commentComponents,
    ...reactionComponents,
    ...followComponents,
    ...notificationComponents,
    ...reportComponents,
    ...searchComponents,
  ])
    app.addSchema(schema);

  installIdentity(app, {
    byApiKey: (key) => userForApiKey(ctx, key),
    bySession: (request) => sessionOf(ctx, request),
  });
  installSameOriginCheck(app, ctx);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes(ctx));
  await app.register(metricsRoutes(ctx));
  await app.register(assetsRoutes);
  await app.register(authRoutes(ctx));
  await app.register(apiKeysRoutes(ctx));
  await app.register(articlesRoutes(ctx));
  await app.register(usersRoutes(ctx));
  await app.register(tagsRoutes(ctx));
  await app.register(commentsRoutes(ctx));
  await app.register(reactionsRoutes(ctx));
  await app.register(followsRoutes(ctx));
  await app.register(notificationsRoutes(ctx));
  await app.register(reportsRoutes(ctx));
  await app.register(searchRoutes(ctx));
  await app.register(importsRoutes(ctx));
  await app.register(webhooksRoutes(ctx));
  ctx.eventHead.start();
  app.addHook('preClose', async () => fast.close());
  app.addHook('onClose', async () => ctx.eventHead.stop());
  await app.register(feedsRoutes(ctx, responses));
  await app.register(websubRoutes(ctx, responses));
  await app.register(editorRoutes(ctx));
  await app.register(dashboardSearchRoutes(ctx));
  await app.register(settingsRoutes(ctx));
  await app.register(adminRoutes(ctx));
  await app.register(moderationRoutes(ctx));
  await app.register(conversationRoutes(ctx));
  await app.register(followPagesRoutes(ctx));
  await app.register(notificationPagesRoutes(ctx));
  await app.register(searchPageRoutes(ctx));
  await app.register(notificationStreamRoutes(ctx));
  await app.register(passwordRoutes(ctx));
  await app.register(unsubscribeRoutes(ctx));
  await app.register(webRoutes(ctx));
  return app;
}
