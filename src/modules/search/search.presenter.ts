/** Articles found, in the API's list shape with a highlighted excerpt; people and tags found. */
import { MARK_CLOSE, MARK_OPEN } from '../../db/full-text.ts';
import { articleIndexJson, type PresentOptions } from '../articles/articles.presenter.ts';
import { sharedUserJson } from '../users/users.presenter.ts';
import type { Found, SearchResults } from './search.service.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The excerpt as HTML: every character escaped, whitespace runs made one space, and `<mark>`
 * around each match, the only element it can hold; marks are always closed and never nested,
 * whatever stray marker characters an article's own text holds.
 */
export function highlightHtml(excerpt: string): string {
  let html = '';
  let open = false;
  for (const char of excerpt.replace(/\s+/gu, ' ').trim()) {
    if (char === MARK_OPEN) {
      if (!open) html += '<mark>';
      open = true;
    } else if (char === MARK_CLOSE) {
      if (open) html += '</mark>';
      open = false;
    } else if (/[\p{Cc}\p{Cs}]/u.test(char)) {
      // Other control characters and lone surrogates show nothing.
    } else {
      html += ESCAPES[char] ?? char;
    }
  }
  return open ? `${html}</mark>` : html;
}

export function searchResultJson(found: Found, o: PresentOptions) {
  return {
    ...articleIndexJson(found.article, found.author, o),
    highlight: highlightHtml(found.excerpt),
  };
}

/** The API's answer to a search: SearchResult, SharedUser or TagFound items. */
export function searchAnswerJson(results: SearchResults, o: PresentOptions) {
  if (results.type === 'people')
    return results.items.map((person) => sharedUserJson(person, o.baseUrl));
  if (results.type === 'tags') return results.items;
  return results.items.map((item) => searchResultJson(item, o));
}
