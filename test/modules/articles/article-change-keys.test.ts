/**
 * The cache keys a change of an article names, as the outbox stores them: here, when the
 * `search` key is among them (which articles a search can find, and by what; when that changes
 * next, for a schedule) and when it is not (a draft, a scheduled article's text, a field no
 * search reads, a count).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArticleRow } from '../../../src/db/schema.ts';
import { SEARCH_KEY } from '../../../src/events/cache-keys.ts';
import { articleChangeKeys } from '../../../src/modules/articles/articles.service.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const PAST = '2026-02-01T12:00:00.000Z';
const FUTURE = '2026-04-01T12:00:00.000Z';

const published: ArticleRow = {
  id: 7,
  user_id: 3,
  slug: 'a-title',
  title: 'A title',
  description: 'What it says',
  description_auto: 0,
  body_markdown: 'The body.',
  body_html: '<p>The body.</p>',
  body_text: 'The body.',
  cover_image: null,
  canonical_url: null,
  series_id: null,
  published: 1,
  published_at: PAST,
  reading_time_minutes: 1,
  cached_tag_list: 'rust, go',
  created_at: PAST,
  edited_at: null,
  updated_at: PAST,
  announced_at: PAST,
  comments_count: 0,
  public_reactions_count: 0,
  last_comment_at: null,
};
const draft: ArticleRow = { ...published, published: 0, published_at: null, announced_at: null };
const scheduled: ArticleRow = { ...published, published_at: FUTURE, announced_at: null };
const withheld: ArticleRow = { ...published, published: 2 };

const names = (before: ArticleRow | null, after: ArticleRow | null) =>
  articleChangeKeys(before, after, NOW).includes(SEARCH_KEY);

test('an article becoming findable, or no longer, names the search key', () => {
  assert.equal(names(null, published), true, 'created published');
  assert.equal(names(draft, published), true, 'published');
  assert.equal(names(null, { ...scheduled, published_at: PAST }), true, 'a schedule going live');
  assert.equal(names(published, draft), true, 'unpublished');
  assert.equal(names(published, null), true, 'deleted');
  assert.equal(names(published, withheld), true, 'withheld');
  assert.equal(names(published, { ...published, published_at: '2026-01-01T00:00:00.000Z' }), true);
});

test('an edit of a public article names it when a field the index holds changed', () => {
  assert.equal(names(published, { ...published, title: 'Another title' }), true, 'title');
  const edited = { body_markdown: 'Other words.', body_html: '<p>Other words.</p>' };
  assert.equal(names(published, { ...published, ...edited, body_text: 'Other words.' }), true);
  assert.equal(names(published, { ...published, description: 'Other' }), true, 'description');
  assert.equal(names(published, { ...published, cached_tag_list: 'rust' }), true, 'tags');
});

test('a schedule set, moved or taken back names it, as it does the lists, for their expiry', () => {
  assert.equal(names(draft, scheduled), true, 'scheduled');
  assert.equal(names(null, scheduled), true, 'created scheduled');
  assert.equal(names(scheduled, { ...scheduled, published_at: '2026-05-01T00:00:00.000Z' }), true);
  assert.equal(names(scheduled, draft), true, 'a schedule taken back');
});

test('a change no search can see does not name it', () => {
  assert.equal(names(null, draft), false, 'a draft created');
  assert.equal(names(draft, { ...draft, body_markdown: 'Other words.' }), false, 'a draft saved');
  assert.equal(names(draft, null), false, 'a draft deleted');
  assert.equal(names(scheduled, { ...scheduled, title: 'Later' }), false, 'a schedule edited');
  assert.equal(
    names(published, { ...published, cover_image: 'https://example.test/a.png' }),
    false,
  );
  // The index holds the text a reader sees: a link's target is not in it.
  const relinked = {
    body_markdown: '[The body.](https://example.test/other)',
    body_html: '<p><a href="https://example.test/other">The body.</a></p>',
  };
  assert.equal(names(published, { ...published, ...relinked }), false, 'a link target');
  assert.equal(names(published, { ...published, series_id: 4 }), false, 'series only');
  assert.equal(
    names(published, { ...published, comments_count: 3, public_reactions_count: 2 }),
    false,
    'counts',
  );
  assert.equal(names(withheld, { ...withheld, body_markdown: 'x' }), false, 'withheld, edited');
});
