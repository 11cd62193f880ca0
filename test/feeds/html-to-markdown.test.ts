/**
 * Imported HTML to Markdown: every feature checked against the exact Markdown expected, DEV's
 * real code-block markup in several languages, and a round trip through Quire's own renderer
 * (Markdown -> HTML -> Markdown -> HTML keeps code text and table cells). Pure functions: no server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DomUtils, parseDocument } from 'htmlparser2';
import { AppError } from '../../src/errors.ts';
import { htmlToMarkdown } from '../../src/html-to-markdown/html-to-markdown.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';

const BASE = 'https://blog.example.com/posts/2024/hello.html';
const md = (html: string, base: string | null = BASE) => htmlToMarkdown(html, base);

/** DEV's code block as its feed serves it: Rouge spans inside, a toolbar of icons after. */
function devBlock(language: string, code: string): string {
  return `<div class="highlight js-code-highlight">
<pre class="highlight ${language}"><code>${code}</code></pre>
<div class="highlight__panel js-actions-panel">
<div class="highlight__panel-action js-fullscreen-code-action">
    <svg xmlns="http://www.w3.org/2000/svg" width="20px" height="20px" viewbox="0 0 24 24" class="highlight-action crayons-icon highlight-action--fullscreen-on"><title>Enter fullscreen mode</title>
    <path d="M16 3h6v6h-2V5h-4V3zM2 3h6v2H4v4H2V3zm18 16v-4h2v6h-6v-2h4zM4 19h4v2H2v-6h2v4z"></path>
</svg>

    <svg xmlns="http://www.w3.org/2000/svg" width="20px" height="20px" viewbox="0 0 24 24" class="highlight-action crayons-icon highlight-action--fullscreen-off"><title>Exit fullscreen mode</title>
    <path d="M18 7h4v2h-6V3h2v4zM8 9H2V7h4V3h2v6zm10 8v4h-2v-6h6v2h-4zM8 15v6H6v-4H2v-2h6z"></path>
</svg>

</div>
</div>
</div>
`;
}

// ---------------------------------------------------------------------------------------------
// Code blocks from DEV

describe('DEV code blocks', () => {
  test('TypeScript: spans flattened, entities decoded, indentation and blank lines kept, toolbar dropped', () => {
    const code = [
      '<span class="k">interface</span> <span class="nx">User</span> <span class="p">{</span>',
      '  <span class="nl">name</span><span class="p">:</span> <span class="kr">string</span><span class="p">;</span>',
      '<span class="p">}</span>',
      '',
      '<span class="kd">const</span> <span class="nx">greet</span> <span class="o">=</span> <span class="p">(</span><span class="nx">u</span><span class="p">:</span> <span class="nx">User</span><span class="p">)</span> <span class="o">=&gt;</span> <span class="s2">`Hi </span><span class="p">${</span><span class="nx">u</span><span class="p">.</span><span class="nx">name</span><span class="p">}</span><span class="s2">`</span><span class="p">;</span>',
      '<span class="k">if</span> <span class="p">(</span><span class="nx">a</span> <span class="o">&lt;</span> <span class="nx">b</span> <span class="o">&amp;&amp;</span> <span class="nx">c</span><span class="p">)</span> <span class="p">{}</span>',
      '',
    ].join('\n');
    const html = `<p>Before:</p>\n${devBlock('typescript', code)}\n<p>After.</p>`;
    assert.equal(
      md(html),
      [
        'Before:',
        '',
        '```typescript',
        'interface User {',
        '  name: string;',
        '}',
        '',
        'const greet = (u: User) => `Hi ${u.name}`;',
        'if (a < b && c) {}',
        '```',
        '',
        'After.',
        '',
      ].join('\n'),
    );
  });

  test('Python: __init__, *args and **kwargs stay unescaped inside the fence', () => {
    const code = [
      '<span class="k">class</span> <span class="nc">Point</span><span class="p">:</span>',
      '    <span class="k">def</span> <span class="nf">__init__</span><span class="p">(</span><span class="bp">self</span><span class="p">,</span> <span class="o">*</span><span class="n">args</span><span class="p">,</span> <span class="o">**</span><span class="n">kwargs</span><span class="p">):</span>',
      '        <span class="bp">self</span><span class="p">.</span><span class="n">x_1</span> <span class="o">=</span> <span class="n">args</span><span class="p">[</span><span class="mi">0</span><span class="p">]</span>  <span class="c1"># __dunder__ *not emphasis*</span>',
      '',
      '    <span class="k">def</span> <span class="nf">__repr__</span><span class="p">(</span><span class="bp">self</span><span class="p">):</span>',
      '        <span class="k">return</span> <span class="sa">f</span><span class="s">"Point(</span><span class="si">{</span><span class="bp">self</span><span class="p">.</span><span class="n">x_1</span><span class="err">!</span><span class="n">r</span><span class="si">}</span><span class="s">)"</span>',
      '',
    ].join('\n');
    assert.equal(
      md(devBlock('python', code)),
      [
        '```python',
        'class Point:',
        '    def __init__(self, *args, **kwargs):',
        '        self.x_1 = args[0]  # __dunder__ *not emphasis*',
        '',
        '    def __repr__(self):',
        '        return f"Point({self.x_1!r})"',
        '```',
        '',
      ].join('\n'),
    );
  });

  test('bash: quotes, $ and a backquoted command survive', () => {
    const code = [
      '<span class="nv">$ </span>npm <span class="nb">install</span> <span class="nt">--save-dev</span> @types/node',
      '<span class="nb">echo</span> <span class="s2">"</span><span class="nv">$HOME</span><span class="s2">"</span> | <span class="nb">grep</span> <span class="nt">-E</span> <span class="s1">\'^/home/[a-z_]+$\'</span> <span class="o">&amp;&amp;</span> <span class="nb">echo</span> <span class="sb">`</span><span class="nb">date</span><span class="sb">`</span>',
      '',
    ].join('\n');
    assert.equal(
      md(devBlock('shell', code)),
      [
        '```shell',
        '$ npm install --save-dev @types/node',
        'echo "$HOME" | grep -E \'^/home/[a-z_]+$\' && echo `date`',
        '```',
        '',
      ].join('\n'),
    );
  });

  test('triple backticks inside the code get a longer fence', () => {
    const code = [
      'Some <span class="gs">**Markdown**</span>:',
      '',
      '```js',
      'console.log(1)',
      '```',
      '',
    ].join('\n');
    assert.equal(
      md(devBlock('markdown', code)),
      '````markdown\nSome **Markdown**:\n\n```js\nconsole.log(1)\n```\n````\n',
    );
    // A run of five anywhere in the code takes a fence of six.
    assert.equal(md('<pre><code>a `````b</code></pre>'), '``````\na `````b\n``````\n');
  });

  test('tabs and trailing spaces inside code are kept byte for byte', () => {
    const code = 'all:\n\tgo build ./...   \n\t\n  \n\t@echo "done"\t\n';
    assert.equal(
      md(devBlock('makefile', code)),
      '```makefile\nall:\n\tgo build ./...   \n\t\n  \n\t@echo "done"\t\n```\n',
    );
  });

  test('the toolbar is dropped even when it carries text, and the copy button with it', () => {
    const html =
      '<div class="highlight js-code-highlight"><pre class="highlight ruby"><code>puts 1\n</code></pre>' +
      '<div class="highlight__panel js-actions-panel"><div class="highlight__panel-action">Fullscreen</div></div>' +
      '<button class="copy">Copy code</button></div><p>Next</p>';
    assert.equal(md(html), '```ruby\nputs 1\n```\n\nNext\n');
  });

  test('leading blank lines in the code survive; the one newline after <pre> is the parser’s', () => {
    assert.equal(
      md('<pre><code>\n\ndocker run --rm\n\n\n</code></pre>'),
      '```\n\n\ndocker run --rm\n\n\n```\n',
    );
    assert.equal(md('<pre>\nx = 1\n</pre>'), '```\nx = 1\n```\n');
  });
});

// ---------------------------------------------------------------------------------------------
// Code languages and other code markup

describe('code block languages', () => {
  const cases: Array<[string, string, string]> = [
    ['code class language-x', '<pre><code class="language-ts">x</code></pre>', 'ts'],
    ['code class lang-x', '<pre><code class="lang-ts">x</code></pre>', 'ts'],
    ['pre class language-x (Prism)', '<pre class="language-ts"><code>x</code></pre>', 'ts'],
    ['pre data-lang', '<pre data-lang="ts">x</pre>', 'ts'],
    [
      'DEV: the class after highlight',
      '<pre class="highlight typescript"><code>x</code></pre>',
      'typescript',
    ],
    [
      'highlight.js / Quire: the class beats the display label',
      '<pre class="highlight" data-lang="TypeScript"><code class="hljs language-ts">x</code></pre>',
      'ts',
    ],
    [
      'Hugo: language on the code, data-lang too',
      '<div class="highlight"><pre tabindex="0" class="chroma"><code class="language-go" data-lang="go">x</code></pre></div>',
      'go',
    ],
    [
      'Rouge/Jekyll: language on the wrapper',
      '<div class="language-ruby highlighter-rouge"><div class="highlight"><pre class="highlight"><code>x</code></pre></div></div>',
      'ruby',
    ],
    [
      'GitHub: highlight-source-x on the wrapper',
      '<div class="highlight highlight-source-js"><pre>x</pre></div>',
      'js',
    ],
    ['no language named', '<pre><code>x</code></pre>', ''],
    ['Prism’s language-none names none', '<pre class="language-none"><code>x</code></pre>', ''],
    [
      'a highlighter’s own class is no language',
      '<pre class="highlight hljs"><code>x</code></pre>',
      '',
    ],
    ['a label Quire could not use is dropped', '<pre data-lang="plain text">x</pre>', ''],
  ];
  for (const [name, html, language] of cases) {
    test(name, () => {
      assert.equal(md(html), `\`\`\`${language}\nx\n\`\`\`\n`);
    });
  }
});

test('a <pre> without <code>, with <br> line breaks and inline markup, is still a code block', () => {
  assert.equal(
    md('<pre>line <b>one</b><br>line <i>two</i> &lt;tag&gt;</pre>'),
    '```\nline one\nline two <tag>\n```\n',
  );
});

test('inline code: backticks inside get a longer delimiter, spaces padded, markup flattened', () => {
  assert.equal(md('<p>Use <code>a_b*c</code> here.</p>'), 'Use `a_b*c` here.\n');
  // A delimiter-adjacent backtick needs a space on both sides: CommonMark strips one of each.
  assert.equal(md('<p>Run <code>git `log`</code>.</p>'), 'Run `` git `log` ``.\n');
  assert.equal(md('<p><code>`</code> and <code>``x</code></p>'), '`` ` `` and ` ``x `\n');
  assert.equal(md('<p><code> padded </code></p>'), '`  padded  `\n');
  assert.equal(
    md('<p><code><span class="nx">x</span> <span class="o">&lt;</span> <em>y</em></code></p>'),
    '`x < y`\n',
  );
});

// ---------------------------------------------------------------------------------------------
// Prose

test('headings are ATX; DEV heading anchors are dropped', () => {
  const html = `<h1>Top</h1>
<h2>
  <a name="set-up-a-postgres-database" href="#set-up-a-postgres-database">
  </a>
  Set Up a Postgres Database
</h2>
<h3>
  <a name="x" href="#x"></a>
  Third <em>level</em>
</h3>
<h6>Six</h6>`;
  assert.equal(
    md(html),
    '# Top\n\n## Set Up a Postgres Database\n\n### Third *level*\n\n###### Six\n',
  );
});

test('a heading stays on one line and a trailing # is not taken as a closing sequence', () => {
  assert.equal(md('<h2>Learning<br>C #</h2>'), '## Learning C \\#\n');
  assert.equal(md('<h3>C# in 2024</h3>'), '### C# in 2024\n');
});

test('paragraphs, emphasis, strong, strikethrough and line breaks', () => {
  assert.equal(
    md(
      '<p>One <em>two</em> <strong>three</strong> <del>four</del> <s>five</s> un<em>believ</em>able</p><p>line<br>break</p>',
    ),
    'One *two* **three** ~~four~~ ~~five~~ un*believ*able\n\nline\\\nbreak\n',
  );
});

test('a <br> at the start or end of a block leaves no stray backslash', () => {
  assert.equal(
    md('<p>use via unpkg.com:<br>\n</p><p><br>next</p>'),
    'use via unpkg.com:\n\nnext\n',
  );
});

test('text that looks like Markdown or HTML is escaped, not interpreted', () => {
  assert.equal(
    md(
      '<p>*not em* _nor_ [link](x) &lt;div&gt; &amp;amp; ~~no~~ `tick`</p><p># not a heading</p><p>1. not a list</p><p>- nor this</p>',
    ),
    '\\*not em\\* \\_nor\\_ \\[link\\](x) \\<div> \\&amp; \\~\\~no\\~\\~ \\`tick\\`\n\n\\# not a heading\n\n1\\. not a list\n\n\\- nor this\n',
  );
  const rendered = renderMarkdown(md('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;copy;</p>'));
  assert.equal(rendered.text.trim(), '<script>alert(1)</script> &copy;');
});

test('bare URLs in text are left unescaped, so the link Quire makes of them has no backslashes', () => {
  const out = md('<p>See https://example.com/a_b_c?q=1 and example.org/x_y, not _this_.</p>');
  assert.equal(out, 'See https://example.com/a_b_c?q=1 and example.org/x_y, not \\_this\\_.\n');
  const hrefs = byTag(renderMarkdown(out).html, 'a').map((a) => a.attribs.href);
  assert.deepEqual(hrefs, ['https://example.com/a_b_c?q=1', 'http://example.org/x_y']);
  // Inside link text nothing is linked, so there everything is escaped.
  assert.equal(
    md('<p>go <a href="https://example.com/_a_"> https://example.com/_a_ </a>now</p>'),
    'go [https://example.com/\\_a\\_](https://example.com/_a_) now\n',
  );
});

test('a link around blocks keeps the blocks and drops the link', () => {
  assert.equal(
    md('<a href="/post"><h2>Card title</h2><p>Teaser</p></a>'),
    '## Card title\n\nTeaser\n',
  );
});

test('links keep their titles and become absolute against the item URL', () => {
  assert.equal(
    md(
      '<p><a href="/about" title="About &quot;us&quot;">about</a> <a href="next.html">next</a> <a href="../up">up</a> <a href="//cdn.example.net/x">cdn</a> <a href="https://other.example/a?b=1&amp;c=2">abs</a> <a href="#top">top</a> <a href="mailto:me@example.com">mail</a></p>',
    ),
    '[about](https://blog.example.com/about "About \\"us\\"") [next](https://blog.example.com/posts/2024/next.html) [up](https://blog.example.com/posts/up) [cdn](https://cdn.example.net/x) [abs](https://other.example/a?b=1&c=2) [top](#top) [mail](mailto:me@example.com)\n',
  );
});

test('parentheses and spaces in URLs cannot end the destination early', () => {
  assert.equal(
    md(
      '<p><a href="https://en.wikipedia.org/wiki/Rust_(programming_language)">Rust</a> <a href="/a b">sp</a></p>',
    ),
    '[Rust](https://en.wikipedia.org/wiki/Rust_\\(programming_language\\)) [sp](https://blog.example.com/a%20b)\n',
  );
});

test('javascript:, data: and other schemes are dropped to their text', () => {
  assert.equal(
    md(
      '<p><a href="javascript:alert(1)">js</a> <a href=" JaVaScRiPt:alert(1)">js2</a> <a href="java&#x09;script:alert(1)">js3</a> <a href="data:text/html,&lt;script&gt;">data</a> <a href="vbscript:x">vb</a> <a>no href</a></p>',
    ),
    'js js2 js3 data vb no href\n',
  );
  assert.equal(
    md(
      '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="inline pixel"> <img src="javascript:x" alt="bad"></p>',
    ),
    'inline pixel bad\n',
  );
});

test('without a base URL relative links stay relative and protocol-relative ones get https', () => {
  assert.equal(
    md(
      '<p><a href="/x">x</a> <a href="//cdn.example.net/y">y</a> <img src="/i.png" alt="i"></p>',
      null,
    ),
    '[x](/x) [y](https://cdn.example.net/y) ![i](/i.png)\n',
  );
});

test('images keep alt and title; src falls back to data-src and srcset; no source leaves the alt', () => {
  assert.equal(
    md(
      '<p><img src="img/a.png" alt="A [bracketed] *alt*" title="The title"> <img data-src="/lazy.jpg" alt="lazy"> <img srcset="/small.jpg 480w, /large.jpg 1080w" alt="set"> <img alt="nothing"></p>',
    ),
    '![A \\[bracketed\\] \\*alt\\*](https://blog.example.com/posts/2024/img/a.png "The title") ![lazy](https://blog.example.com/lazy.jpg) ![set](https://blog.example.com/small.jpg) nothing\n',
  );
  assert.equal(
    md('<p><a href="/big.png"><img src="/small.png" alt="zoom"></a></p>'),
    '[![zoom](https://blog.example.com/small.png)](https://blog.example.com/big.png)\n',
  );
});

test('nested lists use - bullets and indent to the content', () => {
  assert.equal(
    md(
      '<ul><li>one<ul><li>one.a</li><li>one.b<ol><li>deep</li></ol></li></ul></li><li>two</li></ul><ol start="7"><li>seven</li><li>eight</li></ol>',
    ),
    '- one\n  - one.a\n  - one.b\n    1. deep\n- two\n\n7. seven\n8. eight\n',
  );
});

test('a list holding code is indented by four, so a tab in the code keeps its width', () => {
  const html =
    '<ol><li><p>Write:</p><pre><code class="language-go">func main() {\n\tfmt.Println("hi")\n}\n</code></pre></li><li><p>Run it.</p></li></ol>';
  assert.equal(
    md(html),
    '1.  Write:\n\n    ```go\n    func main() {\n    \tfmt.Println("hi")\n    }\n    ```\n\n2.  Run it.\n',
  );
  const [pre] = byTag(renderMarkdown(md(html)).html, 'pre');
  assert.ok(pre);
  assert.equal(DomUtils.textContent(pre), 'func main() {\n\tfmt.Println("hi")\n}\n');
});

test('blockquotes, nested, with paragraphs and code; no trailing spaces on their blank lines', () => {
  assert.equal(
    md(
      '<blockquote><p>Quoted</p><blockquote><p>deeper</p></blockquote><pre><code>a\n\nb</code></pre></blockquote>',
    ),
    '> Quoted\n>\n> > deeper\n>\n> ```\n> a\n>\n> b\n> ```\n',
  );
});

test('horizontal rules', () => {
  assert.equal(md('<p>a</p><hr><p>b</p>'), 'a\n\n---\n\nb\n');
});

test('task lists, as other sites and as Quire itself write them', () => {
  assert.equal(
    md(
      '<ul><li><input type="checkbox" checked disabled> done</li><li><input type="checkbox" disabled> todo</li></ul>',
    ),
    '- [x] done\n- [ ] todo\n',
  );
  const quire = renderMarkdown('- [x] shipped\n- [ ] next').html;
  assert.equal(md(quire), '- [x] shipped\n- [ ] next\n');
});

// ---------------------------------------------------------------------------------------------
// Tables

test('tables become GFM pipe tables with alignment; every pipe in a cell is escaped', () => {
  const html = `<table>
<thead><tr><th align="left">Operator</th><th style="text-align: center">Means</th><th align="right">Code</th></tr></thead>
<tbody>
<tr><td>a || b</td><td><em>or</em></td><td><code>x | y</code></td></tr>
<tr><td>a \\| b</td><td>pipe &amp; backslash</td><td>1</td></tr>
</tbody>
</table>`;
  assert.equal(
    md(html),
    [
      '| Operator | Means | Code |',
      '| :--- | :---: | ---: |',
      '| a \\|\\| b | *or* | `x \\| y` |',
      '| a \\\\\\| b | pipe & backslash | 1 |',
      '',
    ].join('\n'),
  );
  const cells = byTag(renderMarkdown(md(html)).html, 'td').map((td) => DomUtils.textContent(td));
  assert.deepEqual(cells, ['a || b', 'or', 'x | y', 'a \\| b', 'pipe & backslash', '1']);
});

test('a table without a header row gets an empty one; colspans and short rows are padded', () => {
  assert.equal(
    md(
      '<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td colspan="2">wide</td><td>z</td></tr><tr><td>short</td></tr></table>',
    ),
    '|  |  |  |\n| --- | --- | --- |\n| a | b | c |\n| wide |  | z |\n| short |  |  |\n',
  );
});

test('a header row shorter than the widest row is padded so the table stays a table', () => {
  const out = md('<table><tr><th>h</th></tr><tr><td>1</td><td>2</td></tr></table>');
  assert.equal(out, '| h |  |\n| --- | --- |\n| 1 | 2 |\n');
  assert.equal(byTag(renderMarkdown(out).html, 'table').length, 1);
});

test('line breaks and paragraphs in a cell become <br>; code in a cell becomes code spans', () => {
  assert.equal(
    md(
      '<table><tr><th>k</th><th>v</th></tr><tr><td><p>one</p><p>two</p></td><td>x<br>y</td></tr><tr><td><pre><code>a|b\nc</code></pre></td><td>z</td></tr></table>',
    ),
    '| k | v |\n| --- | --- |\n| one<br>two | x<br>y |\n| `a\\|b`<br>`c` | z |\n',
  );
});

test('layout tables (one cell, or tables inside) are read as their content; a caption is kept', () => {
  assert.equal(md('<table><tr><td><p>Just text</p></td></tr></table>'), 'Just text\n');
  assert.equal(
    md(
      '<table><tr><td><table><caption>Inner</caption><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table></td></tr></table>',
    ),
    'Inner\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n',
  );
});

// ---------------------------------------------------------------------------------------------
// Malformed HTML, read as a browser reads it

describe('malformed HTML is read as a browser reads it', () => {
  test('formatting left open carries into the next paragraph; closed out of order, it is untangled', () => {
    assert.equal(md('<p><b>bold</p><p>still bold</p>'), '**bold**\n\n**still bold**\n');
    assert.equal(md('<b>1<p>2</b>3</p>'), '**1**\n\n**2**3\n');
    assert.equal(md('<b><i>both</b> italic</i>'), '***both*** *italic*\n');
    assert.equal(
      md('<p><a href="/a">one<a href="/b">two</a></p>'),
      '[one](https://blog.example.com/a)[two](https://blog.example.com/b)\n',
    );
  });

  test('end tags left out: list items, paragraphs, definitions and headings close each other', () => {
    assert.equal(
      md('<ul><li>a<li>b</ul><p>one<p>two<dl><dt>term<dd>definition</dl><h1>three<h2>four</h2>'),
      '- a\n- b\n\none\n\ntwo\n\nterm\n\ndefinition\n\n# three\n\n## four\n',
    );
  });

  test('tables without <tbody> or end tags; text and blocks misplaced in a table go before it', () => {
    assert.equal(
      md('<table>loose text<p>a paragraph</p><tr><td>a<td>b<tr><td>c<td>d</table>'),
      'loose text\n\na paragraph\n\n|  |  |\n| --- | --- |\n| a | b |\n| c | d |\n',
    );
    // Outside a table, cell and row tags mean nothing; their text stays.
    assert.equal(md('<td>cell</td><tr><td>row</td></tr>'), 'cellrow\n');
  });

  test('stray </p> and </br>, a trailing </, and a last tag cut off before its >', () => {
    assert.equal(md('<p>a</p></p><p>b</br>c</p>'), 'a\n\nb\\\nc\n');
    assert.equal(md('<p>text</'), 'text\n');
    assert.equal(
      md('<p>See the diagram: <img src="/diagram.png" alt="Diagram"'),
      'See the diagram: ![Diagram](https://blog.example.com/diagram.png)\n',
    );
  });

  test('entities: legacy names without a semicolon, Windows-1252 code points, escaped markup', () => {
    assert.equal(md('<p>&copy 2024 &notin; &#128; &amp;lt; &#x26;</p>'), '© 2024 ∉ € \\&lt; &\n');
  });

  test('HTML inside SVG leaves it; <template> and <noscript> content is not shown', () => {
    assert.equal(md('<svg><title>icon</title><p>out of the SVG</p></svg>'), 'out of the SVG\n');
    assert.equal(
      md('<template><p>hidden</p></template><noscript><p>no script</p></noscript><p>shown</p>'),
      'shown\n',
    );
  });

  test('inside a <select> a <style> tag is ignored, not read as raw text to its end tag', () => {
    assert.equal(md('<select><option>x<style>a</select><p>after</p>'), 'after\n');
  });

  test('CDATA in HTML is a comment that ends at the first >; carriage returns become newlines', () => {
    assert.equal(md('<p>before</p><![CDATA[x > y]]><p>after</p>'), 'before\n\ny\\]\\]>\n\nafter\n');
    assert.equal(md('<pre>a\r\nb\rc</pre>'), '```\na\nb\nc\n```\n');
  });

  test('a long run of line breaks converts in time linear in its length', () => {
    const started = performance.now();
    const out = md(`<p>a${'<br>'.repeat(100_000)}b</p>`);
    assert.equal(out, `a${'\\\n'.repeat(100_000)}b\n`);
    assert.ok(performance.now() - started < 5_000, 'converted in under five seconds');
  });

  test('nesting through <template> content counts towards the depth limit', () => {
    assert.throws(
      () => md('<template>'.repeat(5_000)),
      (error: unknown) => error instanceof AppError && error.code === 'validation_failed',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// What is removed, what is kept, the shape of the output

test('script, style, iframe and noscript go with their content; unknown elements keep their text', () => {
  assert.equal(
    md(
      '<p>a</p><script>alert("x")</script><style>p { color: red }</style><iframe src="https://evil.example/">fallback</iframe><noscript>enable js</noscript><svg><title>Icon title</title><text>svg text</text></svg><math><mi>x</mi></math><custom-card><span>Card text</span></custom-card><p>b <button>Copy</button><kbd>Ctrl</kbd></p>',
    ),
    'a\n\nCard text\n\nb Ctrl\n',
  );
});

test('output ends with one newline, has no trailing whitespace outside code, and empty input gives ""', () => {
  assert.equal(md(''), '');
  assert.equal(md('  \n '), '');
  assert.equal(md('<p> </p><div></div>'), '');
  const out = md('<p>text   </p>\n\n\n<p>more&nbsp;<br> </p><pre><code>keep   \n</code></pre>');
  assert.equal(out, 'text\n\nmore\n\n```\nkeep   \n```\n');
  const trailing = out.split('\n').filter((line) => line !== line.trimEnd());
  assert.deepEqual(trailing, ['keep   ']);
});

test('HTML nested too deeply to convert is refused with a validation error, not a stack overflow', () => {
  const deep = (n: number) => `${'<div>'.repeat(n)}deep${'</div>'.repeat(n)}`;
  assert.equal(md(deep(400)), 'deep\n');
  for (const html of [deep(5000), '<ul><li>'.repeat(1000), '<b>x'.repeat(3000)]) {
    assert.throws(
      () => md(html),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'validation_failed' &&
        error.errors?.[0]?.field === 'body_markdown',
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Round trip through Quire's renderer

type Element = ReturnType<typeof DomUtils.findAll>[number];

function byTag(html: string, tag: string): Element[] {
  return DomUtils.findAll((el) => el.name === tag, parseDocument(html).children);
}

/** What a reader gets from the code blocks and tables of rendered HTML. */
function readable(html: string) {
  return {
    code: byTag(html, 'pre').map((pre) => ({
      text: DomUtils.textContent(pre),
      lang: pre.attribs['data-lang'] ?? null,
    })),
    tables: byTag(html, 'table').map((table) =>
      DomUtils.findAll((el) => el.name === 'tr', table.children).map((tr) =>
        DomUtils.findAll((el) => el.name === 'th' || el.name === 'td', tr.children).map((cell) => [
          DomUtils.textContent(cell),
          cell.attribs.align ?? null,
        ]),
      ),
    ),
  };
}

const ROUND_TRIP: Record<string, string> = {
  'code in many languages': [
    '```ts',
    'const re = /a|b/g; // `tick` <T>(x: T) => x && y',
    '\tindented_with_tab();   ',
    '```',
    '',
    '```python',
    'def __init__(self, *args, **kwargs):',
    '    pass',
    '',
    '',
    '    return 1',
    '```',
    '',
    '````markdown',
    '```bash',
    'echo "$HOME" | grep ~',
    '```',
    '````',
    '',
    '```',
    '  leading spaces and <html> &amp; entities',
    '```',
    '',
    '```no-such-language',
    'whatever *this* is',
    '```',
    '',
    '    indented code block',
    '    with two lines',
  ].join('\n'),
  tables: [
    '| Name | Expr | Note |',
    '|:-----|:----:|-----:|',
    '| or | `a \\|\\| b` | **bold** \\| and _em_ |',
    '| back\\\\slash | `` x ` y `` | [link](https://example.com/a_(b)) |',
    '| | empty first | |',
    '',
    'Text between.',
    '',
    '| a | b |',
    '|---|---|',
    '| 1 | <2> & 3 |',
  ].join('\n'),
  'lists and quotes around code': [
    '1. Step one:',
    '',
    '   ```sh',
    '   npm install',
    '   ```',
    '',
    '   - nested',
    '',
    '     ```js',
    '     \tlet x = 1;',
    '     ```',
    '',
    '> ```ts',
    '> quoted(code);',
    '>',
    '> ```',
  ].join('\n'),
};

describe('round trip: Markdown -> renderMarkdown -> htmlToMarkdown -> renderMarkdown', () => {
  for (const [name, source] of Object.entries(ROUND_TRIP)) {
    test(name, () => {
      const first = renderMarkdown(source).html;
      const again = renderMarkdown(htmlToMarkdown(first, BASE)).html;
      const before = readable(first);
      assert.ok(
        before.code.length > 0 || before.tables.length > 0,
        'the sample has code or tables',
      );
      assert.deepEqual(readable(again), before);
    });
  }
});
