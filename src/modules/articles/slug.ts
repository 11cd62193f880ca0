/**
 * Article slugs: the title in Latin letters, made URL-safe, plus a short random suffix, unique
 * per author.
 */
import { randomInt } from 'node:crypto';
import type { DbHandle } from '../../db/database.ts';
import { slugify } from '../../render/slugify.ts';
import { takenSlugs } from './articles.repository.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const suffix = (length: number) =>
  Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/** Tries per article before giving up: a clash of random suffixes this often means a bug. */
const ATTEMPTS = 8;

type Transliterate = (text: string) => string;

let transliterator: Promise<Transliterate> | undefined;
/**
 * Loaded with the first slug, not at start: its tables take a noticeable moment to load, and
 * most processes (the import's converting threads, a node that only serves pages) never make one.
 */
const loadTransliterate = () =>
  (transliterator ??= import('transliteration').then((module) => module.transliterate));

// A combining mark on a Latin letter, once decomposed (the accent of é, the umlaut of ü).
const LATIN_MARK = /(?<=\p{Script=Latin})\p{Mn}+/gu;

/**
 * The title as lowercase Latin words joined by hyphens, at most 80 characters. Latin letters lose
 * their accents (Über -> uber), as slugs always had; every other script is transliterated
 * (Привет -> privet, straße -> strasse, 你好 -> ni-hao); a title with nothing to keep is "post".
 */
export function slugBase(title: string, transliterate: Transliterate): string {
  const bare = title.normalize('NFKD').replace(LATIN_MARK, '').normalize('NFC');
  return slugify(transliterate(bare), 80) || 'post';
}

export function slugCandidate(base: string, published: boolean): string {
  return published ? `${base}-${suffix(4)}` : `${base}-temp-slug-${randomInt(10_000_000)}`;
}

export interface SlugRequest {
  title: string;
  published: boolean;
}

/**
 * A slug for each of an author's new articles, in order: free among the author's articles and
 * different from one another. One query per round of candidates, however many articles.
 * `candidate` makes the candidates; tests pass one that collides on purpose.
 */
export async function uniqueSlugs(
  db: DbHandle,
  userId: number,
  requests: SlugRequest[],
  candidate?: (request: SlugRequest) => string,
): Promise<string[]> {
  if (!candidate) {
    const transliterate = await loadTransliterate();
    candidate = (r) => slugCandidate(slugBase(r.title, transliterate), r.published);
  }
  const slugs: Array<string | null> = requests.map(() => null);
  const chosen = new Set<string>();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const open = requests.flatMap((request, i) => (slugs[i] === null ? [{ request, i }] : []));
    if (open.length === 0) break;
    const candidates = open.map(({ request }) => candidate(request));
    const taken = await takenSlugs(db, userId, candidates);
    open.forEach(({ i }, k) => {
      const slug = candidates[k] as string;
      if (taken.has(slug) || chosen.has(slug)) return;
      slugs[i] = slug;
      chosen.add(slug);
    });
  }
  if (slugs.some((slug) => slug === null)) throw new Error('could not find a free slug');
  return slugs as string[];
}

export async function uniqueSlug(
  db: DbHandle,
  userId: number,
  title: string,
  published: boolean,
): Promise<string> {
  const [slug] = await uniqueSlugs(db, userId, [{ title, published }]);
  return slug as string;
}
