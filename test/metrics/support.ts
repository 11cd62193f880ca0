/** Scraping `/metrics` and reading samples out of the Prometheus text format. */
import assert from 'node:assert/strict';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  text: string;
  samples: Sample[];
  /** `# TYPE` of each family. */
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { text, samples, types };
}

/** GETs `/metrics` and expects it to be answered. */
export async function scrape(baseUrl: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}/metrics`, { headers });
  const text = await res.text();
  assert.equal(res.status, 200, text.slice(0, 200));
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return parseMetrics(text);
}

/** The samples of one name whose labels include `labels`. */
export function find(s: Scrape, name: string, labels: Record<string, string> = {}): Sample[] {
  return s.samples.filter(
    (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
}

/** The sum of those samples; 0 when there are none (a counter not yet incremented). */
export function total(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  return find(s, name, labels).reduce((sum, x) => sum + x.value, 0);
}

/** The one sample of that name and labels, which must exist. */
export function one(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const found = find(s, name, labels);
  assert.equal(found.length, 1, `one ${name} ${JSON.stringify(labels)}, found ${found.length}`);
  return found[0]!.value;
}
