/** What makes a username, an email and a password acceptable. */
import type { UserRow } from '../../db/schema.ts';
import { AppError, type FieldError } from '../../errors.ts';

/** Longest display name. */
export const NAME_MAX = 80;
/** Forem's limit on a profile's summary. */
export const SUMMARY_MAX = 200;
/** Shortest password; the longest keeps hashing a bounded cost. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;

export const USERNAME = /^[a-z0-9_]{3,30}$/;

/** Names that are, or may become, top-level routes. */
export const RESERVED_USERNAMES = new Set([
  'about',
  'admin',
  'api',
  'assets',
  'avatar',
  'avatars',
  'comments',
  'dashboard',
  'docs',
  'enter',
  'feed',
  'feeds',
  'healthz',
  'help',
  'images',
  'login',
  'logout',
  'me',
  'metrics',
  'new',
  'notifications',
  'null',
  'password',
  'reactions',
  'readinglist',
  'readyz',
  'report',
  'reports',
  'root',
  'rss',
  'search',
  'settings',
  'setup',
  'signin',
  'signout',
  'signout_everywhere',
  'signup',
  'static',
  'system',
  't',
  'tag',
  'tags',
  'undefined',
  'uploads',
  'user',
  'users',
  'websub',
  'www',
]);

export function checkUsername(username: string): FieldError | null {
  if (!USERNAME.test(username)) {
    return { field: 'username', message: 'Username must be 3 to 30 characters of a-z, 0-9 and _' };
  }
  if (RESERVED_USERNAMES.has(username)) {
    return { field: 'username', message: `Username "${username}" is reserved` };
  }
  return null;
}

export function checkEmail(email: string): FieldError | null {
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    return { field: 'email', message: 'Email is not a valid address' };
  }
  return null;
}

export function checkPassword(password: string): FieldError | null {
  if (password.length < PASSWORD_MIN) {
    return {
      field: 'password',
      message: `Password is too short (minimum is ${PASSWORD_MIN} characters)`,
    };
  }
  if (password.length > PASSWORD_MAX) {
    return {
      field: 'password',
      message: `Password is too long (maximum is ${PASSWORD_MAX} characters)`,
    };
  }
  return null;
}

/** A suspended account may read but not write: no articles, comments, reactions or reports. */
export function assertMayWrite(user: Pick<UserRow, 'suspended_at'>): void {
  if (user.suspended_at !== null)
    throw new AppError('forbidden', 'This account is suspended and cannot post, comment or react');
}
