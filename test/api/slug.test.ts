/**
 * Slugs from titles, alone: the base (Latin without accents, other scripts transliterated, cut at
 * 80 characters, "post" when nothing is left) and the candidate made from it (a random suffix
 * when published, a temporary one for drafts). Which candidate is free is the database's part,
 * tested through the API.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transliterate } from 'transliteration';
import { slugBase, slugCandidate } from '../../src/modules/articles/slug.ts';
import { slugify } from '../../src/render/slugify.ts';

const identity = (text: string) => text;

test('titles become lowercase words of a-z and 0-9 joined by single hyphens', () => {
  const cases: Array<[string, string]> = [
    ['Hello, World!', 'hello-world'],
    ['  Rust: 10 tips (2026)  ', 'rust-10-tips-2026'],
    ['---Hello---', 'hello'],
    ['C++ & C#', 'c-c'],
    ['2026', '2026'],
    ['node.js_v24 -- what\u2019s new?!', 'node-js-v24-what-s-new'],
    ['\ufb01ne \u2460 \uff21\uff22', 'fine-1-ab'],
  ];
  for (const [title, base] of cases) assert.equal(slugBase(title, transliterate), base, title);
});

test('Latin letters lose their accents, precomposed or combining; other scripts are spelled out', () => {
  const cases: Array<[string, string]> = [
    ['\u00dcber Caf\u00e9', 'uber-cafe'],
    ['Cafe\u0301 U\u0308ber', 'cafe-uber'],
    ['\u0178 \u0178', 'y-y'],
    ['Gro\u00dfe Stra\u00dfe', 'grosse-strasse'],
    ['\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440', 'privet-mir'],
    ['\u0419\u043e\u0434', 'yod'],
    ['\u4f60\u597d\u4e16\u754c', 'ni-hao-shi-jie'],
  ];
  for (const [title, base] of cases) assert.equal(slugBase(title, transliterate), base, title);
});

test('the transliteration is handed the title with Latin accents gone and other marks kept', () => {
  const seen: string[] = [];
  slugBase('\u00dcber \u0419\u043e\u0434', (text) => {
    seen.push(text);
    return text;
  });
  // The breve of Й is not on a Latin letter: it stays, recomposed.
  assert.deepEqual(seen, ['Uber \u0419\u043e\u0434']);
});

test('a title with nothing to keep is "post"', () => {
  for (const title of [
    '',
    '   ',
    '\ud83c\udf89\ud83d\ude80',
    '!!! ??? ...',
    '\u2014 \u2026 \u2014',
  ]) {
    assert.equal(slugBase(title, transliterate), 'post', JSON.stringify(title));
  }
});

test('the base is cut at 80 characters and never ends on a hyphen', () => {
  assert.equal(slugBase('a'.repeat(100), transliterate), 'a'.repeat(80));
  // 16 words and their hyphens are 80 characters: the last hyphen goes.
  assert.equal(
    slugBase('word '.repeat(25).trim(), transliterate),
    Array(16).fill('word').join('-'),
  );
  assert.equal(slugBase('x-'.repeat(60), transliterate), Array(40).fill('x').join('-'));
});

test('the base alone: what the ASCII-only rule made, it makes the same', () => {
  // The ASCII-only rule (still the one for heading anchors) made every slug before.
  for (const title of [
    'Hello, World! \u00dcber Caf\u00e9 2026',
    '\u00c0 la carte: na\u00efve r\u00e9sum\u00e9s, fa\u00e7ades, \u00f3d\u017a',
    'No: \u0103\u0219\u021b \u00ee\u00e2 \u0171\u0151 \u0159\u0161\u010d\u017e',
    'Ve\u0301ritable \ufb02ow \u00b2 \u2168 \uff34\uff33',
    "node.js_v24 -- what's new?!",
  ]) {
    assert.equal(slugBase(title, transliterate), slugify(title, 80), title);
  }
  // Latin letters without an accent to drop were lost; now they are spelled out.
  assert.equal(slugify('Sm\u00f8rrebr\u00f8d in \u0141\u00f3d\u017a', 80), 'sm-rrebr-d-in-odz');
  assert.equal(
    slugBase('Sm\u00f8rrebr\u00f8d in \u0141\u00f3d\u017a', transliterate),
    'smorrebrod-in-lodz',
  );
  // Without a transliteration, what is not Latin is dropped: the rule that shapes the result.
  assert.equal(slugBase('Привет Über', identity), 'uber');
  assert.equal(slugBase('🎉', identity), 'post');
});

test('a published candidate is the base and four random letters or digits', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const slug = slugCandidate('hello-world', true);
    assert.match(slug, /^hello-world-[a-z0-9]{4}$/);
    seen.add(slug);
  }
  assert.ok(seen.size > 190, `${seen.size} different suffixes out of 200`);
});

test('a draft candidate is the base, "temp-slug" and a number below ten million', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const slug = slugCandidate('post', false);
    const match = /^post-temp-slug-(\d+)$/.exec(slug);
    assert.ok(match, slug);
    assert.ok(Number(match[1]) < 10_000_000, slug);
    seen.add(slug);
  }
  assert.ok(seen.size > 190, `${seen.size} different numbers out of 200`);
});
