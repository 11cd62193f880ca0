/** Users as Forem's API V1 shows them. */
import type { UserRow } from '../../db/schema.ts';

export function profileImage(
  user: Pick<UserRow, 'username' | 'profile_image'>,
  baseUrl: string,
): string {
  return user.profile_image ?? `${baseUrl}/avatar/${user.username}.svg`;
}

const RASTER_PATH = /\.(?:png|jpe?g|gif)$/i;

/**
 * The picture as RSS 2.0 allows one (GIF, JPEG or PNG): the account's own when its path says it
 * is one of those, else the generated avatar as PNG.
 */
export function rasterProfileImage(
  user: Pick<UserRow, 'username' | 'profile_image'>,
  baseUrl: string,
): string {
  const own = user.profile_image;
  if (own && URL.canParse(own) && RASTER_PATH.test(new URL(own).pathname)) return own;
  return `${baseUrl}/avatar/${user.username}.png`;
}

const MONTH_DAY_YEAR = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "Jan 5, 2026", as Forem writes `joined_at`. */
export function readableDate(iso: string): string {
  return MONTH_DAY_YEAR.format(new Date(iso));
}

export function userJson(user: UserRow, baseUrl: string) {
  return {
    type_of: 'user' as const,
    id: user.id,
    username: user.username,
    name: user.name,
    twitter_username: user.twitter_username,
    github_username: user.github_username,
    summary: user.summary,
    location: user.location,
    website_url: user.website_url,
    joined_at: readableDate(user.created_at),
    profile_image: profileImage(user, baseUrl),
  };
}

/** The account as its owner sees it. */
export function myUserJson(user: UserRow, baseUrl: string) {
  return {
    ...userJson(user, baseUrl),
    email: user.email,
    role: user.role,
    followers_count: user.followers_count,
    badge_ids: [] as number[],
  };
}

/** What the author block shows of an account. */
export type SharedUser = Pick<
  UserRow,
  | 'id'
  | 'name'
  | 'username'
  | 'twitter_username'
  | 'github_username'
  | 'website_url'
  | 'profile_image'
>;

/** The author block embedded in every article and comment. */
export function sharedUserJson(user: SharedUser, baseUrl: string) {
  const image = profileImage(user, baseUrl);
  return {
    name: user.name,
    username: user.username,
    twitter_username: user.twitter_username,
    github_username: user.github_username,
    user_id: user.id,
    website_url: user.website_url,
    profile_image: image,
    profile_image_90: image,
  };
}
