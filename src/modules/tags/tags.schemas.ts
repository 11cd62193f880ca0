/** Request and response schemas of the tags API. */
import { Type } from 'typebox';
import { NullableText, paging } from '../../http/schemas.ts';

export const Tag = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    bg_color_hex: NullableText,
    text_color_hex: NullableText,
  },
  { $id: 'Tag' },
);

export const TagListQuery = Type.Object(paging('Default 10; more than 1000 counts as 1000'));

export const tagComponents = [Tag];
