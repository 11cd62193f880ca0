/** Follows as the API shows them: Forem's follower and followed-tag shapes, and Quire's own. */
import type { FollowRow, UserRow } from '../../db/schema.ts';
import { isoSeconds } from '../articles/articles.presenter.ts';
import { profileImage } from '../users/users.presenter.ts';
import type { TagFollowCount } from './follows.repository.ts';
import type { FollowTarget } from './follows.service.ts';

function personJson(follow: FollowRow, user: UserRow, baseUrl: string) {
  return {
    id: follow.id,
    created_at: isoSeconds(follow.created_at),
    user_id: user.id,
    name: user.name,
    path: `/${user.username}`,
    username: user.username,
    profile_image: profileImage(user, baseUrl),
  };
}

/** One of the caller's followers, as Forem's `GET /api/followers/users` lists them. */
export function followerJson(follow: FollowRow, user: UserRow, baseUrl: string) {
  return { type_of: 'user_follower' as const, ...personJson(follow, user, baseUrl) };
}

/** An account the caller follows (a Quire addition, in the same shape). */
export function followingJson(follow: FollowRow, user: UserRow, baseUrl: string) {
  return { type_of: 'user_following' as const, ...personJson(follow, user, baseUrl) };
}

/** A tag the caller follows, as Forem's `GET /api/follows/tags` lists them (every follow weighs 1). */
export function followedTagJson(tag: TagFollowCount) {
  return { id: tag.id, name: tag.name, points: 1 };
}

/** A follow, as `POST /api/follows` answers it. */
export function followJson(follow: FollowRow, target: FollowTarget) {
  return {
    type_of: 'follow' as const,
    id: follow.id,
    followable_type: follow.followable_type,
    followable_id: follow.followable_id,
    name: target.type === 'User' ? target.user.username : target.name,
    created_at: isoSeconds(follow.created_at),
  };
}
