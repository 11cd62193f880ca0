/**
 * Code in imported HTML: `<pre>` blocks become fences that keep every character and the language
 * the markup names (DEV, highlight.js, Prism, Rouge, GitHub), inline `<code>` becomes code spans.
 */
import {
  CDATA_SECTION_NODE,
  type ConversionRule,
  type DomNode,
  ELEMENT_NODE,
  TEXT_NODE,
  attr,
  children,
  classes,
} from './dom.ts';

/** What Quire's renderer accepts as a fence's language. */
const LANG = /^[A-Za-z0-9_+#.-]{1,40}$/;
const LANG_CLASS = /^lang(?:uage)?-(.+)$/;
/** GitHub's rendered Markdown: `<div class="highlight highlight-source-js"><pre>`. */
const GITHUB_CLASS = /^highlight-(?:source|text)-(.+)$/;
/** Class names that sit where a language would but say there is none, or name a highlighter. */
const NOT_LANGUAGES = new Set(['hljs', 'chroma', 'none', 'nohighlight', 'no-highlight']);
/** Rouge/Jekyll and Hugo put the language on wrappers a level or two above the `<pre>`. */
const WRAPPER_DEPTH = 3;

export interface CodeRuleOptions {
  /** Elements whose text is not part of the code (copy buttons and the like). */
  isJunk: (node: DomNode) => boolean;
  /** A `<pre>` inside a table cell cannot hold a fence; it becomes code spans per line. */
  inTableCell: (node: DomNode) => boolean;
}

export function codeRules(options: CodeRuleOptions): Record<string, ConversionRule> {
  return {
    codeBlock: {
      filter: 'pre',
      replacement: (_content, node) => {
        const code = preText(node, options.isJunk);
        if (options.inTableCell(node)) {
          return code.replace(/\n$/, '').split('\n').map(codeSpan).join('<br>');
        }
        return `\n\n${fencedCode(code, codeLanguage(node))}\n\n`;
      },
      ignoresContent: true,
    },
    inlineCode: {
      filter: (node) => node.nodeName === 'CODE' && !insidePre(node),
      replacement: (_content, node) => codeSpan(preText(node, options.isJunk)),
      ignoresContent: true,
    },
  };
}

/** The code as written: highlighting markup flattened, `<br>` as a line break. */
function preText(node: DomNode, isJunk: (node: DomNode) => boolean): string {
  let out = '';
  for (const child of children(node)) {
    if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
      out += child.nodeValue ?? '';
    } else if (child.nodeName === 'BR') {
      out += '\n';
    } else if (child.nodeType === ELEMENT_NODE && !isJunk(child)) {
      out += preText(child, isJunk);
    }
  }
  return out;
}

/** A fence longer than any run of backticks in the code, so none can close it early. */
export function fencedCode(code: string, language: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const body = code.replace(/\n$/, '');
  return `${fence}${language}\n${body}${body === '' ? '' : '\n'}${fence}`;
}

/** A code span whose delimiter appears nowhere inside, padded where CommonMark would strip. */
export function codeSpan(text: string): string {
  const code = text.replace(/\r\n|\r|\n/g, ' ');
  if (code === '') return '';
  const runs = new Set((code.match(/`+/g) ?? []).map((run) => run.length));
  let size = 1;
  while (runs.has(size)) size++;
  const delimiter = '`'.repeat(size);
  const pad = /^`|`$/.test(code) || /^ [^]*[^ ][^]* $/.test(code) ? ' ' : '';
  return `${delimiter}${pad}${code}${pad}${delimiter}`;
}

function insidePre(node: DomNode): boolean {
  for (let up = node.parentNode; up; up = up.parentNode) {
    if (up.nodeName === 'PRE') return true;
  }
  return false;
}

/**
 * The language the markup names, most specific first: a `language-x` class on the code or the
 * pre (highlight.js also puts a display label in `data-lang`, which loses to the class), DEV's
 * `<pre class="highlight typescript">`, a `data-lang`, then a wrapper's class.
 */
export function codeLanguage(pre: DomNode): string {
  const code = children(pre).find((child) => child.nodeName === 'CODE') ?? null;
  const candidates: (string | null | undefined)[] = [];
  if (code) candidates.push(classLanguage(code));
  candidates.push(classLanguage(pre), afterHighlight(pre));
  if (code) candidates.push(attr(code, 'data-lang'));
  candidates.push(attr(pre, 'data-lang'));
  let wrapper = pre.parentNode;
  for (let depth = 0; wrapper && depth < WRAPPER_DEPTH; depth++, wrapper = wrapper.parentNode) {
    candidates.push(classLanguage(wrapper));
  }
  for (const candidate of candidates) {
    const language = candidate?.trim().toLowerCase();
    if (language && LANG.test(language) && !NOT_LANGUAGES.has(language)) return language;
  }
  return '';
}

function classLanguage(node: DomNode): string | undefined {
  for (const name of classes(node)) {
    const match = LANG_CLASS.exec(name) ?? GITHUB_CLASS.exec(name);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** DEV (Rouge): the class right after `highlight` names the language. */
function afterHighlight(pre: DomNode): string | undefined {
  const names = classes(pre);
  const index = names.indexOf('highlight');
  return index === -1 ? undefined : names[index + 1];
}
