/** Request and response schemas of follows: Forem's two lists and Quire's writes. */
import { Type } from 'typebox';
import { paging, Timestamp } from '../../http/schemas.ts';
import { ID_RANGE } from '../../http/url-numbers.ts';
import { FOLLOWS_PER_PAGE, FOLLOWS_PER_PAGE_MAX } from './follows.rules.ts';

export const FollowBody = Type.Object(
  {
    user_id: Type.Optional(Type.Integer({ ...ID_RANGE, description: 'The account to follow' })),
    tag: Type.Optional(
      Type.String({ maxLength: 100, description: 'The tag to follow (letters and digits)' }),
    ),
  },
  { additionalProperties: false, description: 'Either user_id or tag' },
);

const person = {
  id: Type.Integer({ description: 'The follow' }),
  created_at: Timestamp,
  user_id: Type.Integer(),
  name: Type.String(),
  path: Type.String({ description: "The profile's path" }),
  username: Type.String(),
  profile_image: Type.String(),
};

export const Follower = Type.Object(
  { type_of: Type.Literal('user_follower'), ...person },
  { $id: 'Follower', description: 'An account that follows the caller' },
);

export const FollowedUser = Type.Object(
  { type_of: Type.Literal('user_following'), ...person },
  { $id: 'FollowedUser', description: 'An account the caller follows' },
);

export const FollowedTag = Type.Object(
  {
    id: Type.Integer({ description: 'The tag' }),
    name: Type.String(),
    points: Type.Number({ description: 'How much the tag weighs in the caller’s feed' }),
  },
  { $id: 'FollowedTag', description: 'A tag the caller follows' },
);

export const Follow = Type.Object(
  {
    type_of: Type.Literal('follow'),
    id: Type.Integer(),
    followable_type: Type.Union([Type.Literal('User'), Type.Literal('Tag')]),
    followable_id: Type.Integer(),
    name: Type.String({ description: 'The username or tag name followed' }),
    created_at: Timestamp,
  },
  { $id: 'Follow', description: 'The caller follows an account or a tag' },
);

export const FollowsQuery = Type.Object(
  paging(`Default ${FOLLOWS_PER_PAGE}, at most ${FOLLOWS_PER_PAGE_MAX}`, FOLLOWS_PER_PAGE_MAX),
);

export const followComponents = [Follower, FollowedUser, FollowedTag, Follow];
