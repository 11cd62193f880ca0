/**
 * An article request read into changes, alone: front matter over JSON fields, the aliases
 * (`tag_list`, `main_image`, `date`), tag lists, blank fields, URLs, dates, and every field's
 * error reported at once. What the service does with the changes is tested through the API.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, type FieldError } from '../../src/errors.ts';
import { type ArticleInput, parseArticleInput } from '../../src/modules/articles/article-input.ts';

const fm = (yaml: string, body = 'Body text.') => `---\n${yaml}\n---\n${body}`;

/** The field errors parseArticleInput refuses `input` with. */
function refused(input: ArticleInput): FieldError[] {
  try {
    parseArticleInput(input);
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, 'validation_failed');
    assert.equal(error.status, 422);
    return error.errors ?? [];
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

test('nothing asked, nothing changed', () => {
  assert.deepEqual(parseArticleInput({}), {});
});

test('JSON fields alone, trimmed', () => {
  assert.deepEqual(
    parseArticleInput({
      title: '  Hello  ',
      published: false,
      description: '  About it  ',
      tags: ['Rust', '#webdev'],
      canonical_url: 'https://blog.example/hello',
      cover_image: 'http://img.example/c.png',
      series: ' Notes ',
      published_at: '2026-03-01T10:00:00Z',
    }),
    {
      title: 'Hello',
      published: false,
      description: 'About it',
      tags: ['rust', 'webdev'],
      canonicalUrl: 'https://blog.example/hello',
      coverImage: 'http://img.example/c.png',
      series: 'Notes',
      publishedAt: new Date('2026-03-01T10:00:00Z'),
    },
  );
});

test('front matter wins over the JSON fields; the body is kept whole, the content without it', () => {
  const body = fm(
    [
      'title: From front matter',
      'published: true',
      'description: FM description',
      'tags: css, html',
      'canonical_url: https://fm.example/a',
      'cover_image: https://fm.example/c.png',
      'series: FM series',
      'layout: ignored',
    ].join('\n'),
  );
  assert.deepEqual(
    parseArticleInput({
      title: 'From JSON',
      published: false,
      description: 'JSON description',
      tags: ['json'],
      canonical_url: 'https://json.example/a',
      cover_image: 'https://json.example/c.png',
      series: 'JSON series',
      body_markdown: body,
    }),
    {
      bodyMarkdown: body,
      content: 'Body text.',
      title: 'From front matter',
      published: true,
      description: 'FM description',
      tags: ['css', 'html'],
      canonicalUrl: 'https://fm.example/a',
      coverImage: 'https://fm.example/c.png',
      series: 'FM series',
    },
  );
});

test('a body without front matter is all content, even with a --- line inside', () => {
  const body = 'Just text\n---\nmore';
  assert.deepEqual(parseArticleInput({ title: 'T', body_markdown: body }), {
    bodyMarkdown: body,
    content: body,
    title: 'T',
  });
});

test('front matter already read by the caller is used as given, not read again', () => {
  const changes = parseArticleInput(
    { title: 'JSON', body_markdown: 'no front matter here' },
    { data: { title: 'Given' }, body: 'given content' },
  );
  assert.equal(changes.title, 'Given');
  assert.equal(changes.content, 'given content');
  assert.equal(changes.bodyMarkdown, 'no front matter here');
});

test('aliases: tag_list for tags, main_image for cover_image, date for published_at', () => {
  assert.deepEqual(parseArticleInput({ tag_list: 'a, b' }), { tags: ['a', 'b'] });
  assert.deepEqual(parseArticleInput({ tag_list: 'a', tags: ['b'] }), { tags: ['b'] }, 'tags wins');
  assert.deepEqual(parseArticleInput({ main_image: 'https://x.example/m.png' }), {
    coverImage: 'https://x.example/m.png',
  });
  assert.deepEqual(
    parseArticleInput({
      main_image: 'https://x.example/m.png',
      cover_image: 'https://x.example/c.png',
    }),
    { coverImage: 'https://x.example/c.png' },
    'cover_image wins',
  );
  const changes = parseArticleInput({
    cover_image: 'https://x.example/c.png',
    published_at: '2020-01-01T00:00:00Z',
    body_markdown: fm('main_image: https://x.example/fm.png\ndate: 2026-03-01 10:00:00 +0100'),
  });
  assert.equal(changes.coverImage, 'https://x.example/fm.png');
  assert.deepEqual(changes.publishedAt, new Date('2026-03-01T09:00:00Z'));
});

test('tag lists: a string or a list, trimmed, lowercased, without # and repeats', () => {
  assert.deepEqual(parseArticleInput({ tags: ' Rust , #go,, RUST, ##c ' }).tags, [
    'rust',
    'go',
    'c',
  ]);
  assert.deepEqual(parseArticleInput({ tags: ['A', ' a ', '#B'] }).tags, ['a', 'b']);
  assert.deepEqual(parseArticleInput({ tags: '' }).tags, []);
  assert.deepEqual(parseArticleInput({ tags: null } as unknown as ArticleInput).tags, []);
  // YAML reads a flow list's numbers as numbers; they are tags like any other.
  assert.deepEqual(parseArticleInput({ body_markdown: fm('tags: [2026, rust]') }).tags, [
    '2026',
    'rust',
  ]);
  assert.deepEqual(parseArticleInput({ body_markdown: fm('tags: a, b, c, d') }).tags, [
    'a',
    'b',
    'c',
    'd',
  ]);
});

test('tag lists that break the rules are refused, each broken tag named', () => {
  assert.deepEqual(refused({ tags: 'a, b, c, d, e' }), [
    { field: 'tags', message: 'Tag list exceeds the maximum of 4 tags' },
  ]);
  assert.deepEqual(refused({ tags: ['c++', 'x'.repeat(31)] }), [
    { field: 'tags', message: 'Tag "c++" contains non-alphanumeric characters' },
    { field: 'tags', message: `Tag "${'x'.repeat(31)}" is too long (maximum is 30 characters)` },
  ]);
  assert.deepEqual(refused({ tags: [1, 2] } as unknown as ArticleInput), [
    { field: 'tags', message: 'Tags must be a comma-separated string or a list of strings' },
  ]);
});

test('blank text clears a field; a blank date changes nothing', () => {
  assert.deepEqual(
    parseArticleInput({
      description: '  ',
      series: '',
      canonical_url: '',
      cover_image: null,
      published_at: ' ',
    }),
    { description: null, series: null, canonicalUrl: null, coverImage: null },
  );
  assert.deepEqual(
    parseArticleInput({ description: 'JSON', body_markdown: fm('description:', 'b') }),
    { bodyMarkdown: fm('description:', 'b'), content: 'b', description: null },
    'an empty front matter value clears it too',
  );
});

test('front matter values: numbers become text, other shapes are refused by key', () => {
  assert.equal(parseArticleInput({ body_markdown: fm('title: 2026') }).title, '2026');
  assert.deepEqual(refused({ body_markdown: fm('series: {a: 1}\nfoo: {b: 2}') }), [
    { field: 'series', message: 'Front matter "series" has an unsupported value' },
  ]);
  assert.deepEqual(refused({ body_markdown: fm('published: 1') }), [
    { field: 'published', message: 'Front matter "published" has an unsupported value' },
  ]);
  // The core schema reads yes as text, not as true.
  assert.deepEqual(refused({ body_markdown: fm('published: yes') }), [
    { field: 'published', message: 'Published must be true or false' },
  ]);
  assert.deepEqual(refused({ published: 'true' } as unknown as ArticleInput), [
    { field: 'published', message: 'Published must be true or false' },
  ]);
});

test('dates: any form Date reads, with its offset; one it cannot read is refused', () => {
  assert.deepEqual(
    parseArticleInput({ published_at: '2026-03-01T10:00:00+02:00' }).publishedAt,
    new Date('2026-03-01T08:00:00Z'),
  );
  assert.deepEqual(
    parseArticleInput({ body_markdown: fm('date: 2026-03-01') }).publishedAt,
    new Date('2026-03-01T00:00:00Z'),
    'a day alone is midnight UTC',
  );
  for (const published_at of ['next tuesday', '2026-13-01', '01/02/2026 25:00']) {
    assert.deepEqual(
      refused({ published_at }),
      [{ field: 'published_at', message: 'Published at is not a valid date' }],
      published_at,
    );
  }
});

test('URLs must be absolute http or https', () => {
  assert.deepEqual(refused({ canonical_url: 'javascript:alert(1)', cover_image: '/c.png' }), [
    { field: 'canonical_url', message: 'Canonical url must be an http or https URL' },
    { field: 'cover_image', message: 'Cover image must be an http or https URL' },
  ]);
  assert.deepEqual(refused({ canonical_url: `https://x.example/${'a'.repeat(2048)}` }), [
    { field: 'canonical_url', message: 'canonical url is too long' },
  ]);
});

test('titles: required when given, at most 128 characters, storable', () => {
  assert.deepEqual(refused({ title: '   ' }), [
    { field: 'title', message: "Title can't be blank" },
  ]);
  assert.deepEqual(refused({ title: 5 } as unknown as ArticleInput), [
    { field: 'title', message: "Title can't be blank" },
  ]);
  assert.equal(parseArticleInput({ title: '\u{1F600}'.repeat(128) }).title?.length, 256);
  assert.deepEqual(refused({ title: 'x'.repeat(129) }), [
    { field: 'title', message: 'Title is too long (maximum is 128 characters)' },
  ]);
  assert.deepEqual(refused({ title: 'a\u0000b' }), [
    { field: 'title', message: 'title contains characters that cannot be stored' },
  ]);
});

test('every field in error is reported at once', () => {
  assert.deepEqual(
    refused({
      title: '',
      description: 'd'.repeat(301),
      tags: 'a,b,c,d,e',
      series: 's'.repeat(129),
      published_at: 'soon',
    }).map((e) => e.field),
    ['title', 'description', 'tags', 'series', 'published_at'],
  );
});

test('a body over the limit, or with broken front matter, is refused before anything else', () => {
  assert.deepEqual(refused({ title: '', body_markdown: 'x'.repeat(800 * 1024 + 1) }), [
    { field: 'body_markdown', message: 'Body markdown is too long (maximum is 819200 bytes)' },
  ]);
  const [error] = refused({ title: '', body_markdown: fm('title: [') });
  assert.equal(error?.field, 'body_markdown');
  assert.match(error?.message ?? '', /^front matter is not valid YAML/);
});
