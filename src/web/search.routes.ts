/**
 * `/search?q=&type=&page=`: articles, people or tags found, through the services `/api/search`
 * calls. Not cached: an edit that makes an article match names only that article, so no cache
 * key would drop a page of results it should now be on. And `/opensearch.xml`, which lets a
 * browser add the site's search.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { PageNumber } from '../http/url-numbers.ts';
import { SEARCH_QUERY_MAX } from '../modules/search/query.ts';
import type { SearchType } from '../modules/search/search.schemas.ts';
import {
  searchPeoplePage,
  searchPublished,
  searchTagsPage,
} from '../modules/search/search.service.ts';
import { writeXml } from '../feeds/xml.ts';
import { siteName } from '../modules/site/site.service.ts';
import { pageKit } from './page.ts';
import { type SearchResults, searchPage, type SearchView } from './templates/search.ts';

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
    const { send } = pageKit(ctx, app);

    app.get('/opensearch.xml', { schema: { hide: true } }, async (_request, reply) => {
      // Browsers fetch it once when they add the search; a renamed site shows within the hour.
      reply.header('cache-control', 'public, max-age=3600');
      return reply
        .type('application/opensearchdescription+xml; charset=utf-8')
        .send(openSearchXml(await siteName(ctx), ctx.config.baseUrl));
    });

    async function find(type: SearchType, q: string, page: number): Promise<SearchResults> {
      const params = { q, page, per_page: PAGE_SIZE };
      if (type === 'people') return { type, items: await searchPeoplePage(ctx, params) };
      if (type === 'tags') return { type, items: await searchTagsPage(ctx, params) };
      return { type, items: await searchPublished(ctx, params) };
    }

    app.get(
      '/search',
      { schema: { hide: true, querystring: SearchPageQuery } },
      async (request, reply) => {
        const query = request.query as { q?: string; type?: string; page?: number };
        const q = query.q ?? '';
        const view: SearchView = {
          q,
          type: typeOf(query.type),
          page: query.page ?? 1,
          results: null,
          hasMore: false,
          baseUrl: ctx.config.baseUrl,
          now: ctx.clock.now(),
        };
        let status = 200;
        if (q.trim() !== '') {
          try {
            view.results = await find(view.type, q, view.page);
            // A full page may be the last one: the next then says there is no more.
            view.hasMore = view.results.items.length === PAGE_SIZE;
          } catch (error) {
            if (!(error instanceof AppError) || error.status !== 422) throw error;
            status = 422;
            // The only query a page can send that is refused (a blank one shows the box).
            view.problem = `A search can be at most ${SEARCH_QUERY_MAX} characters long.`;
          }
        }
        reply.header('cache-control', 'private, no-store');
        const title = q.trim() ? `Search: ${q}` : 'Search';
        return send(request, reply, title, searchPage(view), status, {
          head: '<meta name="robots" content="noindex">',
        });
      },
    );
  };
}
