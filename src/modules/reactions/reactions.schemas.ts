/** Request and response schemas of reactions and the reading list, in Forem's shapes. */
import { Type } from 'typebox';
import { paging, Ref, Timestamp } from '../../http/schemas.ts';
import { ID_RANGE, UrlInteger } from '../../http/url-numbers.ts';
import { ArticleIndex } from '../articles/articles.schemas.ts';
import { CATEGORIES, REACTABLE_TYPES } from './reactions.rules.ts';

/** One of these strings. */
const oneOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });

/** Where Forem's clients put them: in the query. A JSON body with the same fields also works. */
export const ReactionParams = Type.Object({
  category: Type.Optional(Type.String({ maxLength: 40, description: CATEGORIES.join(', ') })),
  reactable_id: Type.Optional(UrlInteger(ID_RANGE, 'The article or comment id')),
  reactable_type: Type.Optional(Type.String({ maxLength: 40, description: 'Article or Comment' })),
});

export const ReactionBody = Type.Union([
  Type.Null(),
  Type.Object({
    category: Type.Optional(Type.String({ maxLength: 40 })),
    reactable_id: Type.Optional(Type.Integer({ ...ID_RANGE })),
    reactable_type: Type.Optional(Type.String({ maxLength: 40 })),
  }),
]);

export const ReactionResult = Type.Object(
  {
    result: Type.Union([Type.Literal('create'), Type.Literal('destroy'), Type.Literal('none')]),
    category: oneOf(CATEGORIES),
    id: Type.Integer(),
    reactable_id: Type.Integer(),
    reactable_type: oneOf(REACTABLE_TYPES),
  },
  { $id: 'ReactionResult', description: 'What a reaction request did' },
);

export const ReadingListItem = Type.Object(
  {
    type_of: Type.Literal('readinglist'),
    id: Type.Integer(),
    status: Type.Literal('valid'),
    created_at: Timestamp,
    article: Ref(ArticleIndex),
  },
  { $id: 'ReadingListItem', description: 'An article on the reading list' },
);

export const ReadingListQuery = Type.Object(paging('Default 30, at most 100', 100));

export const MineQuery = Type.Object({ article_id: UrlInteger(ID_RANGE, 'The article') });

export const ReaderState = Type.Object(
  {
    article: Type.Array(Type.String(), { description: 'Categories the caller gave the article' }),
    comments: Type.Record(Type.String(), Type.Array(Type.String()), {
      description: 'By id_code: the categories the caller gave each comment',
    }),
  },
  { $id: 'ReaderState', description: "The caller's own reactions on an article and its comments" },
);

export const reactionComponents = [ReactionResult, ReadingListItem, ReaderState];
