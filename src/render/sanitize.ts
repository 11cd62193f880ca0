/**
 * The one gate for user HTML. Everything rendered from user input passes through here: an
 * allowlist of tags, attributes, classes and URL schemes; ids namespaced with `user-content-`;
 * every link marked as user-generated.
 */
import sanitizeHtml from 'sanitize-html';

export const ID_PREFIX = 'user-content-';
export const LINK_REL = 'nofollow ugc noopener';

const prefixed = (value: string) => (value.startsWith(ID_PREFIX) ? value : ID_PREFIX + value);
const ALIGN = /text-align:\s*(left|right|center)/i;
/** A profile's path, the only place a link styled as a mention may point. */
const PROFILE_PATH = /^\/[a-z0-9_]{3,30}$/;

/** Removes a markdown-it `style="text-align: x"` and keeps the alignment as an `align` attribute. */
function alignCell(tagName: string, attribs: sanitizeHtml.Attributes) {
  const { style, ...rest } = attribs;
  const match = style ? ALIGN.exec(style) : null;
  return { tagName, attribs: match?.[1] ? { ...rest, align: match[1].toLowerCase() } : rest };
}

const options: sanitizeHtml.IOptions = {
  allowedTags: [
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'blockquote',
    'pre',
    'code',
    'kbd',
    'samp',
    'var',
    'em',
    'strong',
    'b',
    'i',
    'u',
    's',
    'del',
    'ins',
    'mark',
    'sub',
    'sup',
    'small',
    'abbr',
    'cite',
    'q',
    'dfn',
    'time',
    'a',
    'img',
    'ul',
    'ol',
    'li',
    'dl',
    'dt',
    'dd',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'caption',
    'colgroup',
    'col',
    'figure',
    'figcaption',
    'details',
    'summary',
    'span',
    'div',
    'input',
    'label',
  ],
  allowedAttributes: {
    '*': ['id', 'title', 'lang', 'dir'],
    a: ['href', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'loading'],
    ol: ['start', 'reversed', 'type'],
    li: ['value'],
    th: ['align', 'colspan', 'rowspan', 'scope'],
    td: ['align', 'colspan', 'rowspan'],
    col: ['span'],
    colgroup: ['span'],
    time: ['datetime'],
    abbr: [],
    details: ['open'],
    pre: ['data-lang'],
    input: ['type', 'checked', 'disabled'],
    label: ['for'],
    code: [],
    span: [],
  },
  allowedClasses: {
    a: ['mention'],
    pre: ['highlight'],
    code: ['hljs', 'language-*'],
    span: ['hljs-*'],
    ul: ['task-list-container'],
    li: ['task-list-item'],
    input: ['task-list-item-checkbox'],
    label: ['task-list-item-label'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  // The text of these is dropped with them, not shown as text.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'xmp',
    'iframe',
    'noembed',
    'noframes',
    'template',
    'title',
    'object',
    'embed',
    'svg',
    'math',
  ],
  exclusiveFilter: (frame) => frame.tag === 'input' && frame.attribs.type !== 'checkbox',
  transformTags: {
    '*': (tagName, attribs) => {
      const out = { ...attribs };
      if (out.id) out.id = prefixed(out.id);
      if (out.for) out.for = prefixed(out.for);
      if (out.href?.startsWith('#') && out.href.length > 1)
        out.href = `#${prefixed(out.href.slice(1))}`;
      if (tagName === 'a') {
        out.rel = LINK_REL;
        // Written by hand, `class="mention"` could dress any link as a mention: only a link to
        // a profile may look like one.
        if (out.class !== undefined && !PROFILE_PATH.test(out.href ?? '')) delete out.class;
      }
      if (tagName === 'input') out.disabled = 'disabled';
      if (tagName === 'th' || tagName === 'td') return alignCell(tagName, out);
      return { tagName, attribs: out };
    },
  },
};

export function sanitize(html: string): string {
  return sanitizeHtml(html, options);
}
