/**
 * Made-up but realistically shaped technical writing for the benchmarks: Markdown articles for
 * the feed benchmark, DEV-style HTML for the import one. Seeded, so every run gets the same text.
 */

/** A small deterministic PRNG (mulberry32), so runs are comparable. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a an of to in for with on at by from that this it is are was be can will should would ' +
  'server request response cache header body stream buffer event loop worker thread process ' +
  'database query index transaction commit rollback migration schema table column row key ' +
  'function module import export type interface generic promise async await error retry ' +
  'latency throughput memory allocation garbage collector profile benchmark measure result ' +
  'deploy container image build pipeline release version branch review test suite assertion ' +
  'feed article author reader editor markdown render template layout component state route ' +
  'simple fast slow careful small large often rarely always never first second next last ' +
  'because when while after before unless until although however therefore instead so ' +
  'we you they one each every most some many few more less enough quite really just still'
).split(' ');

const TOPICS = [
  'caching',
  'streams',
  'postgres',
  'sqlite',
  'testing',
  'typescript',
  'observability',
  'deployments',
  'http',
  'queues',
  'indexes',
  'feeds',
];

export const TAGS = [
  'typescript',
  'node',
  'webdev',
  'performance',
  'database',
  'testing',
  'devops',
  'javascript',
  'postgres',
  'tutorial',
];

export const pick = <T>(rnd: () => number, list: readonly T[]): T =>
  list[Math.floor(rnd() * list.length)] as T;

const between = (rnd: () => number, min: number, max: number) =>
  min + Math.floor(rnd() * (max - min + 1));

export function words(rnd: () => number, n: number): string {
  return Array.from({ length: n }, () => pick(rnd, WORDS)).join(' ');
}

function sentence(rnd: () => number): string {
  const text = words(rnd, between(rnd, 8, 18));
  return `${text[0]?.toUpperCase()}${text.slice(1)}.`;
}

export function title(rnd: () => number, n: number): string {
  const topic = pick(rnd, TOPICS);
  const head = words(rnd, between(rnd, 3, 6));
  return `${head[0]?.toUpperCase()}${head.slice(1)} ${topic}, part ${n}`;
}

export function tagsFor(rnd: () => number, n: number): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(pick(rnd, TAGS));
  return [...out];
}

/** A paragraph of plain sentences with an occasional inline mark-up made by `mark`. */
function paragraph(rnd: () => number, mark: (kind: number, text: string) => string): string {
  const sentences = Array.from({ length: between(rnd, 3, 6) }, () => {
    const s = sentence(rnd);
    const roll = rnd();
    if (roll < 0.2) return s.replace(/ (\w+) /, (_m, w: string) => ` ${mark(0, w)} `);
    if (roll < 0.35) return s.replace(/ (\w+ \w+) /, (_m, w: string) => ` ${mark(1, w)} `);
    if (roll < 0.45) return s.replace(/ (\w+) /, (_m, w: string) => ` ${mark(2, w)} `);
    return s;
  });
  return sentences.join(' ');
}

const TS_CODE = [
  "import { createServer } from 'node:http';",
  '',
  'interface CacheEntry<T> {',
  '  value: T;',
  '  expiresAt: number;',
  '}',
  '',
  'export class TtlCache<T> {',
  '  readonly #entries = new Map<string, CacheEntry<T>>();',
  '',
  '  get(key: string, now = Date.now()): T | undefined {',
  '    const entry = this.#entries.get(key);',
  '    if (!entry || entry.expiresAt <= now) return undefined;',
  '    return entry.value;',
  '  }',
  '',
  '  set(key: string, value: T, ttlMs: number): void {',
  '    this.#entries.set(key, { value, expiresAt: Date.now() + ttlMs });',
  '  }',
  '}',
  '',
  'const cache = new TtlCache<Buffer>();',
  'createServer((req, res) => {',
  "  const hit = cache.get(req.url ?? '/');",
  '  res.end(hit ?? `miss ${req.url} at ${new Date().toISOString()}`);',
  '}).listen(3000);',
];

const BASH_CODE = [
  'set -euo pipefail',
  'export DATABASE_URL="sqlite:./data/app.db"',
  'npm ci --omit=dev',
  'for n in 1 2 3; do',
  '  curl -fsS -H "accept-encoding: br" "http://127.0.0.1:3000/feed?page=$n" -o "/tmp/feed-$n.xml"',
  'done',
  'du -h /tmp/feed-*.xml | sort -h | tail -n 3',
];

/**
 * A published article in DEV's Markdown with front matter: paragraphs, headings, a list, a
 * table and two fenced code blocks (TypeScript and shell). About 6 to 10 KB.
 */
export function markdownArticle(n: number): string {
  const rnd = random(1000 + n);
  const md = (kind: number, text: string) =>
    kind === 0
      ? `\`${text}\``
      : kind === 1
        ? `**${text}**`
        : `[${text}](https://example.com/${encodeURIComponent(text)})`;
  const paras = (count: number) =>
    Array.from({ length: count }, () => paragraph(rnd, md)).join('\n\n');
  const code = TS_CODE.slice(0, between(rnd, 14, TS_CODE.length));
  const rows = Array.from(
    { length: between(rnd, 4, 7) },
    (_, i) =>
      `| ${pick(rnd, TOPICS)} | ${between(rnd, 1, 900)} ms | ${between(rnd, 1, 99)}% | ${i % 2 ? 'yes' : 'no'} |`,
  );
  return [
    '---',
    `title: ${title(rnd, n)}`,
    'published: true',
    `tags: ${tagsFor(rnd, 4).join(', ')}`,
    '---',
    '',
    paras(between(rnd, 3, 4)),
    '',
    `## ${title(rnd, n)}`,
    '',
    paras(between(rnd, 2, 3)),
    '',
    ...Array.from({ length: between(rnd, 4, 6) }, () => `- ${sentence(rnd)}`),
    '',
    '```ts',
    ...code,
    '```',
    '',
    paras(2),
    '',
    `### ${words(rnd, 4)}`,
    '',
    '| Topic | Time | Share | Cached |',
    '| --- | ---: | ---: | :---: |',
    ...rows,
    '',
    paras(between(rnd, 2, 3)),
    '',
    '```bash',
    ...BASH_CODE,
    '```',
    '',
    '## Wrapping up',
    '',
    paras(between(rnd, 2, 3)),
    '',
  ].join('\n');
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A few TypeScript lines the way DEV's highlighter marks them up. */
function highlightedTs(lines: string[]): string {
  return lines
    .map((line) =>
      escapeHtml(line)
        .replace(
          /\b(const|interface|class|export|import|return|readonly|new)\b/g,
          (k) => `<span class="k">${k}</span>`,
        )
        .replace(/'[^']*'/g, (s) => `<span class="dl">${s}</span>`),
    )
    .join('\n');
}

/**
 * The HTML body of a DEV feed item: paragraphs with links and inline code, a heading, a list
 * and a highlighted code block. About 2 to 4 KB.
 */
export function htmlArticle(rnd: () => number): string {
  const mark = (kind: number, text: string) =>
    kind === 0
      ? `<code>${text}</code>`
      : kind === 1
        ? `<strong>${text}</strong>`
        : `<a href="https://example.com/${encodeURIComponent(text)}">${text}</a>`;
  const p = () => `<p>${paragraph(rnd, mark)}</p>`;
  const start = between(rnd, 0, 8);
  const code = TS_CODE.slice(start, start + between(rnd, 6, 14));
  return [
    ...Array.from({ length: between(rnd, 2, 3) }, p),
    `<h2>${escapeHtml(words(rnd, 4))}</h2>`,
    p(),
    `<ul>\n${Array.from({ length: between(rnd, 3, 5) }, () => `<li>${sentence(rnd)}</li>`).join('\n')}\n</ul>`,
    `<div class="highlight"><pre class="highlight typescript"><code>${highlightedTs(code)}</code></pre></div>`,
    ...Array.from({ length: between(rnd, 1, 2) }, p),
  ].join('\n');
}

/**
 * A shorter published article: front matter, a few paragraphs, sometimes a list or a short
 * code block. About 1 to 3 KB, the length of most posts on a blogging site.
 */
export function shortMarkdownArticle(n: number): string {
  const rnd = random(5000 + n);
  const md = (kind: number, text: string) =>
    kind === 0
      ? `\`${text}\``
      : kind === 1
        ? `*${text}*`
        : `[${text}](https://example.com/${text})`;
  const para = () => paragraph(rnd, md);
  const extra =
    rnd() < 0.5
      ? Array.from({ length: between(rnd, 3, 5) }, () => `- ${sentence(rnd)}`)
      : ['```ts', ...TS_CODE.slice(0, between(rnd, 5, 10)), '```'];
  return [
    '---',
    `title: ${title(rnd, n)}`,
    'published: true',
    `tags: ${tagsFor(rnd, between(rnd, 1, 4)).join(', ')}`,
    '---',
    '',
    ...Array.from({ length: between(rnd, 1, 3) }, para),
    '',
    ...extra,
    '',
    ...Array.from({ length: between(rnd, 1, 2) }, para),
    '',
  ].join('\n');
}

/**
 * The body of a post as an author publishes it through the API (no front matter: title, tags
 * and `published` go in the request): paragraphs, a heading, a list and two fenced code blocks
 * (TypeScript and shell). About 3.4 KB.
 */
export function publishedMarkdown(n: number): string {
  const rnd = random(9000 + n);
  const md = (kind: number, text: string) =>
    kind === 0
      ? `\`${text}\``
      : kind === 1
        ? `**${text}**`
        : `[${text}](https://example.com/${encodeURIComponent(text)})`;
  const para = () => paragraph(rnd, md);
  return [
    para(),
    '',
    para(),
    '',
    `## ${words(rnd, 4)}`,
    '',
    para(),
    '',
    ...Array.from({ length: 3 }, () => `- ${sentence(rnd)}`),
    '',
    '```ts',
    ...TS_CODE.slice(0, 20),
    '```',
    '',
    para(),
    '',
    '```bash',
    ...BASH_CODE,
    '```',
    '',
    para(),
    '',
    para(),
    '',
  ].join('\n');
}
