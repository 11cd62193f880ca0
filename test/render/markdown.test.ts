/**
 * The Markdown pipeline as a writer meets it: CommonMark + GFM, server-side highlighting with a
 * language label, namespaced heading ids, marked links, front matter, reading time and the
 * default description. The pure functions are tested directly; the last tests go through
 * POST/PUT /api/articles so the stored `body_html` is checked on both databases.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DomUtils, parseDocument } from 'htmlparser2';
import { AppError } from '../../src/errors.ts';
import { splitFrontMatter } from '../../src/render/front-matter.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { countWords, excerpt, readingTimeMinutes } from '../../src/render/text.ts';
import { assertProblem } from '../helpers/error-body.ts';
import { type Author, makeAuthor, snapshot } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Element = ReturnType<typeof DomUtils.findAll>[number];

/** Parses HTML and returns every element in document order. */
function elements(html: string): Element[] {
  return DomUtils.findAll(() => true, parseDocument(html).children);
}
const byTag = (html: string, tag: string) => elements(html).filter((el) => el.name === tag);
const text = (el: Element) => DomUtils.textContent(el);
const classes = (el: Element) => (el.attribs.class ?? '').split(/\s+/).filter(Boolean);

/** No element of the output carries a style attribute, an event handler or a script. */
function assertClean(html: string) {
  for (const el of elements(html)) {
    assert.notEqual(el.name, 'script', html);
    for (const name of Object.keys(el.attribs)) {
      assert.ok(name !== 'style' && !name.startsWith('on'), `${name} in ${html}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GFM features

test('GFM tables render with thead/tbody and keep alignment as an align attribute, not a style', () => {
  const { html } = renderMarkdown(
    '| Left | Center | Right | None |\n|:-----|:------:|------:|------|\n| a | b | c | d |\n| e | f | g | h |',
  );
  assert.equal(byTag(html, 'table').length, 1);
  assert.equal(byTag(html, 'thead').length, 1);
  assert.equal(byTag(html, 'tbody').length, 1);
  const th = byTag(html, 'th');
  assert.deepEqual(
    th.map((el) => [text(el), el.attribs.align]),
    [
      ['Left', 'left'],
      ['Center', 'center'],
      ['Right', 'right'],
      ['None', undefined],
    ],
  );
  const td = byTag(html, 'td');
  assert.deepEqual(
    td.map((el) => el.attribs.align ?? '-'),
    ['left', 'center', 'right', '-', 'left', 'center', 'right', '-'],
  );
  assert.deepEqual(
    td.map((el) => text(el)),
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
  );
  assert.doesNotMatch(html, /style=|text-align/);
  assertClean(html);
});

test('a table cell keeps inline Markdown and escaped pipes', () => {
  const { html } = renderMarkdown('| Code | Note |\n|---|---|\n| `a \\| b` | **bold** |');
  const cells = byTag(html, 'td');
  assert.equal(cells.length, 2);
  assert.equal(text(cells[0]!), 'a | b');
  assert.equal(byTag(html, 'code').length, 1);
  assert.equal(text(byTag(html, 'strong')[0]!), 'bold');
});

test('~~strikethrough~~ renders as a strike element around the text', () => {
  const { html } = renderMarkdown('Keep ~~drop this~~ keep');
  const struck = elements(html).filter((el) => el.name === 's' || el.name === 'del');
  assert.equal(struck.length, 1, html);
  assert.equal(text(struck[0]!), 'drop this');
  assert.equal(text(byTag(html, 'p')[0]!), 'Keep drop this keep');
});

test('task lists render disabled checkboxes, checked where the item is done', () => {
  const { html } = renderMarkdown('- [x] done\n- [ ] todo\n  - [X] nested done\n- plain item');
  const boxes = byTag(html, 'input');
  assert.equal(boxes.length, 3, html);
  for (const box of boxes) {
    assert.equal(box.attribs.type, 'checkbox');
    assert.ok('disabled' in box.attribs, 'a reader cannot tick the box');
    assert.ok(box.attribs.id?.startsWith('user-content-'), box.attribs.id);
  }
  assert.deepEqual(
    boxes.map((b) => 'checked' in b.attribs),
    [true, false, true],
  );
  const items = byTag(html, 'li');
  assert.deepEqual(
    items.map((li) => classes(li).includes('task-list-item')),
    [true, true, true, false],
  );
  // Every label points at its own checkbox, both with the same prefixed id.
  const labels = byTag(html, 'label');
  assert.deepEqual(
    labels.map((l) => l.attribs.for),
    boxes.map((b) => b.attribs.id),
  );
  assert.equal(new Set(boxes.map((b) => b.attribs.id)).size, 3);
  assert.match(text(items[3]!), /plain item/);
});

test('bare URLs, www. addresses and <angle> autolinks become links', () => {
  const { html } = renderMarkdown(
    'See https://example.com/a_b?x=1&y=2. Also www.example.org and <https://example.net/path>.',
  );
  const links = byTag(html, 'a');
  assert.deepEqual(
    links.map((a) => a.attribs.href),
    ['https://example.com/a_b?x=1&y=2', 'http://www.example.org', 'https://example.net/path'],
  );
  assert.deepEqual(
    links.map((a) => text(a)),
    ['https://example.com/a_b?x=1&y=2', 'www.example.org', 'https://example.net/path'],
  );
  // The full stop after the URL is not part of it.
  assert.match(text(byTag(html, 'p')[0]!), /y=2\. Also/);
});

test('CommonMark basics survive the sanitizer: emphasis, lists, quotes, images, rules, breaks', () => {
  const { html } = renderMarkdown(
    '*em* **strong** `code`\n\n1. one\n2. two\n\n> quoted\n\n![alt text](https://example.com/i.png "Title")\n\n---\n\nline one  \nline two',
  );
  for (const tag of ['em', 'strong', 'code', 'ol', 'li', 'blockquote', 'img', 'hr', 'br']) {
    assert.ok(byTag(html, tag).length > 0, `<${tag}> in ${html}`);
  }
  const img = byTag(html, 'img')[0]!;
  assert.equal(img.attribs.src, 'https://example.com/i.png');
  assert.equal(img.attribs.alt, 'alt text');
  assert.equal(img.attribs.title, 'Title');
  assertClean(html);
});

// ---------------------------------------------------------------------------------------------
// Code highlighting

/** The one <pre> of a rendered block and its <code>. */
function codeBlock(html: string) {
  const pres = byTag(html, 'pre');
  assert.equal(pres.length, 1, html);
  const code = DomUtils.findAll((el) => el.name === 'code', pres[0]!.children);
  assert.equal(code.length, 1, html);
  return { pre: pres[0]!, code: code[0]! };
}

test('```ts is highlighted on the server with highlight.js classes and labelled TypeScript', () => {
  const { html } = renderMarkdown('```ts\nexport const answer: number = 42;\n```');
  assert.match(
    html,
    /<pre class="highlight" data-lang="TypeScript"><code class="hljs language-ts">/,
  );
  const { pre, code } = codeBlock(html);
  assert.equal(pre.attribs['data-lang'], 'TypeScript');
  assert.deepEqual(classes(code), ['hljs', 'language-ts']);
  const spans = DomUtils.findAll((el) => el.name === 'span', code.children);
  assert.ok(spans.length >= 3, html);
  for (const span of spans) {
    assert.ok(
      classes(span).every((c) => c.startsWith('hljs-')),
      `span classes ${span.attribs.class}`,
    );
  }
  const keyword = spans.filter((s) => classes(s).includes('hljs-keyword')).map(text);
  assert.ok(keyword.includes('export') && keyword.includes('const'), keyword.join());
  assert.ok(spans.some((s) => classes(s).includes('hljs-number') && text(s) === '42'));
  assertClean(html);
});

test('language names resolve through highlight.js aliases, and the class keeps what was written', () => {
  const cases: Array<[string, string, string]> = [
    ['ts', 'TypeScript', 'language-ts'],
    ['typescript', 'TypeScript', 'language-typescript'],
    ['TS', 'TypeScript', 'language-ts'],
    ['js', 'JavaScript', 'language-js'],
    ['py', 'Python', 'language-py'],
    ['sh', 'Bash', 'language-sh'],
    ['json', 'JSON', 'language-json'],
  ];
  for (const [info, label, cls] of cases) {
    const { pre, code } = codeBlock(renderMarkdown(`\`\`\`${info}\nx = 1\n\`\`\``).html);
    assert.equal(pre.attribs['data-lang'], label, info);
    assert.deepEqual(classes(pre), ['highlight'], info);
    assert.deepEqual(classes(code), ['hljs', cls], info);
  }
});

test('extra words after the language in the info string are ignored', () => {
  const { pre, code } = codeBlock(renderMarkdown('```ts title="a.ts" {1,3}\nlet a = 1;\n```').html);
  assert.equal(pre.attribs['data-lang'], 'TypeScript');
  assert.deepEqual(classes(code), ['hljs', 'language-ts']);
});

test('an unknown language is escaped, not highlighted, and still labelled with its name', () => {
  const source = '<script>alert("x")</script> & <b>bold</b>\n';
  const { html } = renderMarkdown(`\`\`\`nosuchlang\n${source}\`\`\``);
  const { pre, code } = codeBlock(html);
  assert.equal(pre.attribs['data-lang'], 'nosuchlang');
  assert.deepEqual(classes(code), ['hljs', 'language-nosuchlang']);
  assert.equal(code.children.length, 1, 'one text node: nothing was highlighted or parsed');
  assert.equal(text(code), source);
  assert.equal(byTag(html, 'script').length, 0);
  assert.equal(byTag(html, 'b').length, 0);
  assert.match(html, /&lt;script&gt;/);
});

test('a fence without a language, or with a hostile info string, is plain and unlabelled', () => {
  for (const info of ['', '"><img src=x onerror=alert(1)>', 'x'.repeat(41)]) {
    const { html } = renderMarkdown(`\`\`\`${info}\nplain <text>\n\`\`\``);
    const { pre, code } = codeBlock(html);
    assert.equal(pre.attribs['data-lang'], undefined, info);
    assert.deepEqual(classes(pre), ['highlight'], info);
    assert.equal(code.attribs.class, undefined, info);
    assert.equal(text(code), 'plain <text>\n', info);
    assert.equal(byTag(html, 'img').length, 0, info);
  }
});

test('code content is preserved byte for byte once HTML-unescaped', () => {
  const snippets: Array<[string, string]> = [
    [
      'ts',
      'function snake_case_name<T extends { a_b: number }>(x: T): boolean {\n' +
        '\tif (x.a_b < 10 && x.a_b > 2) return __private__(x);\n' +
        '    const s = `${x.a_b} <b>&amp; \'q\' "dq"`;\n' +
        '        // deep   indent\\with\\backslashes  \n' +
        '  return 1 << 2 >= 3 ? true : false; // ünïcødé ✓\n' +
        '}\n',
    ],
    ['python', 'def __init__(self, a_b):\n    if a_b < 1 and a_b > -1:\n        return "<x>"\n'],
    ['nosuchlang', '  leading_spaces\n\t\ttabs_and < > & " \' stuff\n\n\ntrailing blank lines\n'],
    ['', '*not emphasis* _nor_this_ [not](a-link) <em>raw</em>\n'],
    ['html', '<div class="a_b">&nbsp;&lt;</div>\n'],
  ];
  for (const [lang, source] of snippets) {
    const { code } = codeBlock(renderMarkdown(`\`\`\`${lang}\n${source}\`\`\``).html);
    assert.equal(text(code), source, `fenced ${lang || '(none)'}`);
  }
  // An indented code block too.
  const indented = 'x_y = a < b && c > d\n  nested_more\n';
  const { html } = renderMarkdown(indented.replace(/^/gm, '    ').replace(/ {4}$/, ''));
  assert.equal(text(byTag(html, 'code')[0]!), indented);
  // And inline code keeps underscores and angle brackets.
  const inline = renderMarkdown('Call `__proto__<a_b>` now').html;
  assert.equal(text(byTag(inline, 'code')[0]!), '__proto__<a_b>');
  assert.equal(byTag(inline, 'em').length, 0);
});

// ---------------------------------------------------------------------------------------------
// Headings, links, fragments

test('heading ids are slugs of their text, prefixed with user-content-', () => {
  const { html } = renderMarkdown(
    '# Hello *World* `code`\n\n## Ünïcode Çafé!\n\n### [A link](https://example.com/) here\n\n## !!!',
  );
  assert.deepEqual(
    elements(html)
      .filter((el) => /^h[1-6]$/.test(el.name))
      .map((h) => h.attribs.id),
    [
      'user-content-hello-world-code',
      'user-content-unicode-cafe',
      'user-content-a-link-here',
      'user-content-section',
    ],
  );
});

test('heading ids are unique within a document, even when a suffix collides with a real heading', () => {
  const { html } = renderMarkdown(
    '# Intro\n\n## Intro\n\n## Intro 1\n\n## Intro-1\n\n## Intro\n\n## !!!\n\n## ???\n\n## Section',
  );
  const ids = elements(html)
    .filter((el) => /^h[1-6]$/.test(el.name))
    .map((h) => h.attribs.id ?? '');
  assert.equal(ids.length, 8);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.join(', ')}`);
  for (const id of ids) assert.match(id, /^user-content-[a-z0-9-]+$/);
  assert.equal(ids[0], 'user-content-intro');
  assert.equal(ids[1], 'user-content-intro-1');
  assert.equal(ids[5], 'user-content-section');
  assert.equal(ids[6], 'user-content-section-1');
});

test('ids written in raw HTML are prefixed once, never twice', () => {
  const { html } = renderMarkdown(
    '<h2 id="manual">M</h2>\n\n<p id="user-content-already">x</p>\n\n<span id="x">y</span>',
  );
  assert.deepEqual(
    elements(html)
      .filter((el) => el.attribs.id)
      .map((el) => el.attribs.id),
    ['user-content-manual', 'user-content-already', 'user-content-x'],
  );
});

test('every link carries rel="nofollow ugc noopener", whatever rel the author wrote', () => {
  const { html } = renderMarkdown(
    '[md](https://example.com/) https://example.org/ <https://example.net/> [mail](mailto:a@example.com) ' +
      '<a href="https://example.com/raw" rel="opener">raw</a> <a href="https://example.com/x" rel="follow me">x</a>',
  );
  const links = byTag(html, 'a');
  assert.equal(links.length, 6);
  for (const a of links) assert.equal(a.attribs.rel, 'nofollow ugc noopener', a.attribs.href);
  assert.equal(links[3]!.attribs.href, 'mailto:a@example.com');
});

test('in-page fragment links are rewritten to the prefixed ids, and reach the heading', () => {
  const { html } = renderMarkdown(
    '# Getting Started\n\nJump to [start](#getting-started), [raw](#x), <a href="#raw-html">r</a>, ' +
      '[top](#), [already](#user-content-kept) and [elsewhere](https://example.com/page#frag).',
  );
  const hrefs = byTag(html, 'a').map((a) => a.attribs.href);
  assert.deepEqual(hrefs, [
    '#user-content-getting-started',
    '#user-content-x',
    '#user-content-raw-html',
    '#',
    '#user-content-kept',
    'https://example.com/page#frag',
  ]);
  assert.equal(`#${byTag(html, 'h1')[0]!.attribs.id}`, hrefs[0]);
});

test('raw HTML is sanitized: scripts, styles and handlers go, harmless markup stays', () => {
  const { html } = renderMarkdown(
    'Text <kbd>Ctrl</kbd> <abbr title="HyperText">HTML</abbr> <span style="color:red" onclick="x()">red</span>\n\n' +
      '<script>alert(1)</script>\n\n<details><summary>More</summary>\n\nHidden *text*\n\n</details>',
  );
  assertClean(html);
  assert.equal(text(byTag(html, 'kbd')[0]!), 'Ctrl');
  assert.equal(byTag(html, 'abbr')[0]!.attribs.title, 'HyperText');
  assert.equal(text(byTag(html, 'span')[0]!), 'red');
  assert.equal(byTag(html, 'details').length, 1);
  assert.equal(text(byTag(html, 'em')[0]!), 'text');
  assert.doesNotMatch(html, /alert/);
});

test('the rendered text counts every block, and the lead text only paragraphs', () => {
  const r = renderMarkdown(
    '# Heading words\n\nFirst *para*.\n\n```\ncode words\n```\n\n- list item\n\n> quoted para\n\nSecond para.',
  );
  for (const part of ['Heading words', 'First para.', 'code words', 'list item', 'quoted para']) {
    assert.ok(r.text.includes(part), `${part} in ${JSON.stringify(r.text)}`);
  }
  assert.match(r.text, /words\s+First/, 'blocks are separated by whitespace');
  assert.equal(r.leadText.replace(/\s+/g, ' ').trim(), 'First para. quoted para Second para.');
});

// ---------------------------------------------------------------------------------------------
// Front matter

/** Runs `fn` and returns the AppError it throws. */
function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

test('front matter between --- lines at the very start is parsed, and the body follows it', () => {
  const doc =
    '---\ntitle: "Hello: world"\npublished: true\ntags: a, b\nseries: null\n---\n# Body\n';
  assert.deepEqual(splitFrontMatter(doc), {
    data: { title: 'Hello: world', published: true, tags: 'a, b', series: null },
    body: '# Body\n',
  });
  // CRLF line ends, a byte order mark, trailing blanks on the fences, end of file after it.
  assert.deepEqual(splitFrontMatter('\uFEFF---  \r\ntitle: x\r\n---\t\r\nbody'), {
    data: { title: 'x' },
    body: 'body',
  });
  assert.deepEqual(splitFrontMatter('---\ntitle: x\n---'), { data: { title: 'x' }, body: '' });
  // The first closing fence ends it: a later --- is a rule in the body.
  assert.deepEqual(splitFrontMatter('---\ntitle: x\n---\nabove\n\n---\nbelow'), {
    data: { title: 'x' },
    body: 'above\n\n---\nbelow',
  });
});

test('empty front matter is an empty mapping, not a pair of horizontal rules', () => {
  assert.deepEqual(splitFrontMatter('---\n---\nbody'), { data: {}, body: 'body' });
  assert.deepEqual(splitFrontMatter('---\n\n---\nbody'), { data: {}, body: 'body' });
  assert.deepEqual(splitFrontMatter('---\n# only a comment\n---\nbody'), {
    data: {},
    body: 'body',
  });
  assert.deepEqual(splitFrontMatter('---\n---\nx\n---\n'), { data: {}, body: 'x\n---\n' });
});

test('text without front matter at the very start is all body', () => {
  for (const doc of [
    'Just text',
    '\n---\ntitle: x\n---\nbody',
    ' ---\ntitle: x\n---\n',
    '----\ntitle: x\n----\n',
    '---\ntitle: never closed\n',
    '--- title: x\n---\n',
    '',
  ]) {
    assert.deepEqual(splitFrontMatter(doc), { data: null, body: doc }, JSON.stringify(doc));
  }
});

test('invalid YAML in front matter is a 422 validation error naming body_markdown', () => {
  for (const yaml of [
    'title: [unclosed',
    'title: "open',
    'a: 1\na: 2',
    'key: : value',
    '\tbad: tab',
  ]) {
    const error = appError(() => splitFrontMatter(`---\n${yaml}\n---\nbody`));
    assert.equal(error.status, 422, yaml);
    assert.equal(error.code, 'validation_failed', yaml);
    assert.equal(error.errors?.[0]?.field, 'body_markdown', yaml);
  }
});

test('front matter that is not a mapping is a 422', () => {
  for (const yaml of ['- a\n- b', 'just a string', '42', 'true', '[1, 2]']) {
    const error = appError(() => splitFrontMatter(`---\n${yaml}\n---\nbody`));
    assert.equal(error.status, 422, yaml);
    assert.equal(error.code, 'validation_failed', yaml);
    assert.match(error.message, /mapping/, yaml);
  }
});

/** A billion-laughs document: nine levels of nine aliases each, 9^9 strings if expanded. */
function aliasBomb(levels = 9): string {
  const lines = ['lol0: &l0 "lol"'];
  for (let i = 1; i <= levels; i++) {
    lines.push(
      `lol${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  }
  return `---\n${lines.join('\n')}\n---\nbody`;
}

test('a YAML alias bomb in front matter is refused with a 422, not expanded', () => {
  const error = appError(() => splitFrontMatter(aliasBomb()));
  assert.equal(error.status, 422);
  assert.equal(error.code, 'validation_failed');
  assert.match(error.message, /alias/i);
  // Even a small one is refused: the cap is on expansion, not on the size of the text.
  assert.equal(appError(() => splitFrontMatter(aliasBomb(3))).status, 422);
});

test('a few ordinary anchors and aliases are still allowed', () => {
  const split = splitFrontMatter('---\nname: &n Quire\ntitle: *n\ntags: [a, b]\n---\nx');
  assert.deepEqual(split.data, { name: 'Quire', title: 'Quire', tags: ['a', 'b'] });
});

test('front matter builds plain values only: language-specific tags do not create functions', () => {
  const split = splitFrontMatter(
    '---\na: !!js/function "function () { return 1; }"\nb: !x y\n---\n',
  );
  assert.deepEqual(split.data, { a: 'function () { return 1; }', b: 'y' });
});

// ---------------------------------------------------------------------------------------------
// Reading time and description

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

test('reading time is ceil(words / 275)', () => {
  const cases: Array<[number, number]> = [
    [0, 0],
    [1, 1],
    [274, 1],
    [275, 1],
    [276, 2],
    [550, 2],
    [551, 3],
    [2750, 10],
  ];
  for (const [n, minutes] of cases) assert.equal(readingTimeMinutes(words(n)), minutes, `${n}`);
});

test('words are counted across any whitespace', () => {
  assert.equal(countWords('  one\ttwo\n\nthree   four \u00a0five\r\n'), 5);
  assert.equal(countWords(' \n\t '), 0);
  assert.equal(readingTimeMinutes(`${words(275)}\n\n\t extra`), 2);
});

test('the default description is about the first 100 characters, cut on a word boundary', () => {
  assert.equal(excerpt('  Short   and\nsweet. '), 'Short and sweet.');
  const exactly = `${'x'.repeat(95)} abcd`;
  assert.equal(excerpt(exactly), exactly, 'exactly 100 characters stay whole');

  const long =
    'Quire renders Markdown on the server when an article is saved, so readers never wait for a client-side renderer to start.';
  const cut = excerpt(long);
  assert.ok(cut.endsWith('...'), cut);
  const kept = cut.slice(0, -3);
  assert.ok(kept.length <= 100 && kept.length >= 60, `${kept.length}: ${kept}`);
  assert.ok(long.startsWith(kept), 'a prefix of the text');
  assert.equal(long[kept.length], ' ', 'cut at a word boundary');
  assert.equal(
    kept,
    'Quire renders Markdown on the server when an article is saved, so readers never wait for a',
  );

  const oneWord = 'a'.repeat(150);
  assert.equal(excerpt(oneWord), `${'a'.repeat(100)}...`, 'a single long word is cut hard');
  assert.equal(excerpt('word '.repeat(10), 12), 'word word...');
  assert.equal(
    excerpt('word '.repeat(10), 14),
    'word word word...',
    'a word ending at the cut stays',
  );
});

// ---------------------------------------------------------------------------------------------
// Through the API, on the configured database

let server: TestServer;
let author: Author;

before(async () => {
  server = await startTestServer();
  await makeAuthor(server, 'md_admin');
  author = await makeAuthor(server, 'md_writer');
});
after(() => server.close());

const ARTICLE = `---
title: Tables and code
published: true
---

This article shows a table and some TypeScript, rendered once when it is saved.

## The table

| Name | Count |
|:-----|------:|
| under_score | 10 |

## The code

\`\`\`ts
type Pair<A, B> = { first_one: A; second: B };
const pair: Pair<number, string> = { first_one: 1, second: "<two>" };
\`\`\`

Back to [the table](#the-table) for the numbers.
`;

test('POST /api/articles renders body_html with the table, highlighting and prefixed ids, and stores it', async () => {
  const client = server.client();
  const res = await client.post('/api/articles', {
    key: author.key,
    json: { article: { body_markdown: ARTICLE } },
  });
  assert.equal(res.status, 201, res.text);
  const article = res.json();
  const html: string = article.body_html;
  assertClean(html);

  const th = byTag(html, 'th');
  assert.deepEqual(
    th.map((el) => [text(el), el.attribs.align]),
    [
      ['Name', 'left'],
      ['Count', 'right'],
    ],
  );
  assert.deepEqual(
    byTag(html, 'td').map((el) => [text(el), el.attribs.align]),
    [
      ['under_score', 'left'],
      ['10', 'right'],
    ],
  );
  assert.match(
    html,
    /<pre class="highlight" data-lang="TypeScript"><code class="hljs language-ts">/,
  );
  const { code } = codeBlock(html);
  assert.equal(
    text(code),
    'type Pair<A, B> = { first_one: A; second: B };\nconst pair: Pair<number, string> = { first_one: 1, second: "<two>" };\n',
  );
  assert.ok(
    DomUtils.findAll((el) => classes(el).includes('hljs-keyword'), code.children).length > 0,
  );
  assert.deepEqual(
    byTag(html, 'h2').map((h) => h.attribs.id),
    ['user-content-the-table', 'user-content-the-code'],
  );
  const back = byTag(html, 'a').at(-1)!;
  assert.equal(back.attribs.href, '#user-content-the-table');
  assert.equal(back.attribs.rel, 'nofollow ugc noopener');
  assert.doesNotMatch(html, /title: Tables and code/, 'front matter is not part of the body');

  assert.equal(article.reading_time_minutes, 1);
  assert.equal(
    article.description,
    'This article shows a table and some TypeScript, rendered once when it is saved. Back to the table...',
  );

  const row = await server.ctx.database.db
    .selectFrom('articles')
    .select(['body_html', 'body_markdown', 'reading_time_minutes', 'description'])
    .where('id', '=', article.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.body_html, html, 'the response shows what was stored');
  assert.equal(row.body_markdown, ARTICLE);
  assert.equal(row.reading_time_minutes, 1);

  const read = await client.get(`/api/articles/${article.id}`);
  assert.equal(read.status, 200);
  assert.equal(read.json().body_html, html);
});

test('PUT with a new body renders it again, with reading time from the new word count', async () => {
  const client = server.client();
  const created = await client.post('/api/articles', {
    key: author.key,
    json: { article: { title: 'To be rewritten', body_markdown: 'Old body.' } },
  });
  assert.equal(created.status, 201, created.text);
  const id = created.json().id;
  assert.equal(created.json().reading_time_minutes, 1);
  assert.equal(created.json().description, 'Old body.');

  const body = `${words(600)}\n\n\`\`\`js\nconst x_y = 1 < 2;\n\`\`\`\n`;
  const put = await client.put(`/api/articles/${id}`, {
    key: author.key,
    json: { article: { body_markdown: body } },
  });
  assert.equal(put.status, 200, put.text);
  const html: string = put.json().body_html;
  assert.doesNotMatch(html, /Old body/);
  const { pre, code } = codeBlock(html);
  assert.equal(pre.attribs['data-lang'], 'JavaScript');
  assert.equal(text(code), 'const x_y = 1 < 2;\n');
  // 600 words of prose and 5 in the code block.
  assert.equal(put.json().reading_time_minutes, 3);
  assert.ok(put.json().description.startsWith('w0 w1 w2'), put.json().description);
});

test('an article with empty front matter saves, and its body has no stray rules', async () => {
  const res = await server.client().post('/api/articles', {
    key: author.key,
    json: { article: { title: 'Empty front matter', body_markdown: '---\n---\nJust the body.' } },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json().title, 'Empty front matter');
  assert.equal(byTag(res.json().body_html, 'hr').length, 0, res.json().body_html);
  assert.equal(text(byTag(res.json().body_html, 'p')[0]!), 'Just the body.');
});

test('bad front matter through the API is a 422 and stores nothing', async () => {
  const before = await snapshot(server);
  for (const body_markdown of [
    '---\ntitle: [unclosed\n---\nbody',
    '---\n- a list\n---\nbody',
    aliasBomb(),
  ]) {
    const res = await server.client().post('/api/articles', {
      key: author.key,
      json: { article: { title: 'Refused', body_markdown } },
    });
    assertProblem(res, { status: 422, code: 'validation_failed', field: 'body_markdown' });
  }
  assert.deepEqual(await snapshot(server), before);
});
