/**
 * The cross-site scripting vectors that every path for user Markdown is tested with (articles,
 * comments), and the checker that parses an output with a real HTML parser and walks it element
 * by element: no forbidden element, no event handler, no `style`, no script URL.
 */
import assert from 'node:assert/strict';
import { DomUtils, parseDocument } from 'htmlparser2';

export interface Vector {
  name: string;
  markdown: string;
  /** Harmless text that must still be readable in the output. */
  keep?: string[];
  /** Elements that must still be there (tag name and, optionally, an attribute value). */
  expect?: { tag: string; attr?: string; value?: string }[];
  /** Strings that must not appear in any URL-bearing attribute. */
  noUrl?: string[];
}

const ALERT_B64 = 'PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='; // <script>alert(1)</script>
const SVG_B64 = 'PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+'; // <svg onload=alert(1)>
const DECIMAL_NO_SEMI = [...'javascript:alert(1)']
  .map((c) => `&#${String(c.charCodeAt(0)).padStart(7, '0')}`)
  .join('');
const HEX_NO_SEMI = [...'javascript:'].map((c) => `&#x${c.charCodeAt(0).toString(16)}`).join('');

export const VECTORS: Vector[] = [
  // Event handlers on many tags.
  { name: 'img onerror', markdown: '<img src=x onerror=alert(1)>' },
  {
    name: 'img onerror with a real image and text around it',
    markdown:
      'Before the picture <img src="https://example.com/a.png" onerror="alert(1)" alt="ok"> after it',
    keep: ['Before the picture', 'after it'],
    expect: [{ tag: 'img', attr: 'src', value: 'https://example.com/a.png' }],
  },
  {
    name: 'img onerror with eval(src)',
    markdown: '<img src=x:alert(alt) onerror=eval(src) alt=0>',
  },
  { name: 'img onerror split by newline', markdown: '<img src=x\nonerror\n=alert(1)>' },
  { name: 'svg onload', markdown: '<svg onload=alert(1)>' },
  { name: 'svg/onload without space', markdown: '<svg/onload=alert(1)>' },
  { name: 'body onload', markdown: '<body onload=alert(1)>\n\nStill here', keep: ['Still here'] },
  {
    name: 'details ontoggle',
    markdown:
      '<details open ontoggle=alert(1)><summary>Summary line</summary>Hidden body</details>',
    keep: ['Summary line', 'Hidden body'],
    expect: [{ tag: 'details' }, { tag: 'summary' }],
  },
  { name: 'video source onerror', markdown: '<video><source onerror=alert(1)></video>' },
  { name: 'video onerror', markdown: '<video src=x onerror=alert(1)></video>' },
  { name: 'video poster javascript', markdown: '<video poster=javascript:alert(1)></video>' },
  { name: 'audio onerror', markdown: '<audio src=x onerror=alert(1)>' },
  { name: 'input autofocus onfocus', markdown: '<input autofocus onfocus=alert(1)>' },
  {
    name: 'checkbox input autofocus onfocus',
    markdown: '<input type=checkbox autofocus onfocus=alert(1)>',
  },
  { name: 'input type=image', markdown: '<input type="image" src="javascript:alert(1)">' },
  {
    name: 'select autofocus onfocus',
    markdown: '<select autofocus onfocus=alert(1)><option>o</option></select>',
  },
  {
    name: 'textarea autofocus onfocus',
    markdown: '<textarea autofocus onfocus=alert(1)>t</textarea>',
  },
  { name: 'keygen autofocus onfocus', markdown: '<keygen autofocus onfocus=alert(1)>' },
  {
    name: 'marquee onstart',
    markdown: '<marquee onstart=alert(1)>scrolling words</marquee>',
    keep: ['scrolling words'],
  },
  {
    name: 'div onmouseover',
    markdown: '<div onmouseover="alert(1)">hover me</div>',
    keep: ['hover me'],
    expect: [{ tag: 'div' }],
  },
  {
    name: 'div/onclick without space',
    markdown: '<div/onclick=alert(1)>slash</div>',
    keep: ['slash'],
  },
  { name: 'upper-case ONCLICK', markdown: '<p ONCLICK=alert(1)>shouting</p>', keep: ['shouting'] },
  {
    name: 'a onclick with a good href',
    markdown: '<a href="https://example.com/" onclick="alert(1)">click here</a>',
    keep: ['click here'],
    expect: [{ tag: 'a', attr: 'href', value: 'https://example.com/' }],
  },
  { name: 'isindex', markdown: '<isindex type=image src=1 onerror=alert(1)>' },
  { name: 'image (not img) onerror', markdown: '<image src=x onerror=alert(1)>' },
  { name: 'label onclick', markdown: '<label for=x onclick=alert(1)>lbl</label>', keep: ['lbl'] },
  {
    name: 'img onerror in a GFM table cell',
    markdown: '| head |\n| ---- |\n| <img src=x onerror=alert(1)> tail |',
    keep: ['head', 'tail'],
    expect: [{ tag: 'td' }],
  },
  {
    name: 'img onerror in a heading',
    markdown: '# <img src=x onerror=alert(1)> Heading words',
    keep: ['Heading words'],
    expect: [{ tag: 'h1', attr: 'id', value: 'user-content-heading-words' }],
  },
  {
    name: 'a rel=opener is overridden',
    markdown: '<a href="https://example.com/" rel="opener" target="_blank">tab</a>',
    expect: [{ tag: 'a', attr: 'rel', value: 'nofollow ugc noopener' }],
  },
  {
    name: 'table background',
    markdown: '<table background="javascript:alert(1)"><tr><td>c</td></tr></table>',
  },

  // javascript: and friends in Markdown links and images.
  { name: 'markdown link javascript:', markdown: '[click](javascript:alert(1))', keep: ['click'] },
  { name: 'markdown link mixed case', markdown: '[click](JaVaScRiPt:alert(1))', keep: ['click'] },
  { name: 'markdown link with title', markdown: '[x](javascript:alert(1) "title")' },
  { name: 'markdown link in angle brackets', markdown: '[x](<javascript:alert(1)>)' },
  { name: 'markdown link entity-encoded j', markdown: '[x](&#106;avascript:alert(1))' },
  { name: 'markdown link hex entity j', markdown: '[x](&#x6A;avascript:alert(1))' },
  { name: 'markdown link tab entity in scheme', markdown: '[x](java&#x09;script:alert(1))' },
  { name: 'markdown link &colon;', markdown: '[x](javascript&colon;alert(1))' },
  { name: 'markdown link &#58;', markdown: '[x](javascript&#58;alert(1))' },
  { name: 'markdown link percent-encoded call', markdown: '[x](javascript:alert%281%29)' },
  { name: 'markdown link backslash-escaped colon', markdown: '[x](javascript\\:alert(1))' },
  {
    name: 'markdown link percent-encoded newline in scheme',
    markdown: '[x](java%0ascript:alert(1))',
  },
  {
    name: 'bare javascript: text is not linkified',
    markdown: 'javascript:alert(1) is just text',
    keep: ['is just text'],
  },
  {
    name: 'linkified URL with quotes',
    markdown: 'Visit https://example.com/"onmouseover="alert(1) today',
    keep: ['Visit', 'today'],
  },
  {
    name: 'reference-style link',
    markdown: 'See [the docs][ref] now.\n\n[ref]: javascript:alert(1)',
    keep: ['See', 'the docs', 'now.'],
  },
  { name: 'reference-style link with title', markdown: '[a][r]\n\n[r]: javascript:alert(1) "t"' },
  { name: 'autolink javascript:', markdown: '<javascript:alert(1)>' },
  { name: 'autolink vbscript:', markdown: '<vbscript:msgbox(1)>' },
  { name: 'markdown link vbscript:', markdown: '[x](vbscript:msgbox(1))' },
  { name: 'markdown link data:text/html', markdown: `[x](data:text/html;base64,${ALERT_B64})` },
  { name: 'markdown image javascript src', markdown: '![img](javascript:alert(1))' },
  {
    name: 'markdown image data:image/svg+xml',
    markdown: `![a](data:image/svg+xml;base64,${SVG_B64})`,
  },
  { name: 'markdown image data:image/png', markdown: '![a](data:image/png;base64,iVBORw0KGgo=)' },
  {
    name: 'markdown link title with quotes',
    markdown: '[link](https://example.com/ "a\\" onmouseover=\\"alert(1)")',
    expect: [{ tag: 'a', attr: 'href', value: 'https://example.com/' }],
  },
  {
    name: 'markdown image alt with quotes',
    markdown: '![alt" onerror="alert(1)](https://example.com/x.png)',
    expect: [{ tag: 'img', attr: 'src', value: 'https://example.com/x.png' }],
  },

  // javascript: in raw <a> with tricks.
  { name: 'a href javascript:', markdown: '<a href="javascript:alert(1)">x</a>' },
  { name: 'a href upper case', markdown: '<a href="JAVASCRIPT:alert(1)">x</a>' },
  { name: 'a href leading spaces', markdown: '<a href="   javascript:alert(1)">x</a>' },
  { name: 'a href leading control char', markdown: '<a href="\u0001javascript:alert(1)">x</a>' },
  {
    name: 'a href leading entity control char',
    markdown: '<a href="&#14;javascript:alert(1)">x</a>',
  },
  { name: 'a href &#106;', markdown: '<a href="&#106;avascript:alert(1)">x</a>' },
  { name: 'a href &#x6A;', markdown: '<a href="&#x6A;avascript:alert(1)">x</a>' },
  { name: 'a href tab entity in scheme', markdown: '<a href="java&#x09;script:alert(1)">x</a>' },
  {
    name: 'a href newline entity in scheme',
    markdown: '<a href="java&#x0A;script:alert(1)">x</a>',
  },
  { name: 'a href carriage return entity', markdown: '<a href="java&#x0D;script:alert(1)">x</a>' },
  { name: 'a href literal tab in scheme', markdown: '<a href="java\tscript:alert(1)">x</a>' },
  { name: 'a href &colon;', markdown: '<a href="javascript&colon;alert(1)">x</a>' },
  { name: 'a href &#x3A;', markdown: '<a href="javascript&#x3A;alert(1)">x</a>' },
  { name: 'a href entity mid-word', markdown: '<a href="javas&#99;ript:alert(1)">x</a>' },
  {
    name: 'a href decimal entities without semicolons',
    markdown: `<a href="${DECIMAL_NO_SEMI}">x</a>`,
  },
  {
    name: 'a href hex entities without semicolons',
    markdown: `<a href="${HEX_NO_SEMI}prompt(1)">x</a>`,
  },
  { name: 'a href unquoted', markdown: '<a href=javascript:alert(1)>x</a>' },
  { name: 'a href javascript:// comment', markdown: '<a href="javascript://%0Aalert(1)">x</a>' },
  { name: 'a href vbscript:', markdown: '<a href="vbscript:msgbox(1)">x</a>' },
  { name: 'a href data:text/html', markdown: `<a href="data:text/html;base64,${ALERT_B64}">x</a>` },
  {
    name: 'a href data: with raw script',
    markdown: '<a href="data:text/html,<script>alert(1)</script>">x</a>',
  },
  { name: 'a xlink:href', markdown: '<a xlink:href="javascript:alert(1)">x</a>' },
  {
    name: 'a title attribute injection',
    markdown: `<a title='x" onmouseover="alert(1)' href="https://example.com/">titled</a>`,
    keep: ['titled'],
  },
  {
    name: 'div title with encoded quotes',
    markdown: '<div title="&quot; onclick=&quot;alert(1)">q</div>',
  },
  {
    name: 'blockquote cite',
    markdown: '<blockquote cite="javascript:alert(1)">quoted</blockquote>',
    keep: ['quoted'],
  },

  // data: and protocol-relative images.
  { name: 'img data:image/svg+xml', markdown: `<img src="data:image/svg+xml;base64,${SVG_B64}">` },
  { name: 'img javascript src', markdown: '<img src="javascript:alert(1)">' },
  {
    name: 'img dynsrc/lowsrc',
    markdown: '<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">',
  },
  {
    name: 'img srcset protocol-relative and javascript',
    markdown:
      '<img srcset="//evil.example/a.png 1x, javascript:alert(1) 2x" src="https://example.com/ok.png">',
    expect: [{ tag: 'img', attr: 'src', value: 'https://example.com/ok.png' }],
    noUrl: ['evil.example'],
  },
  {
    name: 'img protocol-relative src',
    markdown: '<img src="//evil.example/x.png">',
    noUrl: ['evil.example'],
  },
  {
    name: 'markdown image protocol-relative',
    markdown: '![x](//evil.example/x.png)',
    noUrl: ['evil.example'],
  },

  // SVG and MathML.
  { name: 'svg script', markdown: '<svg><script>alert(1)</script></svg>' },
  {
    name: 'svg a xlink:href',
    markdown: '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
  },
  {
    name: 'svg animate onbegin',
    markdown: '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
  },
  {
    name: 'svg set href',
    markdown:
      '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text>t</text></a></svg>',
  },
  {
    name: 'svg use data: href',
    markdown: `<svg><use href="data:image/svg+xml;base64,${SVG_B64}#x"/></svg>`,
  },
  {
    name: 'svg foreignObject',
    markdown:
      '<svg><foreignObject><iframe srcdoc="<script>alert(1)</script>"></iframe></foreignObject></svg>',
  },
  {
    name: 'svg style breakout',
    markdown: '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
  },
  {
    name: 'math mglyph style',
    markdown: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  },
  {
    name: 'math mglyph style with closing tags',
    markdown:
      '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">',
  },
  { name: 'math xlink:href', markdown: '<math><mi xlink:href="javascript:alert(1)">x</mi></math>' },
  {
    name: 'math maction',
    markdown:
      '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">click</maction></math>',
  },
  {
    name: 'math h1 svg nesting',
    markdown:
      '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></h1>',
  },
  {
    name: 'form math mutation',
    markdown: '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
  },

  // Mutation XSS wrappers.
  {
    name: 'noscript wrapper',
    markdown: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  },
  { name: 'noscript closed early', markdown: '<noscript></noscript><img src=x onerror=alert(1)>' },
  { name: 'xmp wrapper', markdown: '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>' },
  {
    name: 'iframe wrapper',
    markdown: '<iframe><p title="</iframe><img src=x onerror=alert(1)>"></iframe>',
  },
  {
    name: 'noembed wrapper',
    markdown: '<noembed><p title="</noembed><img src=x onerror=alert(1)>"></noembed>',
  },
  {
    name: 'noframes wrapper',
    markdown: '<noframes><p title="</noframes><img src=x onerror=alert(1)>"></noframes>',
  },
  {
    name: 'template wrapper',
    markdown: '<template><p title="</template><img src=x onerror=alert(1)>"></template>',
  },
  {
    name: 'style wrapper',
    markdown: '<style><p title="</style><img src=x onerror=alert(1)>"></style>',
  },
  {
    name: 'title wrapper',
    markdown: '<title><p title="</title><img src=x onerror=alert(1)>"></title>',
  },
  {
    name: 'textarea wrapper',
    markdown: '<textarea><p title="</textarea><img src=x onerror=alert(1)>"></textarea>',
  },
  { name: 'plaintext', markdown: '<plaintext><img src=x onerror=alert(1)>' },

  // Dangerous elements.
  { name: 'iframe srcdoc', markdown: '<iframe srcdoc="<script>alert(1)</script>"></iframe>' },
  { name: 'iframe javascript src', markdown: '<iframe src="javascript:alert(1)"></iframe>' },
  {
    name: 'form button formaction',
    markdown: '<form><button formaction=javascript:alert(1)>go</button></form>',
  },
  {
    name: 'form action',
    markdown: '<form action="javascript:alert(1)"><input type=submit></form>',
  },
  { name: 'base href', markdown: '<base href="javascript:alert(1)//">' },
  {
    name: 'meta refresh',
    markdown: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  },
  { name: 'object data javascript', markdown: '<object data="javascript:alert(1)"></object>' },
  {
    name: 'object data: html',
    markdown: `<object data="data:text/html;base64,${ALERT_B64}"></object>`,
  },
  { name: 'embed src javascript', markdown: '<embed src="javascript:alert(1)">' },
  { name: 'embed src data: svg', markdown: `<embed src="data:image/svg+xml;base64,${SVG_B64}">` },
  { name: 'link rel=import', markdown: '<link rel=import href="https://evil.example/x.html">' },
  {
    name: 'link stylesheet javascript',
    markdown: '<link rel=stylesheet href="javascript:alert(1)">',
  },
  { name: 'applet', markdown: '<applet code="x" codebase="javascript:alert(1)"></applet>' },
  { name: 'frameset', markdown: '<frameset><frame src="javascript:alert(1)"></frameset>' },

  // Script elements and styles.
  {
    name: 'plain script',
    markdown: 'Words before\n\n<script>alert(1)</script>\n\nwords after',
    keep: ['Words before', 'words after'],
  },
  { name: 'script src upper case', markdown: '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>' },
  { name: 'script split by script', markdown: '<scr<script>ipt>alert(1)</scr</script>ipt>' },
  { name: 'script/xss', markdown: '<script/xss src="https://evil.example/x.js"></script>' },
  { name: 'double open script', markdown: '<<script>alert(1);//<</script>' },
  {
    name: 'style element expression',
    markdown:
      '<style>body{background:url("javascript:alert(1)");width:expression(alert(1))}</style>',
  },
  {
    name: 'style attribute expression',
    markdown: '<div style="width:expression(alert(1))">expr</div>',
    keep: ['expr'],
  },
  {
    name: 'style attribute url',
    markdown: '<p style="background-image:url(javascript:alert(1))">bg</p>',
    keep: ['bg'],
  },
  {
    name: 'style attribute on a table cell',
    markdown: '<table><tr><td style="background:url(javascript:alert(1))">cell</td></tr></table>',
    keep: ['cell'],
  },

  // Comments, CDATA, processing instructions, unclosed tags.
  { name: 'comment hiding an img', markdown: '<!--<img src="--><img src=x onerror=alert(1)//">' },
  { name: 'comment closed with --!>', markdown: '<!-- --!><img src=x onerror=alert(1)> -->' },
  { name: 'CDATA', markdown: '<![CDATA[<img src=x onerror=alert(1)>]]>' },
  { name: 'processing instruction', markdown: '<? foo="><script>alert(1)</script>">' },
  { name: 'unclosed img', markdown: 'Some text <img src=x onerror=alert(1)', keep: ['Some text'] },
  { name: 'unclosed a', markdown: '<a href="javascript:alert(1)"' },
  { name: 'img with triple quotes', markdown: '<img """><script>alert(1)</script>">' },

  // Harmless code that only looks dangerous: it must survive as text.
  {
    name: 'inline code of an img tag',
    markdown: 'Use `<img src=x onerror=alert(1)>` as an example',
    keep: ['<img src=x onerror=alert(1)>', 'as an example'],
  },
  {
    name: 'fenced html code block',
    markdown: '```html\n<script>alert("hi")</script>\n<a href="javascript:void(0)">x</a>\n```',
    keep: ['<script>alert("hi")</script>', 'href="javascript:void(0)"'],
    expect: [{ tag: 'pre', attr: 'data-lang', value: 'HTML, XML' }],
  },
  {
    name: 'fenced code with a hostile info string',
    markdown: '```"><img src=x onerror=alert(1)>\nbody text\n```',
    keep: ['body text'],
  },
];

const FORBIDDEN_TAGS = new Set([
  'script',
  'iframe',
  'object',
  'embed',
  'base',
  'meta',
  'link',
  'style',
  'form',
  'svg',
  'math',
  'noscript',
  'xmp',
  'template',
  'frame',
  'frameset',
  'applet',
  'button',
  'textarea',
  'select',
  'video',
  'audio',
  'source',
  'title',
  'noembed',
  'noframes',
  'plaintext',
  'isindex',
  'keygen',
  'image',
  'use',
  'animate',
  'set',
  'foreignobject',
]);
const FORBIDDEN_ATTRIBUTES = new Set(['style', 'srcdoc', 'formaction']);
const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'srcset',
  'xlink:href',
  'poster',
  'background',
  'data',
  'cite',
  'codebase',
  'dynsrc',
  'lowsrc',
  'to',
]);
const BAD_SCHEME = /^(?:javascript|vbscript|data):/i;

/** Decodes character references once, as an HTML attribute value would be decoded. */
function decodeOnce(value: string): string {
  const doc = parseDocument(`<x v="${value.replaceAll('"', '&quot;')}"></x>`);
  const x = DomUtils.findOne((e) => e.name === 'x', doc.children);
  return x?.attribs.v ?? value;
}

/** A URL value reduced as far as a lenient browser could: entities decoded, blanks removed. */
function normalizeUrl(value: string): string {
  let current = value;
  for (let i = 0; i < 5; i++) {
    // eslint-disable-next-line no-control-regex -- the point is to remove them
    const next = decodeOnce(current).replace(/[\u0000-\u0020\u007f-\u00a0\s]+/g, '');
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Asserts that `html` holds nothing that could run script; returns its parsed document. */
export function assertSafe(html: string, label: string) {
  const doc = parseDocument(html, { lowerCaseTags: true, lowerCaseAttributeNames: true });
  const elements = DomUtils.findAll(() => true, doc.children);
  for (const el of elements) {
    assert.ok(!FORBIDDEN_TAGS.has(el.name), `${label}: <${el.name}> survived in ${html}`);
    for (const [name, value] of Object.entries(el.attribs)) {
      assert.ok(!name.startsWith('on'), `${label}: event handler ${name} survived in ${html}`);
      assert.ok(!FORBIDDEN_ATTRIBUTES.has(name), `${label}: attribute ${name} survived in ${html}`);
      if (!URL_ATTRIBUTES.has(name)) continue;
      const candidates = name === 'srcset' ? value.split(',') : [value];
      for (const candidate of candidates) {
        const url = normalizeUrl(candidate.trim());
        assert.ok(!BAD_SCHEME.test(url), `${label}: ${name}="${value}" survived in ${html}`);
      }
    }
  }
  return { doc, elements };
}

/** Every check for one vector's output. */
export function assertVector(vector: Vector, html: string, where: string) {
  const label = `${where} / ${vector.name}`;
  const { doc, elements } = assertSafe(html, label);
  const text = DomUtils.textContent(doc);
  for (const keep of vector.keep ?? []) {
    assert.ok(
      text.includes(keep),
      `${label}: lost the harmless text ${JSON.stringify(keep)} in ${html}`,
    );
  }
  for (const want of vector.expect ?? []) {
    const found = elements.some(
      (el) =>
        el.name === want.tag && (want.attr === undefined || el.attribs[want.attr] === want.value),
    );
    assert.ok(found, `${label}: expected <${want.tag} ${want.attr ?? ''}> in ${html}`);
  }
  for (const host of vector.noUrl ?? []) {
    for (const el of elements) {
      for (const [name, value] of Object.entries(el.attribs)) {
        if (URL_ATTRIBUTES.has(name))
          assert.ok(!value.includes(host), `${label}: ${name}="${value}" kept ${host}`);
      }
    }
  }
}
