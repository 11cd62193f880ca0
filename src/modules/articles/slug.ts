/** Article slugs: the title made URL-safe plus a short random suffix, unique per author. */
import { randomInt } from 'node:crypto';
import type { DbHandle } from '../../db/database.ts';
import { slugify } from '../../render/slugify.ts';
import { slugTaken } from './articles.repository.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const suffix = (length: number) =>
  Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export function slugCandidate(title: string, published: boolean): string {
  const base = slugify(title, 80) || 'post';
  return published ? `${base}-${suffix(4)}` : `${base}-temp-slug-${randomInt(10_000_000)}`;
}

export async function uniqueSlug(
  db: DbHandle,
  userId: number,
  title: string,
  published: boolean,
): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const slug = slugCandidate(title, published);
    if (!(await slugTaken(db, userId, slug))) return slug;
  }
  throw new Error('could not find a free slug');
}
