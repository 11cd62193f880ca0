/** Request and response schemas of the comments API: Forem's shapes, and Quire's writes. */
import { type Static, Type } from 'typebox';
import { NullableTimestamp, Ref, Timestamp } from '../../http/schemas.ts';
import { ID_RANGE, UrlInteger } from '../../http/url-numbers.ts';
import { SharedUser } from '../articles/articles.schemas.ts';
import type { CommentJson } from './comments.presenter.ts';
import { COMMENT_MAX } from './comments.rules.ts';

export const Comment = Type.Object(
  {
    type_of: Type.Literal('comment'),
    id_code: Type.String({ description: 'The comment id in base 26, as its URLs carry it' }),
    created_at: Timestamp,
    edited_at: NullableTimestamp('Null until the author edits it'),
    body_html: Type.String({
      description: 'Sanitized HTML; "[deleted]" or a note when deleted or hidden',
    }),
    public_reactions_count: Type.Integer(),
    user: Ref(SharedUser),
    // Replies, at any depth: a reference to this schema itself.
    children: Type.Unsafe<CommentJson[]>({ type: 'array', items: { $ref: 'Comment#' } }),
  },
  { $id: 'Comment', description: 'A comment with its replies' },
);

export const CommentThreadQuery = Type.Object({
  a_id: UrlInteger(ID_RANGE, 'The article whose comments to list'),
});

export const IdCodeParams = Type.Object({
  id: Type.String({ pattern: '^[0-9a-p]{1,10}$', description: 'The id_code of the comment' }),
});

const Body = Type.String({
  maxLength: COMMENT_MAX * 4,
  description: `Markdown, at most ${COMMENT_MAX} characters`,
});

export const CommentCreate = Type.Object({
  comment: Type.Object({
    body_markdown: Body,
    article_id: Type.Integer({ ...ID_RANGE }),
    // One `type` list, not a union of schemas: Ajv coerces data to the first schema of a union
    // that takes it, so the id_code "15" (comment 31) became the number 15. Across one list of
    // types it coerces only data that is none of them.
    parent_id: Type.Optional(
      Type.Unsafe<number | string | null>({
        type: ['integer', 'string', 'null'],
        ...ID_RANGE,
        pattern: '^[0-9a-p]{1,10}$',
        description: 'The comment answered: its id (a number) or its id_code (a string)',
      }),
    ),
  }),
});
export type CommentCreateBody = Static<typeof CommentCreate>;

export const CommentUpdate = Type.Object({
  comment: Type.Object({ body_markdown: Body }),
});

export const commentComponents = [Comment];
