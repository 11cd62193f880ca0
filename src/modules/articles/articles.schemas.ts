/** Request and response schemas of the articles API: they validate, serialize and document. */
import { type Static, Type } from 'typebox';
import {
  Nullable,
  NullableInteger,
  NullableText,
  NullableTimestamp,
  paging,
  Ref,
  Timestamp,
} from '../../http/schemas.ts';
import { ID_RANGE, UrlInteger } from '../../http/url-numbers.ts';

const Text = Type.String();

export const SharedUser = Type.Object(
  {
    name: Text,
    username: Text,
    twitter_username: NullableText,
    github_username: NullableText,
    user_id: Type.Integer(),
    website_url: NullableText,
    profile_image: Text,
    profile_image_90: Text,
  },
  {
    $id: 'SharedUser',
    description: 'The author, as every article and webhook endpoint shows them',
  },
);

const articleCommon = {
  type_of: Type.Literal('article'),
  id: Type.Integer(),
  title: Text,
  description: Text,
  readable_publish_date: NullableText,
  slug: Text,
  path: Text,
  url: Text,
  comments_count: Type.Integer(),
  public_reactions_count: Type.Integer(),
  collection_id: NullableInteger,
  published_timestamp: Text,
  positive_reactions_count: Type.Integer(),
  cover_image: NullableText,
  social_image: Text,
  canonical_url: Text,
  created_at: Timestamp,
  edited_at: NullableTimestamp(),
  crossposted_at: NullableTimestamp(),
  published_at: NullableTimestamp(),
  last_comment_at: Timestamp,
  reading_time_minutes: Type.Integer(),
  user: Ref(SharedUser),
};

export const ArticleIndex = Type.Object(
  { ...articleCommon, tag_list: Type.Array(Text), tags: Text },
  { $id: 'ArticleIndex', description: 'An article in a list' },
);

export const ArticleShow = Type.Object(
  {
    ...articleCommon,
    tag_list: Text,
    tags: Type.Array(Text),
    body_html: Text,
    body_markdown: Text,
  },
  { $id: 'Article', description: 'A single article with its body' },
);

export const ArticleMe = Type.Object(
  {
    ...articleCommon,
    tag_list: Type.Array(Text),
    tags: Text,
    published: Type.Boolean(),
    page_views_count: Type.Integer(),
    body_markdown: Text,
  },
  { $id: 'ArticleMe', description: "An article in its author's own lists" },
);

const TagsInput = Type.Union([
  Type.String({ maxLength: 1000 }),
  Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 }),
]);

/** The `article` object of a create or update request. */
export const ArticleFields = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 1000 })),
  body_markdown: Type.Optional(Type.String()),
  published: Type.Optional(Type.Boolean()),
  series: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  main_image: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
  cover_image: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
  canonical_url: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
  description: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
  tags: Type.Optional(TagsInput),
  tag_list: Type.Optional(TagsInput),
  published_at: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  organization_id: Type.Optional(NullableInteger),
});
export type ArticleInput = Static<typeof ArticleFields>;

export const ArticleWrite = Type.Object({ article: ArticleFields });

// No schema default for per_page: Ajv would fill it in, and `state=all` could no longer tell an
// absent per_page (1000 for a username's whole list) from an explicit one.
const Paging = paging('Default 30 (1000 with state=all); more counts as 1000');

export const ArticleListQuery = Type.Object({
  ...Paging,
  tag: Type.Optional(Type.String({ maxLength: 100 })),
  tags: Type.Optional(Type.String({ maxLength: 1000 })),
  tags_exclude: Type.Optional(Type.String({ maxLength: 1000 })),
  username: Type.Optional(Type.String({ maxLength: 100 })),
  state: Type.Optional(
    Type.Union([Type.Literal('fresh'), Type.Literal('rising'), Type.Literal('all')]),
  ),
  top: Type.Optional(
    UrlInteger({ minimum: 1, maximum: 36_500 }, 'Published in the last this many days'),
  ),
  collection_id: Type.Optional(UrlInteger(ID_RANGE, 'The series, by id')),
});

export type ListParams = Static<typeof ArticleListQuery>;

export const PagingQuery = Type.Object(Paging);
export const PathParams = Type.Object({
  username: Type.String({ maxLength: 100 }),
  slug: Type.String({ maxLength: 300 }),
});

/** The named schemas above, registered once for every route (see `app.ts`). */
export const articleComponents = [SharedUser, ArticleIndex, ArticleShow, ArticleMe];
