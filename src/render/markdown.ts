/**
 * The Markdown pipeline: CommonMark + GFM through markdown-it, code highlighted at write time
 * with highlight.js (classes, not inline styles, so the page CSP needs no unsafe-inline), and
 * the result passed through the one sanitizer.
 */

import { createRequire } from 'node:module';
import { tasklist } from '@mdit/plugin-tasklist';
import type { HLJSApi } from 'highlight.js';
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { htmlText } from './html-text.ts';
import { type MentionEnv, mentions } from './mention-rule.ts';
import { sanitize } from './sanitize.ts';
import { slugify } from './slugify.ts';

export interface Rendered {
  html: string;
  /** The readable text (see html-text.ts): what search indexes and reading time counts. */
  text: string;
  /** The text of paragraphs only, for a default description. */
  leadText: string;
}

const LANG = /^[A-Za-z0-9_+#.-]{1,40}$/;

/**
 * highlight.js with all its languages is some 200 modules and 10 MB of memory, needed only when
 * an article with a code block is written: loaded then (synchronously, as markdown-it asks for
 * the highlighted text), not with the server.
 */
let highlighter: HLJSApi | undefined;
const require = createRequire(import.meta.url);

function highlight(code: string, info: string): string {
  const lang = info.trim().split(/\s+/)[0] ?? '';
  if (!LANG.test(lang))
    return `<pre class="highlight"><code>${md.utils.escapeHtml(code)}</code></pre>`;
  const hljs = (highlighter ??= require('highlight.js') as HLJSApi);
  const known = hljs.getLanguage(lang);
  const name = known ? (hljs.getLanguage(lang)?.name ?? lang) : lang;
  const body = known
    ? hljs.highlight(code, { language: lang, ignoreIllegals: true }).value
    : md.utils.escapeHtml(code);
  const id = lang.toLowerCase();
  return `<pre class="highlight" data-lang="${md.utils.escapeHtml(name)}"><code class="hljs language-${md.utils.escapeHtml(id)}">${body}</code></pre>`;
}

/** Gives each heading an id from its text, unique within the document. */
function headingIds(md: MarkdownIt): void {
  md.core.ruler.push('heading_ids', (state) => {
    const seen = new Map<string, number>();
    const used = new Set<string>();
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const open = tokens[i];
      if (open?.type !== 'heading_open') continue;
      const base = slugify(inlineText(tokens[i + 1])) || 'section';
      // "Foo", "Foo", "Foo 1" must not give foo, foo-1, foo-1: skip suffixes already taken.
      let count = seen.get(base) ?? 0;
      let id = count === 0 ? base : `${base}-${count}`;
      while (used.has(id)) id = `${base}-${++count}`;
      seen.set(base, count + 1);
      used.add(id);
      open.attrSet('id', id);
    }
  });
}

function inlineText(token: Token | undefined): string {
  if (!token?.children) return token?.content ?? '';
  return token.children
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');
}

const md = new MarkdownIt({ html: true, linkify: true, highlight })
  .use(tasklist)
  .use(headingIds)
  .use(mentions);
md.linkify.set({ fuzzyEmail: false });

export interface RenderOptions {
  /** Lower-case usernames that exist: their @mentions become links to their profiles. */
  mentions?: ReadonlySet<string>;
}

export function renderMarkdown(source: string, options: RenderOptions = {}): Rendered {
  const env: MentionEnv = options.mentions?.size ? { link: options.mentions } : {};
  const html = sanitize(md.render(source, env));
  return { html, ...htmlText(html) };
}

/** Parses without rendering, for rules that only read (see mention-rule.ts). */
export function parseMarkdown(source: string, env: MentionEnv): void {
  md.parse(source, env);
}
