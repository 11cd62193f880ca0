/**
 * Mapping a feed item onto an article: the title cut to Forem's 128 characters on a word
 * boundary, categories turned into Quire tags, and body_markdown whose front matter reads back
 * (through Quire's own parser) to exactly the values written, however hostile the title.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { htmlToMarkdown } from '../../src/html-to-markdown/html-to-markdown.ts';
import {
  importBody,
  importMarkdown,
  importTags,
  importTitle,
} from '../../src/modules/imports/item-mapping.ts';
import { parseArticleInput } from '../../src/modules/articles/article-input.ts';
import { checkTags, checkTitle } from '../../src/modules/articles/articles.rules.ts';
import { splitFrontMatter } from '../../src/render/front-matter.ts';

// ---------------------------------------------------------------------------------------------
// Titles

describe('importTitle', () => {
  const x60 = 'x'.repeat(60);
  const y67 = 'y'.repeat(67);
  const t128 = `${x60} ${y67}`;

  test('the edge lengths are what the cases below claim', () => {
    assert.equal(t128.length, 128);
    assert.equal(`${t128}z`.length, 129);
    assert.equal(`${t128} z`.length, 130);
  });

  test('exactly 128 characters is kept whole', () => {
    assert.equal(importTitle(t128, 'fallback'), t128);
  });

  test('129 characters ending inside a word: the whole word goes', () => {
    assert.equal(importTitle(`${t128}z`, 'fallback'), x60);
  });

  test('130 characters where a word ends exactly at 128: cut there', () => {
    assert.equal(importTitle(`${t128} z`, 'fallback'), t128);
  });

  test('129 characters where the 129th starts a new word: the first 128 stay', () => {
    const title = `${'x'.repeat(127)} y`;
    assert.equal(title.length, 129);
    assert.equal(importTitle(title, 'fallback'), 'x'.repeat(127));
  });

  test('the cut leaves no trailing space', () => {
    const title = `${'x'.repeat(127)} yy`;
    assert.equal(importTitle(title, 'fallback'), 'x'.repeat(127));
  });

  test('a single word longer than 128 is cut hard at 128', () => {
    assert.equal(importTitle('w'.repeat(200), 'fallback'), 'w'.repeat(128));
    assert.equal(importTitle(`ab ${'c'.repeat(200)}`, 'fallback'), 'ab');
  });

  test('characters are code points, as checkTitle counts them: no emoji is split', () => {
    const out = importTitle('😀'.repeat(130), 'fallback');
    assert.equal([...out].length, 128);
    assert.ok(out.isWellFormed());
    assert.equal(checkTitle(out), null);
    assert.equal(checkTitle('😀'.repeat(129)) === null, false);
  });

  test('whitespace is trimmed and collapsed; control characters count as whitespace', () => {
    assert.equal(importTitle('  Hello \n\t  World\u00a0 again  ', 'f'), 'Hello World again');
    assert.equal(importTitle('bad\u0000byte\u0007here', 'f'), 'bad byte here');
  });

  test('nothing is decoded: the title is already text', () => {
    assert.equal(importTitle('Tom &amp; Jerry <b>', 'f'), 'Tom &amp; Jerry <b>');
  });

  test('a missing or blank title uses the fallback, itself trimmed and cut', () => {
    assert.equal(importTitle(null, 'https://blog.example.com/p/1'), 'https://blog.example.com/p/1');
    assert.equal(importTitle('', 'Untitled'), 'Untitled');
    assert.equal(importTitle(' \n\t ', 'Untitled'), 'Untitled');
    const longUrl = `https://blog.example.com/${'a'.repeat(300)}`;
    assert.equal(importTitle(null, longUrl), longUrl.slice(0, 128));
  });

  test('whatever comes in, the result passes checkTitle', () => {
    for (const title of [t128, `${t128}z`, 'w'.repeat(500), `${'ab '.repeat(100)}`, '  x  ']) {
      assert.equal(checkTitle(importTitle(title, 'f')), null, title);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Tags

describe('importTags', () => {
  test('lowercased, punctuation and spaces removed, # stripped', () => {
    assert.deepEqual(importTags(['Web Development', 'C++', 'node.js', '#JavaScript']), [
      'webdevelopment',
      'c',
      'nodejs',
      'javascript',
    ]);
  });

  test('at most four, the first ones in order', () => {
    assert.deepEqual(importTags(['one', 'two', 'three', 'four', 'five', 'six']), [
      'one',
      'two',
      'three',
      'four',
    ]);
  });

  test('duplicates after normalizing count once, in first-seen order', () => {
    assert.deepEqual(importTags(['JS', 'b', 'js', '#js', 'J.S.', 'B']), ['js', 'b']);
  });

  test('empty results are dropped and do not use up a place', () => {
    assert.deepEqual(importTags(['', '   ', '!!!', '#', '日本語', 'a', '++', 'b', 'c', 'd']), [
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  test('tags over 30 characters are dropped, not cut; 30 is kept', () => {
    const thirty = 'a'.repeat(30);
    const thirtyOne = 'b'.repeat(31);
    assert.deepEqual(importTags([thirtyOne, thirty, 'x', 'y', 'z']), [thirty, 'x', 'y', 'z']);
    // Length is counted after normalizing: 31 with a dot in it is 30.
    assert.deepEqual(importTags([`${'c'.repeat(15)}.${'c'.repeat(15)}`]), ['c'.repeat(30)]);
  });

  test('accents are dropped, not the letters under them', () => {
    assert.deepEqual(importTags(['Café', 'Ünïcödé', 'ＪＳ']), ['cafe', 'unicode', 'js']);
  });

  test('no categories, no tags; the result always passes checkTags', () => {
    assert.deepEqual(importTags([]), []);
    const many = ['Web Development', 'C#', 'F#', '.NET Core', 'a'.repeat(40), 'x y z', 'K8s!'];
    assert.deepEqual(checkTags(importTags(many)), []);
    assert.deepEqual(importTags(many), ['webdevelopment', 'c', 'f', 'netcore']);
  });
});

// ---------------------------------------------------------------------------------------------
// body_markdown

const BASE = 'https://blog.example.com/posts/hello';

describe('importMarkdown', () => {
  test('DEV-style front matter, a blank line, then the Markdown', () => {
    const body = importMarkdown(
      {
        title: 'Hello World',
        html: '<p>Body <strong>text</strong> and <a href="/about">a link</a>.</p>',
        tags: ['javascript', 'webdev'],
        canonicalUrl: 'https://blog.example.com/posts/hello',
        date: new Date('2024-03-05T14:07:09Z'),
        published: true,
        coverImage: 'https://blog.example.com/cover.png',
      },
      BASE,
    );
    assert.equal(
      body,
      [
        '---',
        'title: Hello World',
        'published: true',
        'tags: javascript, webdev',
        'canonical_url: https://blog.example.com/posts/hello',
        'cover_image: https://blog.example.com/cover.png',
        'date: "2024-03-05T14:07:09.000Z"',
        '---',
        '',
        'Body **text** and [a link](https://blog.example.com/about).',
        '',
      ].join('\n'),
    );
  });

  test('absent values are left out; an item without content has an empty body', () => {
    const body = importMarkdown(
      {
        title: 'Draft',
        html: null,
        tags: [],
        canonicalUrl: null,
        date: null,
        published: false,
      },
      null,
    );
    assert.equal(body, '---\ntitle: Draft\npublished: false\n---\n\n');
  });

  test('dates are written in UTC whatever their offset was', () => {
    const body = importMarkdown(
      {
        title: 't',
        html: null,
        tags: [],
        canonicalUrl: null,
        date: new Date('2024-12-31T23:30:00-05:00'),
        published: true,
      },
      null,
    );
    assert.equal(splitFrontMatter(body).data?.date, '2025-01-01T04:30:00.000Z');
  });

  const HOSTILE = [
    'Why: a colon',
    'a: b # c',
    'It\'s "quoted"',
    "'single'",
    '#hashtag first',
    'C# and F#',
    '- leading dash',
    '* leading star',
    '& leading ampersand',
    '! leading bang',
    '? leading question',
    '@at %percent `tick`',
    '|pipe >gt',
    '[bracket] {brace}',
    'line one\nline two',
    'x\n---\ny',
    '---',
    '...',
    'yes',
    'No',
    'on',
    'null',
    '~',
    '123',
    '1e3',
    '0x1F',
    '0o12',
    '2024-01-01',
    'true',
    ' leading and trailing ',
    'tab\there',
    'back\\slash \\n',
    'é ☃ 🎉 日本語',
    '"',
    '',
    'x'.repeat(128),
  ];

  test('hostile titles read back unchanged through Quire’s front matter parser', () => {
    for (const title of HOSTILE) {
      const html = '<p>Para</p><pre><code class="language-ts">let a = 1;</code></pre>';
      const body = importMarkdown(
        {
          title,
          html,
          tags: ['a', 'b'],
          canonicalUrl: 'https://blog.example.com/p?a=1&b=2#frag',
          date: new Date('2024-01-02T03:04:05.678Z'),
          published: true,
        },
        BASE,
      );
      const { data, body: rest } = splitFrontMatter(body);
      assert.deepEqual(
        data,
        {
          title,
          published: true,
          tags: 'a, b',
          canonical_url: 'https://blog.example.com/p?a=1&b=2#frag',
          date: '2024-01-02T03:04:05.678Z',
        },
        JSON.stringify(title),
      );
      assert.equal(rest, `\n${htmlToMarkdown(html, BASE)}`, JSON.stringify(title));
    }
  });

  test('strings a YAML 1.1 reader (as DEV uses) would take for booleans or dates are quoted', () => {
    for (const title of ['yes', 'No', 'on', 'off', 'y', '2024-01-01']) {
      const body = importMarkdown(
        { title, html: null, tags: [], canonicalUrl: null, date: null, published: true },
        null,
      );
      assert.ok(body.startsWith(`---\ntitle: "${title}"\n`), body);
    }
  });

  test('what an import writes is accepted by the article rules as the values it came from', () => {
    for (const raw of HOSTILE) {
      const title = importTitle(raw, 'Untitled');
      const changes = parseArticleInput({
        body_markdown: importMarkdown(
          {
            title,
            html: '<h2>Heading</h2><p>Text</p>',
            tags: importTags(['Node.js', 'Web Dev']),
            canonicalUrl: 'https://blog.example.com/posts/hello',
            date: new Date('2023-06-07T08:09:10Z'),
            published: false,
            coverImage: 'https://blog.example.com/c.png',
          },
          BASE,
        ),
      });
      assert.equal(changes.title, title, JSON.stringify(raw));
      assert.equal(changes.published, false);
      assert.deepEqual(changes.tags, ['nodejs', 'webdev']);
      assert.equal(changes.canonicalUrl, 'https://blog.example.com/posts/hello');
      assert.equal(changes.coverImage, 'https://blog.example.com/c.png');
      assert.equal(changes.publishedAt?.toISOString(), '2023-06-07T08:09:10.000Z');
      assert.equal(changes.content, '\n## Heading\n\nText\n');
    }
  });

  test('the front matter handed on with the Markdown is what the parser reads from it', () => {
    for (const raw of HOSTILE) {
      for (const tags of [[], ['0o7', 'yes'], ['rust']]) {
        const { markdown, frontMatter } = importBody(
          {
            title: importTitle(raw, 'Untitled'),
            html: '<p>Text with <a href="/x">a link</a></p>',
            tags,
            canonicalUrl: 'https://blog.example.com/posts/hello',
            date: new Date('2023-06-07T08:09:10Z'),
            published: true,
            coverImage: null,
          },
          BASE,
        );
        assert.deepEqual(frontMatter, splitFrontMatter(markdown), JSON.stringify([raw, tags]));
      }
    }
  });
});
