/**
 * Slugs from titles in any script, through the HTTP API: Latin loses its accents as it always
 * did, other scripts are transliterated, and a title with nothing to transliterate still gets a
 * readable slug, each with Forem's random suffix.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Author, makeAuthor, postArticle } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let author: Author;

before(async () => {
  server = await startTestServer();
  author = await makeAuthor(server, 'slug_scripts');
});
after(() => server.close());

/** The published slug of a new article with this title, and that it answers at its path. */
async function publishedSlug(title: string): Promise<string> {
  const article = await postArticle(server, author, { title, published: true });
  const res = await server.client().get(`/api/articles/slug_scripts/${article.slug}`);
  assert.equal(res.status, 200, `${article.slug} does not answer`);
  assert.equal(res.json().title, title.trim());
  return article.slug;
}

const SUFFIX = '-[a-z0-9]{4}$';

test('Cyrillic, German and CJK titles become Latin words, with the random suffix', async () => {
  const cases: [string, string][] = [
    ['Привет мир — straße', 'privet-mir-strasse'],
    ['Мой ёжик', 'moy-yozhik'],
    ['Große Straße', 'grosse-strasse'],
    // Chinese becomes pinyin without tones; Japanese kana become romaji, its kanji are read as
    // Chinese; Korean becomes Revised Romanization.
    ['你好世界', 'ni-hao-shi-jie'],
    ['こんにちは世界', 'konnitihashi-jie'],
    ['안녕하세요', 'annyeonghaseyo'],
    ['Γειά σου Κόσμε', 'geia-soy-kosme'],
  ];
  for (const [title, base] of cases) {
    assert.match(await publishedSlug(title), new RegExp(`^${base}${SUFFIX}`), title);
  }
});

test('Latin titles keep the slugs they always had', async () => {
  const cases: [string, string][] = [
    ['Hello, World! \u00dcber Caf\u00e9 2026', 'hello-world-uber-cafe-2026'],
    ['Cr\u00e8me br\u00fbl\u00e9e & Pi\u00f1a colada', 'creme-brulee-pina-colada'],
    // The same accents written as combining marks.
    ['Cafe\u0301 U\u0308ber', 'cafe-uber'],
    ['\ufb01ne \u2460 \uff21\uff22', 'fine-1-ab'],
    ['  Rust: 10 tips (2026)  ', 'rust-10-tips-2026'],
  ];
  for (const [title, base] of cases) {
    assert.match(await publishedSlug(title), new RegExp(`^${base}${SUFFIX}`), title);
  }
});

test('a title with nothing to transliterate gets a readable slug', async () => {
  for (const title of ['🎉🚀', '!!! ??? ...', '— … —']) {
    assert.match(await publishedSlug(title), new RegExp(`^post${SUFFIX}`), title);
  }
  const draft = await postArticle(server, author, { title: '🎉', published: false });
  assert.match(draft.slug, /^post-temp-slug-\d+$/);
  // Emoji around words are dropped, the words kept.
  assert.match(await publishedSlug('🎉 Релиз 2.0 🚀'), new RegExp(`^reliz-2-0${SUFFIX}`));
});

test('long titles are cut at 80 characters before the suffix, never on a hyphen', async () => {
  // Titles may have 128 characters.
  const latin = await publishedSlug('word '.repeat(25).trim());
  const cyrillic = await publishedSlug('слово '.repeat(21).trim());
  // CJK grows when transliterated: each character becomes a syllable.
  const cjk = await publishedSlug('世界'.repeat(40));
  for (const slug of [latin, cyrillic, cjk]) {
    const base = slug.slice(0, -5);
    assert.ok(base.length <= 80 && base.length >= 70, `${slug}: ${base.length}`);
    assert.doesNotMatch(base, /-$|--/);
    assert.match(slug, /^[a-z0-9-]+$/);
  }
  assert.match(latin, /^word-word-/);
  assert.match(cyrillic, /^slovo-slovo-/);
  assert.match(cjk, /^shi-jie-shi-jie-/);
});
