/** Request and response schemas of search (a Quire addition). */
import { Type } from 'typebox';
import { paging } from '../../http/schemas.ts';
import { ArticleIndex } from '../articles/articles.schemas.ts';
import { SEARCH_QUERY_MAX } from './query.ts';
import { SEARCH_PER_PAGE, SEARCH_PER_PAGE_MAX } from './search.rules.ts';

export const SearchQueryString = Type.Object({
  q: Type.String({
    maxLength: SEARCH_QUERY_MAX,
    description:
      'Words (all must match), "phrases", -excluded, prefix* (2 characters at least), tag:name, author:username; -tag: and -author: exclude',
  }),
  ...paging(`Default ${SEARCH_PER_PAGE}, at most ${SEARCH_PER_PAGE_MAX}`, SEARCH_PER_PAGE_MAX),
});

export const SearchResult = Type.Object(
  {
    ...ArticleIndex.properties,
    highlight: Type.String({
      description:
        'An excerpt of the body (its Markdown source) as HTML: text escaped, each match in <mark>',
    }),
  },
  { $id: 'SearchResult', description: 'An article found, in the list shape with an excerpt' },
);

export const searchComponents = [SearchResult];
