/** What may be followed, as Forem names the kinds, and the checks on what a reader asks for. */
import { isTagName, TAG_MAX } from '../articles/articles.rules.ts';

export const FOLLOWABLE_TYPES = ['User', 'Tag'] as const;
export type FollowableType = (typeof FOLLOWABLE_TYPES)[number];

/** Follows per page of the follow lists, unless asked for fewer. */
export const FOLLOWS_PER_PAGE = 80;
export const FOLLOWS_PER_PAGE_MAX = 1000;

/** A tag as a reader names it (`#Rust`, ` rust `), normalized as articles normalize theirs. */
export const normalizeTagName = (raw: string) => raw.trim().replace(/^#+/, '').toLowerCase();

/** Whether a normalized tag name is one an article could carry. */
export const isFollowableTag = (name: string) => name.length <= TAG_MAX && isTagName(name);
