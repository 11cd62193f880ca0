/** Request and response schemas of the users API. */
import { Type } from 'typebox';
import { NullableText } from '../../http/schemas.ts';

const userFields = {
  type_of: Type.Literal('user'),
  id: Type.Integer(),
  username: Type.String(),
  name: Type.String(),
  twitter_username: NullableText,
  github_username: NullableText,
  summary: NullableText,
  location: NullableText,
  website_url: NullableText,
  joined_at: Type.String({ description: 'The day the account was made, as "Jan 5, 2026"' }),
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

/** `/api/users/{id}`: a numeric id or a username. */
export const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** `/api/users/by_username?url=`: a username, or a profile URL. */
export const ByUsernameQuery = Type.Object({ url: Type.String({ minLength: 1, maxLength: 500 }) });

export const userComponents = [User, MyUser];
