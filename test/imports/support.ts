/** Reading back what an import made: an author's articles in full, and HTML reduced to text and code. */
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Author } from '../helpers/fixtures.ts';
import type { HttpClient, Response } from '../helpers/http.ts';
import type { TestServer } from '../helpers/server.ts';

/** POST /api/feeds/import as `author`. */
export function importUrl(
  server: TestServer,
  author: Author,
  url: string,
  options: { publish?: boolean; canonical?: boolean } = {},
): Promise<Response> {
  return server.client().post('/api/feeds/import', { key: author.key, json: { url, ...options } });
}

/**
 * Every article of `author` (drafts included) as GET /api/articles/{id} shows it, plus the
 * `published` flag of the author's own list; oldest first.
 */
export async function articlesOf(server: TestServer, author: Author): Promise<any[]> {
  const client: HttpClient = server.client();
  const published = new Map<number, boolean>();
  for (let page = 1; ; page++) {
    const res = await client.get(`/api/articles/me/all?per_page=1000&page=${page}`, {
      key: author.key,
    });
    if (res.status !== 200) throw new Error(`me/all: ${res.status} ${res.text}`);
    const batch: Array<{ id: number; published: boolean }> = res.json();
    for (const a of batch) published.set(a.id, a.published);
    if (batch.length < 1000) break;
  }
  const out: any[] = [];
  for (const id of [...published.keys()].sort((a, b) => a - b)) {
    const res = await client.get(`/api/articles/${id}`, { key: author.key });
    if (res.status !== 200) throw new Error(`article ${id}: ${res.status} ${res.text}`);
    out.push({ ...res.json(), published: published.get(id) });
  }
  return out;
}

/** An author's articles by title; fails loudly on two with the same title. */
export async function articlesByTitle(
  server: TestServer,
  author: Author,
): Promise<Map<string, any>> {
  const map = new Map<string, any>();
  for (const article of await articlesOf(server, author)) {
    if (map.has(article.title)) throw new Error(`two articles titled ${article.title}`);
    map.set(article.title, article);
  }
  return map;
}

/** The text a reader sees: entities decoded, whitespace (nbsp included) collapsed. */
export function textOf(html: string): string {
  return DomUtils.textContent(parseDocument(html)).replace(/\s+/g, ' ').trim();
}

export interface CodeBlock {
  /** The code exactly as a reader would copy it. */
  text: string;
  /** Every class on the <pre> and its <code>, and data-lang, to find the language in. */
  classes: string[];
  dataLang: string | null;
}

export function codeBlocks(html: string): CodeBlock[] {
  const doc = parseDocument(html);
  return DomUtils.getElementsByTagName('pre', doc).map((pre) => {
    const code = DomUtils.getElementsByTagName('code', pre, true, 1)[0];
    const classes = [pre, code]
      .flatMap((el) => (el ? (el.attribs.class ?? '').split(/\s+/) : []))
      .filter(Boolean);
    return { text: DomUtils.textContent(pre), classes, dataLang: pre.attribs['data-lang'] ?? null };
  });
}

/** Attribute values of every `tag` in the HTML, e.g. hrefs of <a>. */
export function attributes(html: string, tag: string, name: string): string[] {
  return DomUtils.getElementsByTagName(tag, parseDocument(html))
    .map((el) => el.attribs[name])
    .filter((v): v is string => v !== undefined);
}

/** An instant to the second, as the API writes `published_at`. */
export const toSecond = (value: string | Date) =>
  new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
