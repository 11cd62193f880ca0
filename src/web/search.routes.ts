/**
 * `/search?q=&type=&page=`: articles, people or tags found, through the services `/api/search`
 * calls. People not signed in share one cached page per search, in the cache of search answers
 * (modules/search/search-cache.ts: its key, its dependencies), served by the fast path
 * (`searchPageFastRoute`); signed-in people get their own page, never stored. And
 * `/opensearch.xml`, which lets a browser add the site's search.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import type { FastRoute } from '../http/fast-path.ts';
import { searchCacheOf } from '../http/shared-response-cache.ts';
import { PageNumber } from '../http/url-numbers.ts';
import { SESSION_COOKIE } from '../modules/auth/sessions.ts';
import { SEARCH_QUERY_MAX } from '../modules/search/query.ts';
import {
  normalizedQuery,
  type SearchAsked,
  searchAnswerCaching,
  searchPageAsked,
  searchPageKey,
} from '../modules/search/search-cache.ts';
import { queryProblems } from '../modules/search/search.rules.ts';
import type { SearchType } from '../modules/search/search.schemas.ts';
import { searchFor } from '../modules/search/search.service.ts';
import { writeXml } from '../feeds/xml.ts';
import { siteName } from '../modules/site/site.service.ts';
import { pageCachePolicy, pageKit } from './page.ts';
import { searchPage, type SearchView } from './templates/search.ts';

/** Results per page. */
const PAGE_SIZE = 20;

const SearchPageQuery = Type.Object({
  q: Type.Optional(Type.String()),
  // Anything else shows articles: a page answers what it can.
  type: Type.Optional(Type.String()),
  page: Type.Optional(PageNumber),
});

const typeOf = (type: string | undefined): SearchType =>
  type === 'people' || type === 'tags' ? type : 'articles';

/** Tells the search page it may not be in a search engine's index. */
const NOINDEX = '<meta name="robots" content="noindex">';

/**
 * The cache key of a search page for a request without a session cookie (signed-in people see
 * their own header, so only others share pages, as with `pageKeyOf`); null when it has one, or
 * when the URL cannot be cached.
 */
export function searchPageKeyOf(url: string, request: { headers: IncomingHttpHeaders }) {
  if (request.headers.cookie?.includes(`${SESSION_COOKIE}=`)) return null;
  const asked = searchPageAsked(url, PAGE_SIZE);
  return asked && searchPageKey(asked);
}

/** The fast path's route for cached search pages, keyed as the route keys them. */
export function searchPageFastRoute(ctx: AppContext): FastRoute {
  return {
    key: searchPageKeyOf,
    route: () => '/search',
    policy: pageCachePolicy(ctx.config),
    cache: searchCacheOf(ctx),
  };
}

/** OpenSearch 1.1 limits a ShortName to 16 characters. */
const SHORT_NAME_MAX = 16;

/** The OpenSearch description of the site's search page. */
export function openSearchXml(name: string, baseUrl: string): string {
  return writeXml({
    OpenSearchDescription: {
      '@xmlns': 'http://a9.com/-/spec/opensearch/1.1/',
      ShortName: [...name].slice(0, SHORT_NAME_MAX).join(''),
      Description: `Search ${name}`,
      InputEncoding: 'UTF-8',
      Url: {
        '@type': 'text/html',
        '@method': 'get',
        '@template': `${baseUrl}/search?q={searchTerms}`,
      },
    },
  });
}

export function searchPageRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const { send, publicPage } = pageKit(ctx, app);

    app.get('/opensearch.xml', { schema: { hide: true } }, async (_request, reply) => {
      // Browsers fetch it once when they add the search; a renamed site shows within the hour.
      reply.header('cache-control', 'public, max-age=3600');
      return reply
        .type('application/opensearchdescription+xml; charset=utf-8')
        .send(openSearchXml(await siteName(ctx), ctx.config.baseUrl));
    });

    app.get(
      '/search',
      { schema: { hide: true, querystring: SearchPageQuery } },
      async (request, reply) => {
        // Read from the URL as the fast path reads it, so both find the same entry; the query
        // as the schema read it when the URL cannot be cached (a parameter repeated).
        const fromUrl = searchPageAsked(request.url, PAGE_SIZE);
        const query = request.query as { q?: string; type?: string; page?: number };
        const asked: SearchAsked = fromUrl ?? {
          q: normalizedQuery(query.q ?? ''),
          type: typeOf(query.type),
          page: query.page ?? 1,
          per_page: PAGE_SIZE,
        };
        const { q } = asked;
        const view: SearchView = {
          q,
          type: asked.type,
          page: asked.page,
          results: null,
          hasMore: false,
          baseUrl: ctx.config.baseUrl,
          now: ctx.clock.now(),
        };
        const title = q ? `Search: ${q}` : 'Search';
        if (q !== '' && queryProblems(q).length > 0) {
          // The only query a page can send that is refused (a blank one shows the box).
          view.problem = `A search can be at most ${SEARCH_QUERY_MAX} characters long.`;
          reply.header('cache-control', 'private, no-store');
          return send(request, reply, title, searchPage(view), 422, { head: NOINDEX });
        }
        const build = async () => {
          let caching: { keys: string[]; softKeys?: string[] } = { keys: [] };
          if (q !== '') {
            view.results = await searchFor(ctx, asked.type, asked);
            // A full page may be the last one: the next then says there is no more.
            view.hasMore = view.results.items.length === PAGE_SIZE;
            caching = await searchAnswerCaching(ctx, view.results);
          }
          const { keys, softKeys } = caching;
          return {
            title,
            body: searchPage(view),
            head: NOINDEX,
            keys,
            ...(softKeys && { softKeys }),
          };
        };
        return publicPage(request, reply, build, {
          key: searchPageKeyOf(request.url, request.raw),
          cache: searchCacheOf(ctx),
        });
      },
    );
  };
}
