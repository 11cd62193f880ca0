/** Response schemas of the users API. */
import { Type } from 'typebox';

const NText = Type.Union([Type.String(), Type.Null()]);

const userFields = {
  type_of: Type.Literal('user'),
  id: Type.Integer(),
  username: Type.String(),
  name: Type.String(),
  twitter_username: NText,
  github_username: NText,
  summary: NText,
  location: NText,
  website_url: NText,
  joined_at: Type.String(),
  profile_image: Type.String(),
};

export const User = Type.Object(userFields, {
  $id: 'User',
  description: 'A user as anyone sees them',
});

export const MyUser = Type.Object(
  {
    ...userFields,
    email: Type.String(),
    role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
    followers_count: Type.Integer(),
    badge_ids: Type.Array(Type.Integer()),
  },
  { $id: 'MyUser', description: 'The account as its owner sees it' },
);
