/**
 * Feed HTML with its URLs made absolute: which attributes, which values, and that nothing else
 * in the HTML moves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { absoluteUrls } from '../../src/feeds/absolute-urls.ts';

const BASE = 'https://quire.example/zoe/my-post-ab12';

test('relative hrefs and srcs resolve against the article, fragments included', () => {
  assert.equal(
    absoluteUrls(
      '<p><a href="/about" rel="nofollow ugc noopener">a</a> <img src="img.png" alt="i"> <a href="#user-content-intro">s</a> <a href="../other?a=1&amp;b=2">o</a> <a href="?page=2">p</a></p>',
      BASE,
    ),
    '<p><a href="https://quire.example/about" rel="nofollow ugc noopener">a</a> <img src="https://quire.example/zoe/img.png" alt="i"> <a href="https://quire.example/zoe/my-post-ab12#user-content-intro">s</a> <a href="https://quire.example/other?a=1&amp;b=2">o</a> <a href="https://quire.example/zoe/my-post-ab12?page=2">p</a></p>',
  );
});

test('srcset, poster and cite resolve too; each srcset candidate on its own', () => {
  assert.equal(
    absoluteUrls(
      '<img srcset="a.png 1x, https://cdn.example/b.png 2x"><video poster="p.jpg"></video><blockquote cite="/src"></blockquote>',
      BASE,
    ),
    '<img srcset="https://quire.example/zoe/a.png 1x, https://cdn.example/b.png 2x"><video poster="https://quire.example/zoe/p.jpg"></video><blockquote cite="https://quire.example/src"></blockquote>',
  );
});

test('absolute URLs, mailto and other attributes are left byte for byte', () => {
  const html =
    '<a href="https://example.com/x?a=1&amp;b=2" title="/not-a-url">x</a> <a href="mailto:a@example.com">m</a> <a href="HTTP://EXAMPLE.COM">u</a> <img src="http://example.com/i.png" alt="img.png">';
  assert.equal(absoluteUrls(html, BASE), html);
});

test('HTML without a relative URL attribute comes back unchanged', () => {
  // Text that looks like an attribute is only text.
  const html = '<p>No links at all, only <code>href="/x"</code> as text.</p>';
  assert.equal(absoluteUrls(html, BASE), html);
  // Tag-like text in code is escaped text, not an attribute.
  const code = '<pre><code>&lt;a href="/in-code"&gt;x&lt;/a&gt;</code></pre>';
  assert.equal(absoluteUrls(code, BASE), code);
});

test('quoting and entities: values are read decoded and written escaped, double-quoted', () => {
  assert.equal(
    absoluteUrls(
      `<a href='rel?a=1&amp;b=2'>q</a><a href=unquoted>u</a><a href="/a&quot;b">d</a>`,
      BASE,
    ),
    '<a href="https://quire.example/zoe/rel?a=1&amp;b=2">q</a><a href="https://quire.example/zoe/unquoted">u</a><a href="https://quire.example/a%22b">d</a>',
  );
  assert.equal(
    absoluteUrls('<a href="pics/a b.png">s</a>', BASE),
    '<a href="https://quire.example/zoe/pics/a%20b.png">s</a>',
  );
});

test('nothing but http(s) comes out of a resolution; what is not a URL is left alone', () => {
  // Values the sanitizer would have removed are not made any better or worse.
  const unsafe = '<a href="javascript:alert(1)">j</a><img src="data:image/png;base64,AA==">';
  assert.equal(absoluteUrls(unsafe, BASE), unsafe);
  const invalid = '<a href="http://[broken">b</a><img srcset="a.png 1x 2x">';
  assert.equal(absoluteUrls(invalid, BASE), invalid);
  // A scheme-relative reference takes the article's scheme, as a browser would.
  assert.equal(
    absoluteUrls('<a href="//cdn.example/y">c</a>', 'http://quire.example/zoe/p'),
    '<a href="http://cdn.example/y">c</a>',
  );
  // A valueless attribute names nothing.
  assert.equal(absoluteUrls('<a href>v</a>', BASE), '<a href>v</a>');
});
