/**
 * @mentions: which names a text mentions (findMentions, which notifications read too), and how
 * a render links those that name an account, through the sanitizer, with nothing unsafe let in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomUtils, parseDocument } from 'htmlparser2';
import { absoluteUrls } from '../../src/feeds/absolute-urls.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { findMentions, MENTIONS_MAX } from '../../src/render/mentions.ts';
import { LINK_REL } from '../../src/render/sanitize.ts';

type Element = ReturnType<typeof DomUtils.findAll>[number];

const anchors = (html: string): Element[] =>
  DomUtils.findAll((el) => el.name === 'a', parseDocument(html).children);
const mentionLinks = (html: string) =>
  anchors(html)
    .filter((a) => a.attribs.class === 'mention')
    .map((a) => [a.attribs.href, DomUtils.textContent(a)]);

const EXISTING = new Set(['ada', 'bob_b', 'cyd']);
const render = (markdown: string) => renderMarkdown(markdown, { mentions: EXISTING }).html;

// ---------------------------------------------------------------------------------------------
// findMentions

test('finds mentions in prose, lower case, once each, in order of first appearance', () => {
  assert.deepEqual(findMentions('Thanks @ada and @Bob_B, and @ada again; cc @ADA.'), [
    'ada',
    'bob_b',
  ]);
  assert.deepEqual(
    findMentions('# Hi @cyd\n\n> quoting @eve\n\n- a list @fay\n\n| @gus |\n|-|\n| @hal |'),
    ['cyd', 'eve', 'fay', 'gus', 'hal'],
  );
  assert.deepEqual(findMentions('*@ada* **@bob** ~~@cyd~~ (@dan) "@eve" @fay: @gus! @hal?'), [
    'ada',
    'bob',
    'cyd',
    'dan',
    'eve',
    'fay',
    'gus',
    'hal',
  ]);
  assert.deepEqual(findMentions('no one here'), []);
  assert.deepEqual(findMentions(''), []);
});

test('punctuation after a name ends it; name characters and a second @ do not', () => {
  assert.deepEqual(findMentions("@ada, @bob. @cyd; @dan-x @eve's"), [
    'ada',
    'bob',
    'cyd',
    'dan',
    'eve',
  ]);
  assert.deepEqual(findMentions('@under_score_1 @_ab @a_b'), ['under_score_1', '_ab', 'a_b']);
  // A remote handle names someone on another site.
  assert.deepEqual(findMentions('@ada@example.social'), []);
});

test('names of the wrong length are not mentions, nor is a longer name cut short', () => {
  assert.deepEqual(findMentions('@ab @a @ @ abc'), []);
  assert.deepEqual(findMentions(`@${'a'.repeat(30)} @${'b'.repeat(31)}`), ['a'.repeat(30)]);
  assert.deepEqual(findMentions('@ada+bob @ad€'), ['ada']);
});

test('addresses, URLs and words with an @ inside are not mentions', () => {
  assert.deepEqual(
    findMentions(
      'mail ada@example.com, see https://example.com/@bob and example.org/@cyd, ' +
        'x.@dan y_@eve z-@fay w/@gus @@hal é@ivy 1@jon',
    ),
    [],
  );
  assert.deepEqual(findMentions('<https://example.com/@ada> <mailto:x@bob.example>'), []);
});

test('code spans, fenced and indented code, link text, images and raw HTML are not mentions', () => {
  const markdown = [
    'Call `@ada` here',
    '',
    '```',
    '@bob in a fence',
    '```',
    '',
    '    @cyd indented',
    '',
    '[@dan](https://example.com) ![@eve](pic.png) <span>@fay</span> <a href="/x">@gus</a>',
    '',
    '<div>',
    '@hal in an HTML block',
    '</div>',
    '',
    'but @ivy <br> @jon counts',
  ].join('\n');
  assert.deepEqual(findMentions(markdown), ['ivy', 'jon']);
});

test('an escaped @ is not a mention', () => {
  assert.deepEqual(findMentions('\\@ada &#64;bob &commat;cyd @dan'), ['dan']);
});

test(`at most ${MENTIONS_MAX} names, the first ones`, () => {
  const names = Array.from({ length: 80 }, (_, i) => `user_${i}`);
  const found = findMentions(names.map((n) => `@${n}`).join(' '));
  assert.equal(found.length, MENTIONS_MAX);
  assert.deepEqual(found, names.slice(0, MENTIONS_MAX));
  // Repeats do not use up the allowance.
  assert.deepEqual(findMentions(`${'@ada '.repeat(200)} @bob`), ['ada', 'bob']);
});

// ---------------------------------------------------------------------------------------------
// Rendering

test('a mention of an account links its profile, as written, marked and with the sanitizer rel', () => {
  const html = render('Thanks @Ada and @bob_b.');
  assert.deepEqual(mentionLinks(html), [
    ['/ada', '@Ada'],
    ['/bob_b', '@bob_b'],
  ]);
  for (const a of anchors(html)) assert.equal(a.attribs.rel, LINK_REL);
  assert.equal(
    html,
    `<p>Thanks <a href="/ada" class="mention" rel="${LINK_REL}">@Ada</a> and ` +
      `<a href="/bob_b" class="mention" rel="${LINK_REL}">@bob_b</a>.</p>\n`,
  );
});

test('a mention of a name with no account stays text, and no set links nothing', () => {
  const html = render('Hello @nobody and @ada');
  assert.deepEqual(mentionLinks(html), [['/ada', '@ada']]);
  assert.match(html, /Hello @nobody and/);
  assert.equal(renderMarkdown('Hello @ada').html, '<p>Hello @ada</p>\n');
});

test('every occurrence is linked, and the text reads the same', () => {
  const linked = renderMarkdown("@ada meets @ADA in @cyd's heading", { mentions: EXISTING });
  const plain = renderMarkdown("@ada meets @ADA in @cyd's heading");
  assert.equal(mentionLinks(linked.html).length, 3);
  assert.equal(linked.text, plain.text);
  assert.equal(linked.leadText, plain.leadText);
});

test('mentions in code, links, URLs, addresses and raw HTML are not linked', () => {
  const html = render(
    [
      '`@ada` and',
      '',
      '```',
      '@ada',
      '```',
      '',
      '[@ada](https://example.com) https://example.com/@ada ada@example.com <b>@ada</b> \\@ada',
    ].join('\n'),
  );
  assert.deepEqual(mentionLinks(html), []);
  assert.ok(!html.includes('href="/ada"'), html);
});

test('a mention in a heading keeps the heading id and in a task list the checkbox', () => {
  const heading = render('## Thanks @ada');
  assert.match(heading, /<h2 id="user-content-thanks-ada">Thanks <a href="\/ada" class="mention"/);
  const task = render('- [x] ask @cyd');
  assert.match(task, /<input type="checkbox"/);
  assert.deepEqual(mentionLinks(task), [['/cyd', '@cyd']]);
});

test('hostile text around a mention stays text', () => {
  const html = render('@ada"><script>alert(1)</script> @cyd<img src=x onerror=alert(1)>');
  const doc = parseDocument(html);
  assert.equal(DomUtils.findAll((el) => el.name === 'script', doc.children).length, 0);
  for (const el of DomUtils.findAll(() => true, doc.children))
    for (const name of Object.keys(el.attribs)) assert.ok(!name.startsWith('on'), html);
  assert.deepEqual(mentionLinks(html), [
    ['/ada', '@ada'],
    ['/cyd', '@cyd'],
  ]);
  // A name from the set is never taken as markup, even one a caller got wrong.
  const odd = renderMarkdown('@ada', { mentions: new Set(['ada"><script>']) }).html;
  assert.equal(odd, '<p>@ada</p>\n');
});

test('a link written by hand looks like a mention only when it points at a profile', () => {
  const html = renderMarkdown(
    '<a href="https://evil.example/" class="mention">@ada</a> <a href="/ada" class="mention other">@ada</a> <a href="/a/b" class="mention">x</a>',
  ).html;
  const links = anchors(html).map((a) => [a.attribs.href, a.attribs.class ?? null, a.attribs.rel]);
  assert.deepEqual(links, [
    ['https://evil.example/', null, LINK_REL],
    ['/ada', 'mention', LINK_REL],
    ['/a/b', null, LINK_REL],
  ]);
});

test('in a feed a mention points at the profile by its absolute URL', () => {
  const html = absoluteUrls(render('cc @ada'), 'https://quire.example/bob/a-post');
  assert.deepEqual(mentionLinks(html), [['https://quire.example/ada', '@ada']]);
});
