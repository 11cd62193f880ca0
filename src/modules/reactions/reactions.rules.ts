/** Reaction categories and limits, as Forem names them. */

/** The public categories, shown as counts on articles and comments. */
export const PUBLIC_CATEGORIES = [
  'like',
  'unicorn',
  'exploding_head',
  'raised_hands',
  'fire',
] as const;
/** Saving an article for later: a reaction only its reader sees. */
export const READING_LIST = 'readinglist';
export const CATEGORIES = [...PUBLIC_CATEGORIES, READING_LIST] as const;
export type Category = (typeof CATEGORIES)[number];

export const REACTABLE_TYPES = ['Article', 'Comment'] as const;
export type ReactableType = (typeof REACTABLE_TYPES)[number];

/** Reactions (given or taken back) one account may make per minute. */
export const REACTIONS_PER_MINUTE = 60;

const PUBLIC: ReadonlySet<string> = new Set(PUBLIC_CATEGORIES);

export const isPublicCategory = (category: string) => PUBLIC.has(category);

/** Labels pages show for each category. */
export const CATEGORY_LABELS: Record<Category, string> = {
  like: 'Like',
  unicorn: 'Unicorn',
  exploding_head: 'Exploding head',
  raised_hands: 'Raised hands',
  fire: 'Fire',
  readinglist: 'Save',
};
