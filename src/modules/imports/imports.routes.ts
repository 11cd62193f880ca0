/** Importing feeds through the API, once or as saved sources polled on a schedule. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { FeedSourceRow } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { requireUser } from '../../http/identity.ts';
import { writeLimit } from '../../http/rate-limits.ts';
import { FEED_FETCH_ROUTE } from '../../http/request-timeout.ts';
import { errorResponses, keyAuth, NoContent } from '../../http/openapi.ts';
import { IdParams, Ref } from '../../http/schemas.ts';
import {
  addSource,
  claimSource,
  listSources,
  ownSource,
  pollClaimed,
  removeSource,
} from './feed-sources.service.ts';
import { loadFeed } from './feed-loader.ts';
import { checkOutboundUrl } from '../../net/safe-fetch.ts';
import { importError } from './import-errors.ts';
import { importFeed } from './import.service.ts';
import { FeedImportBody, FeedSource, FeedSourceWrite, ImportSummary } from './imports.schemas.ts';

const tags = ['feed import'];

function sourceJson(row: FeedSourceRow) {
  return {
    id: row.id,
    url: row.url,
    publish: row.publish === 1,
    canonical: row.canonical === 1,
    interval_seconds: row.interval_seconds,
    next_poll_at: row.next_poll_at,
    last_polled_at: row.last_polled_at,
    last_status: row.last_status,
    last_error: row.last_error,
    last_log: row.last_log ? (JSON.parse(row.last_log) as ImportSummary) : null,
    created_at: row.created_at,
  };
}

export function importsRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const writeLimits = writeLimit(ctx);
    const fetchingWrite = { ...writeLimits, ...FEED_FETCH_ROUTE };

    app.post(
      '/api/feeds/import',
      {
        config: fetchingWrite,
        schema: {
          operationId: 'importFeed',
          tags,
          summary: 'Import a feed (RSS, Atom, RDF, JSON Feed, or a page that links one) once',
          security: keyAuth,
          body: FeedImportBody,
          response: { 200: Ref(ImportSummary), ...errorResponses },
        },
      },
      async (request) => {
        const user = requireUser(request);
        const { url, publish = false, canonical = false } = request.body;
        try {
          // Checked by the one guard before the loader, which would read a non-URL as a local file.
          checkOutboundUrl(url, { allowPrivate: ctx.config.allowPrivateUrls });
          const loaded = await loadFeed(ctx, url);
          if (loaded.kind !== 'feed')
            throw new AppError('bad_gateway', 'The feed answered 304 to an unconditional request');
          return await importFeed(ctx, user, loaded.feed, { publish, canonical, feedUrl: url });
        } catch (error) {
          throw importError(error);
        }
      },
    );

    app.get(
      '/api/feed_sources',
      {
        schema: {
          operationId: 'listFeedSources',
          tags,
          summary: 'Your saved feed sources',
          security: keyAuth,
          response: { 200: Type.Array(Ref(FeedSource)), ...errorResponses },
        },
      },
      async (request) => (await listSources(ctx, requireUser(request))).map(sourceJson),
    );

    app.post(
      '/api/feed_sources',
      {
        config: writeLimits,
        schema: {
          operationId: 'createFeedSource',
          tags,
          summary: 'Save a feed source; Quire polls it on a schedule',
          security: keyAuth,
          body: FeedSourceWrite,
          response: { 201: Ref(FeedSource), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { url, publish, canonical, interval_seconds } = request.body;
        const row = await addSource(ctx, requireUser(request), {
          url,
          publish,
          canonical,
          intervalSeconds: interval_seconds,
        });
        return reply.status(201).send(sourceJson(row));
      },
    );

    app.delete(
      '/api/feed_sources/:id',
      {
        schema: {
          operationId: 'deleteFeedSource',
          tags,
          summary: 'Stop following a feed source',
          security: keyAuth,
          params: IdParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await removeSource(ctx, requireUser(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/feed_sources/:id/poll',
      {
        config: fetchingWrite,
        schema: {
          operationId: 'pollFeedSource',
          tags,
          summary: 'Poll a feed source now',
          security: keyAuth,
          params: IdParams,
          response: { 200: Ref(FeedSource), ...errorResponses },
        },
      },
      async (request) => {
        const user = requireUser(request);
        await ownSource(ctx, user, request.params.id);
        const claimed = await claimSource(ctx, request.params.id);
        if (!claimed)
          throw new AppError(
            'conflict',
            'This source is being polled right now; try again shortly',
          );
        await pollClaimed(ctx, claimed);
        return sourceJson(await ownSource(ctx, user, request.params.id));
      },
    );
  };
}
