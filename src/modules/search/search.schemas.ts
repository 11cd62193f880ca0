/** Request and response schemas of search (a Quire addition). */
import { type Static, Type } from 'typebox';
import { paging, Ref } from '../../http/schemas.ts';
import { ArticleIndex, SharedUser } from '../articles/articles.schemas.ts';
import { SEARCH_QUERY_MAX } from './query.ts';
import { SEARCH_PER_PAGE, SEARCH_PER_PAGE_MAX } from './search.rules.ts';

export const SearchQueryString = Type.Object({
  q: Type.String({
    maxLength: SEARCH_QUERY_MAX,
    description:
      'Words (all must match), "phrases", -excluded, prefix* (2 characters at least), tag:name, author:username; -tag: and -author: exclude',
  }),
  type: Type.Optional(
    Type.Union([Type.Literal('articles'), Type.Literal('people'), Type.Literal('tags')], {
      description:
        'What to find: articles (the default), people (username or name starting with q, any case), tags (name starting with q, most used first)',
    }),
  ),
  ...paging(`Default ${SEARCH_PER_PAGE}, at most ${SEARCH_PER_PAGE_MAX}`, SEARCH_PER_PAGE_MAX),
});

export type SearchType = NonNullable<Static<typeof SearchQueryString>['type']>;

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

export const TagFound = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    published_count: Type.Integer({
      description: 'Published articles carrying the tag (scheduled ones included)',
    }),
  },
  { $id: 'TagFound', description: 'A tag found' },
);

/** The answer for each `type`: articles, people (the author block of an article), tags. */
export const SearchAnswer = Type.Union([
  Type.Array(Ref(SearchResult)),
  Type.Array(Ref(SharedUser)),
  Type.Array(Ref(TagFound)),
]);

export const searchComponents = [SearchResult, TagFound];
