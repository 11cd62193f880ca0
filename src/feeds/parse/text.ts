/** Small text helpers shared by the format normalizers: trimming, escaping, plain text to HTML and back. */
import { Parser } from 'htmlparser2';

/** Trimmed text, or null when there is none. */
export function cleanText(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

/** Non-empty, trimmed, first occurrence wins: categories repeat across RSS category and dc:subject. */
export function uniqueTexts(values: (string | null | undefined)[]): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    const text = cleanText(value);
    if (text !== null) seen.add(text);
  }
  return [...seen];
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Plain text as HTML paragraphs: blank lines split paragraphs, single newlines become <br>. */
export function textToParagraphs(text: string | null | undefined): string | null {
  const clean = cleanText(text);
  if (clean === null) return null;
  return clean
    .split(/\r?\n[ \t]*\r?\n\s*/)
    .map((paragraph) => `<p>${escapeHtml(paragraph.trim()).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
}

/** The readable text of an HTML fragment, whitespace collapsed (for titles that came as HTML). */
export function htmlToText(html: string): string {
  let text = '';
  const parser = new Parser({
    ontext(data) {
      text += data;
    },
  });
  parser.end(html);
  return text.replace(/\s+/g, ' ').trim();
}
