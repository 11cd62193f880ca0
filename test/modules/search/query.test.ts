/**
 * The search query parser: each operator, quotes and their escapes, and garbage, which becomes
 * plain words or nothing; and the text each engine is given, which holds only quoted tokens.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fts5Match, tsQueryText } from '../../../src/db/full-text.ts';
import { parseSearchQuery, searchable, tokenize } from '../../../src/modules/search/query.ts';

const word = (...tokens: string[]) => ({ tokens, prefix: false });
const prefix = (...tokens: string[]) => ({ tokens, prefix: true });
const none = { must: [], not: [], tags: [], notTags: [], authors: [], notAuthors: [] };

test('words are lower case letters and digits without accents; punctuation splits them', () => {
  assert.deepEqual(tokenize('Café, NAÏVE e\u0301 x_y 3.14 日本語'), [
    'cafe',
    'naive',
    'e',
    'x',
    'y',
    '3',
    '14',
    '日本語',
  ]);
  assert.deepEqual(parseSearchQuery('Rust  borrow'), {
    ...none,
    must: [word('rust'), word('borrow')],
  });
  // A word with punctuation inside is its tokens in a row.
  assert.deepEqual(parseSearchQuery('foo-bar').must, [word('foo', 'bar')]);
});

test('phrases, excluded words and phrases, prefixes', () => {
  assert.deepEqual(parseSearchQuery('"garbage  collector" -rust -"go lang" pars* "mark sw"*'), {
    ...none,
    must: [word('garbage', 'collector'), prefix('pars'), prefix('mark', 'sw')],
    not: [word('rust'), word('go', 'lang')],
  });
  assert.deepEqual(parseSearchQuery('-pre*').not, [prefix('pre')]);
  // A prefix needs two characters, and one word of them.
  assert.deepEqual(parseSearchQuery('a* ab** a*b foo-ba*').must, [
    word('a'),
    prefix('ab'),
    word('a', 'b'),
    word('foo', 'ba'),
  ]);
});

test('tag: and author: are filters, excluded with -, checked as names', () => {
  assert.deepEqual(parseSearchQuery('tag:Rust -tag:go author:Ada_1 -AUTHOR:bob memory'), {
    ...none,
    must: [word('memory')],
    tags: ['rust'],
    notTags: ['go'],
    authors: ['ada_1'],
    notAuthors: ['bob'],
  });
  // Not a name: searched as words.
  assert.deepEqual(parseSearchQuery('tag:no-dash author:a.b tag:').must, [
    word('tag', 'no', 'dash'),
    word('author', 'a', 'b'),
    word('tag'),
  ]);
  assert.equal(searchable(parseSearchQuery('tag:rust')), true, 'a tag alone lists its articles');
  assert.equal(searchable(parseSearchQuery('author:ann')), true);
  assert.equal(searchable(parseSearchQuery('-tag:rust -author:ann')), false);
  assert.equal(searchable(parseSearchQuery('-rust')), false);
});

test('quotes: escapes inside, nesting, a star after, empty ones', () => {
  assert.deepEqual(parseSearchQuery('"say \\"hi\\" there"').must, [word('say', 'hi', 'there')]);
  assert.deepEqual(parseSearchQuery('"back\\\\slash"').must, [word('back', 'slash')]);
  // A quote opens only at the start of an item: "a "b" c" is the phrase "a", b", and the phrase " c".
  assert.deepEqual(parseSearchQuery('"a "b" c"').must, [word('a'), word('b'), word('c')]);
  assert.deepEqual(parseSearchQuery('"" -"" "!!!"'), none);
  assert.deepEqual(parseSearchQuery('mid"quote').must, [word('mid', 'quote')]);
});

test('garbage: unclosed quotes become plain words; operators alone are nothing', () => {
  assert.deepEqual(parseSearchQuery('"garbage collector -rust'), {
    ...none,
    must: [word('garbage'), word('collector'), word('rust')],
  });
  assert.deepEqual(parseSearchQuery('say "hi'), { ...none, must: [word('say'), word('hi')] });
  for (const junk of ['***', '-', '- - -', '*:*', '^', '( ) : * "" -""', '\\', '']) {
    assert.equal(searchable(parseSearchQuery(junk)), false, junk);
  }
  assert.deepEqual(parseSearchQuery('NEAR(a b, 2)').must, [
    word('near', 'a'),
    word('b'),
    word('2'),
  ]);
  assert.deepEqual(parseSearchQuery("'; drop table articles; --").must, [
    word('drop'),
    word('table'),
    word('articles'),
  ]);
  assert.deepEqual(parseSearchQuery('{title}: x OR y').must, [
    word('title'),
    word('x'),
    word('or'),
    word('y'),
  ]);
});

test('each engine gets quoted tokens only', () => {
  const q = parseSearchQuery('"garbage collector" pars* -rust -"go lang" NEAR(x)');
  assert.equal(
    fts5Match(q),
    '("garbage collector" AND "pars"* AND "near x") NOT "rust" NOT "go lang"',
  );
  assert.equal(
    tsQueryText(q),
    "('garbage' <-> 'collector') & 'pars':* & ('near' <-> 'x') & !'rust' & !('go' <-> 'lang')",
  );
  assert.equal(fts5Match(parseSearchQuery('one')), '"one"');
  // Whoever calls, a token that is not letters and digits is refused, never passed on.
  assert.throws(() => fts5Match({ ...none, must: [word('a" OR "b')] }), TypeError);
  assert.throws(() => tsQueryText({ ...none, must: [word("a' | 'b")] }), TypeError);
});

test('words are folded as the indexes fold them: Latin accents only, other scripts keep their marks', () => {
  assert.deepEqual(tokenize('Café CRÈME naïve Ångström'), ['cafe', 'creme', 'naive', 'angstrom']);
  assert.deepEqual(tokenize('Йогурт йод Ελληνικά नमस्ते 안녕하세요'), [
    'йогурт',
    'йод',
    'ελληνικά',
    'नमस्ते',
    '안녕하세요',
  ]);
  assert.deepEqual(
    tokenize('Cafe\u0301'),
    ['cafe'],
    'a decomposed accent is composed, then folded',
  );
});
