/**
 * The markdown-it rule behind @mentions: it finds them in the text a reader sees (not in code,
 * link text, URLs or raw HTML) and, when told which usernames exist, links those. Finding and
 * linking are one pass, so what `findMentions` reports is exactly what a render links.
 */
import type MarkdownIt from 'markdown-it';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';
import type Token from 'markdown-it/lib/token.mjs';

/** What the rule reads from and writes to markdown-it's `env`. */
export interface MentionEnv {
  /** Filled with the usernames mentioned, lower case, first appearance first, up to `limit`. */
  found?: string[];
  limit?: number;
  /** Lower-case usernames to link; the others stay text. */
  link?: ReadonlySet<string>;
}

/** A username's characters, any case: USERNAME in src/modules/users/users.rules.ts. */
const NAME_CHAR = /^[A-Za-z0-9_]$/;
const NAME_MIN = 3;
const NAME_MAX = 30;
/** Just before an `@`, these make it part of a word, an address, a path or a handle. */
const WORD_BEFORE = /[\p{L}\p{N}_./@-]$/u;

const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const TAG = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/;

interface Mention {
  /** Index of the `@`. */
  start: number;
  end: number;
  /** As written. */
  name: string;
}

/**
 * The mentions in a stretch of text. `escaped` holds the positions of characters that came from
 * an escape or an entity (`\@ada`, `&#64;ada`): such an `@` starts no mention.
 */
export function mentionsInText(text: string, escaped: ReadonlySet<number>): Mention[] {
  const out: Mention[] = [];
  let at = text.indexOf('@');
  while (at !== -1) {
    let end = at + 1;
    while (end < text.length && NAME_CHAR.test(text[end] as string)) end++;
    const length = end - at - 1;
    if (
      !escaped.has(at) &&
      length >= NAME_MIN &&
      length <= NAME_MAX &&
      !WORD_BEFORE.test(text.slice(Math.max(0, at - 2), at)) &&
      // `@ada@example.social` names someone elsewhere.
      text[end] !== '@'
    )
      out.push({ start: at, end, name: text.slice(at + 1, end) });
    at = text.indexOf('@', end);
  }
  return out;
}

/** How deep inside raw HTML elements (`<span>…</span>`) an `html_inline` token leaves the text. */
function htmlDepth(depth: number, token: Token): number {
  const tag = TAG.exec(token.content);
  if (!tag) return depth;
  const name = (tag[2] as string).toLowerCase();
  if (tag[1]) return Math.max(0, depth - 1);
  if (VOID_ELEMENTS.has(name) || token.content.endsWith('/>')) return depth;
  return depth + 1;
}

/** The inline tokens of a run of text, with its mentions in `link` made into links. */
function linked(state: StateCore, text: string, mentions: Mention[], level: number): Token[] {
  const out: Token[] = [];
  const textToken = (content: string, at: number) => {
    const t = new state.Token('text', '', 0);
    t.content = content;
    t.level = at;
    out.push(t);
  };
  let pos = 0;
  for (const m of mentions) {
    if (m.start > pos) textToken(text.slice(pos, m.start), level);
    const open = new state.Token('link_open', 'a', 1);
    open.attrs = [
      ['href', `/${m.name.toLowerCase()}`],
      ['class', 'mention'],
    ];
    open.markup = 'mention';
    open.level = level;
    out.push(open);
    textToken(text.slice(m.start, m.end), level + 1);
    const close = new state.Token('link_close', 'a', -1);
    close.markup = 'mention';
    close.level = level;
    out.push(close);
    pos = m.end;
  }
  if (pos < text.length) textToken(text.slice(pos), level);
  return out;
}

function mentionRule(state: StateCore): void {
  const env = state.env as MentionEnv;
  const { found, link } = env;
  if ((!found && !link) || !state.src.includes('@')) return;
  const limit = env.limit ?? Infinity;
  const seen = new Set(found);
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const children = block.children;
    const out: Token[] = [];
    let linkDepth = 0;
    let html = 0;
    for (let i = 0; i < children.length;) {
      const token = children[i] as Token;
      if (token.type === 'link_open') linkDepth++;
      else if (token.type === 'link_close') linkDepth = Math.max(0, linkDepth - 1);
      else if (token.type === 'html_inline') html = htmlDepth(html, token);
      if ((token.type !== 'text' && token.type !== 'text_special') || linkDepth > 0 || html > 0) {
        out.push(token);
        i++;
        continue;
      }
      // A run of text and escapes reads as one text (text_join will join it anyway).
      let end = i;
      let text = '';
      const escaped = new Set<number>();
      for (; end < children.length; end++) {
        const t = children[end] as Token;
        if (t.type === 'text_special')
          for (let k = 0; k < t.content.length; k++) escaped.add(text.length + k);
        else if (t.type !== 'text') break;
        text += t.content;
      }
      const mentions = mentionsInText(text, escaped);
      if (found)
        for (const m of mentions) {
          const name = m.name.toLowerCase();
          if (seen.size >= limit) break;
          if (!seen.has(name)) found.push(name);
          seen.add(name);
        }
      const toLink = link ? mentions.filter((m) => link.has(m.name.toLowerCase())) : [];
      if (toLink.length > 0) out.push(...linked(state, text, toLink, token.level));
      else out.push(...children.slice(i, end));
      i = end;
    }
    block.children = out;
  }
}

/** Adds the mention rule; it acts only when the render's env asks (see MentionEnv). */
export function mentions(md: MarkdownIt): void {
  md.core.ruler.before('text_join', 'mentions', mentionRule);
}
