/**
 * Search: a query's text is checked, parsed (query.ts) and looked up in the database's full-text
 * index; the articles found come back in the order found, with their authors and an excerpt.
 */
import type { AppContext } from '../../context.ts';
import { validationFailed } from '../../errors.ts';
import { type Listed, listedByIds } from '../articles/articles.service.ts';
import { parseSearchQuery, searchable } from './query.ts';
import { searchArticles } from './search.repository.ts';
import { queryProblems, SEARCH_PER_PAGE, SEARCH_PER_PAGE_MAX } from './search.rules.ts';

export interface Found extends Listed {
  /** The body around the matches, with MARK_OPEN and MARK_CLOSE around each (unescaped). */
  excerpt: string;
}

export interface SearchParams {
  q: string;
  page?: number | undefined;
  per_page?: number | undefined;
}

/** One page of published, live articles matching `q`; a 422 for a blank or overlong query. */
export async function searchPublished(ctx: AppContext, params: SearchParams): Promise<Found[]> {
  const problems = queryProblems(params.q);
  if (problems.length > 0) throw validationFailed(problems);
  const query = parseSearchQuery(params.q);
  if (!searchable(query)) return [];
  const perPage = Math.min(params.per_page ?? SEARCH_PER_PAGE, SEARCH_PER_PAGE_MAX);
  const hits = await searchArticles(ctx.database, query, {
    visibleAt: ctx.clock.now().toISOString(),
    limit: perPage,
    offset: ((params.page ?? 1) - 1) * perPage,
  });
  const excerpts = new Map(hits.map((hit) => [hit.id, hit.excerpt]));
  const listed = await listedByIds(
    ctx,
    hits.map((hit) => hit.id),
  );
  return listed.map((item) => ({ ...item, excerpt: excerpts.get(item.article.id) ?? '' }));
}
