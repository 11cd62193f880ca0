/**
 * The readable text of sanitized HTML, which search indexes: text content only, entities decoded,
 * blocks on lines of their own, code kept; and what renderMarkdown gives for a body with links,
 * code and emphasis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { htmlText } from '../../src/render/html-text.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';

test('text content only: no tags, no attribute values, entities decoded', () => {
  const { text } = htmlText(
    '<p>See <a href="https://example.com/hidden-path" rel="nofollow ugc noopener" title="tip">the docs</a> ' +
      '&amp; <img src="https://example.com/pic.png" alt="a picture"> &lt;b&gt; &quot;x&quot; &#x263A; caf&eacute;</p>',
  );
  assert.equal(text, 'See the docs & <b> "x" ☺ café');
});

test('blocks start and end lines, so words in neighbouring blocks never run together', () => {
  const html =
    '<h2 id="user-content-a">Title</h2><p>one<br>two</p><ul><li>three</li><li>four</li></ul>' +
    '<table><tr><th>five</th><td>six</td></tr></table><div>seven</div><blockquote><p>eight</p></blockquote>';
  assert.equal(
    htmlText(html).text,
    ['Title', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'].join('\n'),
  );
});

test('inline elements join their text as written; runs of spaces become one', () => {
  assert.equal(
    htmlText('<p>un<strong>break</strong>able   <em>words</em>\n\n  here</p>').text,
    'unbreakable words\nhere',
  );
});

test('code, inline and highlighted, is text; the language of a block is not', () => {
  const html =
    '<p>Call <code>fetchWidget()</code> first.</p>' +
    '<pre class="highlight" data-lang="TypeScript"><code class="hljs language-typescript">' +
    '<span class="hljs-keyword">const</span> answer = <span class="hljs-number">42</span>;\n' +
    'console.log(answer &lt; 43);</code></pre>';
  const { text } = htmlText(html);
  assert.equal(text, 'Call fetchWidget() first.\nconst answer = 42;\nconsole.log(answer < 43);');
  assert.doesNotMatch(text, /typescript|hljs|highlight/i);
});

test('the lead text is the paragraphs alone', () => {
  const { leadText } = htmlText('<h1>Head</h1><p>First.</p><ul><li>item</li></ul><p>Second.</p>');
  assert.equal(leadText.replace(/\s+/g, ' ').trim(), 'First. Second.');
});

test('nothing in, nothing out', () => {
  assert.deepEqual(htmlText(''), { text: '', leadText: '' });
});

test('a rendered body reads as its text: no Markdown syntax, no link targets, code kept', () => {
  const { text } = renderMarkdown(
    [
      '## A **bold** heading',
      '',
      'Read [the guide](https://example.com/quagga) and call `frobnicate()`.',
      '',
      '```rust title="ocelot"',
      'fn main() { println!("hi"); }',
      '```',
      '',
      '- [x] done',
      '> quoted _words_',
    ].join('\n'),
  );
  assert.equal(
    text,
    'A bold heading\nRead the guide and call frobnicate().\nfn main() { println!("hi"); }\ndone\nquoted words',
  );
});
