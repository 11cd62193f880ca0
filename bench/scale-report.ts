/**
 * What bench/scale.ts measured, as the Markdown of the "Scale" section of docs/benchmarks.md:
 * what was built, start-up and memory, first hits across sizes against their target, cached
 * answers against the bare server against theirs, then every figure of each size.
 */
import { fixed, int, mib, table } from './common.ts';
import type { Manifest } from './scale-build.ts';
import type { LoopDelay } from './scale-http.ts';

export type Kind = 'page' | 'feed' | 'api';

/** One timed request, without its body. */
export interface Answer {
  /** To the last byte; null when no answer came within the deadline. */
  ms: number | null;
  status: number;
  bytes: number;
  /** The Cache-Status header: `quire; hit`, `quire; fwd=miss`, or null when there was none. */
  cacheStatus: string | null;
  /** The server's CPU time over the request, in whole clock ticks (10 ms). */
  cpuMs: number | null;
}

/** A bounded autocannon run. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Requests answered. */
  requests: number;
  /** Server CPU time per answered request, in µs. */
  cpuUs: number | null;
  /** Share of one core the server used. */
  serverCpu: number | null;
  /** Cores' worth of CPU everything but the server and the load generator used meanwhile. */
  otherCpu: number | null;
  errors: number;
  unexpected: number;
}

export interface UrlResult {
  name: string;
  kind: Kind;
  path: string;
  /** The first request after start. */
  cold: Answer | null;
  /** The first request after each write that made every cached answer stale. */
  misses: Answer[];
  /** The largest event-loop delay over those requests, from /metrics. */
  missLoopMaxMs: number | null;
  /** Requests one at a time once cached. */
  cached: {
    count: number;
    p50: number;
    p99: number;
    cpuUs: number | null;
    /** How many of those answers said each Cache-Status. */
    cacheStatus: Record<string, number>;
  } | null;
  /** Quire under load (the rounds together), when a request is quick enough for a load run. */
  quire: (LoadResult & { loop: LoopDelay | null; runs: LoadResult[] }) | null;
  /** The bare node:http server sending Quire's bytes for this URL, under the same load. */
  bare: (LoadResult & { runs: LoadResult[] }) | null;
  skipped: string | null;
}

export interface SizeResult {
  dialect: 'sqlite' | 'postgres';
  label: string;
  count: number;
  manifest: Manifest;
  /** Built by this run (otherwise kept from an earlier one). */
  built: boolean;
  /** The SQLite file's size; null on PostgreSQL. */
  bytes: number | null;
  migrateMs: number;
  startup: { healthzMs: number; readyzMs: number };
  /** The server left alone for a while after start: its CPU and event-loop delay meanwhile. */
  idle: { seconds: number; serverCpu: number | null; loop: LoopDelay | null };
  memStart: { rss: number; peak: number } | null;
  memEnd: { rss: number; peak: number } | null;
  restarts: number;
  /** Median time of the write (saving the site's settings through the admin form). */
  writeMs: number | null;
  urls: UrlResult[];
  loadAverage: [number, number];
}

export interface ReportContext {
  machine: string;
  date: string;
  commit: string;
  command: string;
  duration: number;
  connections: number;
  timeoutMs: number;
  misses: number;
  rounds: number;
  sequential: number;
  sequentialMs: number;
  loadMaxMs: number;
  jsonFile: string;
  /** Background jobs ran in the server (`quire serve`'s default), or QUIRE_DISPATCHER=0. */
  dispatcher: boolean;
}

/** Targets: the largest size's first hit at most this many times the smallest's. */
export const FIRST_HIT_RATIO = 1.5;
/** Targets: cached Quire at least this share of the bare server. */
export const BARE_SHARE: Record<Kind, number> = { page: 0.9, feed: 0.9, api: 0.5 };

const DB_NAMES = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const sizeName = (s: SizeResult) => `${s.label} (${DB_NAMES[s.dialect]})`;
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`;

/** Milliseconds for a table: more digits when small, "> N s" past the deadline. */
function ms(value: number | null | undefined, timeoutMs: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return `> ${timeoutMs / 1000} s`;
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return int(value);
}

/** The median first hit; Infinity when one timed out; null when none was made. */
export function firstHit(r: UrlResult): number | null {
  if (r.misses.length === 0) return r.cold?.ms === null ? Infinity : null;
  if (r.misses.some((h) => h.ms === null)) return Infinity;
  const sorted = r.misses.map((h) => h.ms as number).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The length of the answer to the last first hit (or to the cold request). */
function answerBytes(r: UrlResult): number {
  return (r.misses.at(-1) ?? r.cold)?.bytes ?? 0;
}

/** Quire's share of the bare server: by req/s, and by CPU per request (bare's ÷ Quire's). */
export function bareShare(r: UrlResult): { rps: number | null; cpu: number | null } {
  const q = r.quire;
  const b = r.bare;
  if (!q || !b) return { rps: null, cpu: null };
  return {
    rps: b.rps > 0 ? q.rps / b.rps : null,
    cpu: q.cpuUs !== null && b.cpuUs !== null && q.cpuUs > 0 ? b.cpuUs / q.cpuUs : null,
  };
}

/** What the first hits said of the cache: every one a miss, as expected, or otherwise. */
function missNote(r: UrlResult): string {
  const said = new Set(r.misses.map((m) => m.cacheStatus ?? 'none'));
  return said.size === 1 && said.has('quire; fwd=miss')
    ? 'miss'
    : [...said].map((s) => s.replace('quire; ', '')).join(', ');
}

function cachedNote(r: UrlResult): string {
  if (!r.cached) return '–';
  const hits = r.cached.cacheStatus['quire; hit'] ?? 0;
  return hits === r.cached.count ? 'hit' : `${hits} of ${r.cached.count} hits`;
}

function firstHitTable(s: SizeResult, c: ReportContext): string {
  const t = c.timeoutMs;
  return table(
    [
      'URL',
      'path',
      'status',
      'bytes',
      'cold ms',
      'first hit ms (n)',
      'server CPU ms, first hit',
      'Cache-Status',
      'loop delay max ms',
    ],
    s.urls.map((r) => {
      const first = firstHit(r);
      const cpu = r.misses.map((m) => m.cpuMs).filter((x): x is number => x !== null);
      const last = r.misses.at(-1) ?? r.cold;
      return [
        r.name,
        `\`${r.path.length > 48 ? `${r.path.slice(0, 45)}...` : r.path}\``,
        last?.status ? String(last.status) : '–',
        last?.bytes ? int(last.bytes) : '–',
        r.cold ? (r.cold.ms === null ? `> ${t / 1000} s` : ms(r.cold.ms, t)) : '–',
        r.misses.length === 0
          ? (r.skipped ?? '–')
          : `${ms(first, t)}${r.misses.length > 1 ? ` (${r.misses.length})` : ''}`,
        cpu.length === 0 ? '–' : int(cpu.sort((a, b) => a - b)[Math.floor(cpu.length / 2)] ?? 0),
        r.misses.length === 0 ? '–' : missNote(r),
        r.missLoopMaxMs === null ? '–' : ms(r.missLoopMaxMs, t),
      ];
    }),
  );
}

function cachedTable(s: SizeResult, c: ReportContext): string {
  const t = c.timeoutMs;
  return table(
    [
      'URL',
      'cached p50 / p99 ms',
      'Cache-Status',
      'req/s',
      'bare req/s',
      'share by req/s',
      'CPU µs/req',
      'bare CPU µs/req',
      'share by CPU',
      'server CPU',
      'loop delay p99 / max ms',
      'errors / unexpected',
      'rest of machine',
    ],
    s.urls.map((r) => {
      const share = bareShare(r);
      const q = r.quire;
      const b = r.bare;
      return [
        r.name,
        r.cached ? `${ms(r.cached.p50, t)} / ${ms(r.cached.p99, t)}` : (r.skipped ?? '–'),
        cachedNote(r),
        q ? int(q.rps) : r.cached ? `too slow (> ${c.loadMaxMs} ms)` : '–',
        b ? int(b.rps) : '–',
        share.rps === null ? '–' : fixed(share.rps, 2),
        typeof q?.cpuUs === 'number'
          ? int(q.cpuUs)
          : typeof r.cached?.cpuUs === 'number'
            ? `${int(r.cached.cpuUs)}*`
            : '–',
        typeof b?.cpuUs === 'number' ? int(b.cpuUs) : '–',
        share.cpu === null ? '–' : fixed(share.cpu, 2),
        q ? pct(q.serverCpu) : '–',
        q?.loop ? `${ms(q.loop.p99, t)} / ${ms(q.loop.max, t)}` : '–',
        q && b ? `${q.errors + b.errors} / ${q.unexpected + b.unexpected}` : '–',
        q ? pct(mean([q.otherCpu, b?.otherCpu])) : '–',
      ];
    }),
  );
}

function mean(xs: Array<number | null | undefined>): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

/** Other work on the machine during the load runs of one size, as a share of a core. */
function busyDuring(s: SizeResult): number | null {
  return mean(s.urls.flatMap((r) => [r.quire?.otherCpu, r.bare?.otherCpu]));
}

export function report(results: SizeResult[], c: ReportContext): string {
  const t = c.timeoutMs;
  const built = table(
    [
      'Database',
      'articles: published / drafts / scheduled',
      'authors',
      'series (articles in them)',
      'tags',
      'article_tags',
      'events',
      'file',
      'build',
      'built',
    ],
    results.map((s) => {
      const k = s.manifest.counts;
      return [
        sizeName(s),
        `${int(k.published)} / ${int(k.drafts)} / ${int(k.scheduled)}`,
        int(k.users),
        `${int(k.series)} (${int(k.seriesArticles)})`,
        int(k.tags),
        int(k.articleTags),
        int(k.events),
        s.bytes === null ? '–' : mib(s.bytes),
        `${fixed(s.manifest.buildMs / 1000)} s`,
        s.built ? 'this run' : `${s.manifest.builtAt.slice(0, 10)} at ${s.manifest.commit}, kept`,
      ];
    }),
  );
  const steps = results
    .filter((s) => s.count >= 100_000)
    .map(
      (s) =>
        `Build steps, ${sizeName(s)}: ${Object.entries(s.manifest.steps)
          .map(([name, ms]) => `${name} ${fixed(ms / 1000)} s`)
          .join('; ')}.`,
    );
  const startup = table(
    [
      'Database',
      'quire migrate ms',
      'spawn to /healthz ms',
      'spawn to /readyz ms',
      'idle: server CPU',
      'idle: loop delay max ms',
      'RSS after start',
      'RSS at end',
      'peak RSS',
      'write (save site settings) ms',
      'restarts',
      'load average start / end',
      'rest of machine during load runs',
    ],
    results.map((s) => [
      sizeName(s),
      int(s.migrateMs),
      int(s.startup.healthzMs),
      int(s.startup.readyzMs),
      pct(s.idle.serverCpu),
      s.idle.loop ? ms(s.idle.loop.max, t) : '–',
      s.memStart ? mib(s.memStart.rss) : '–',
      s.memEnd ? mib(s.memEnd.rss) : '–',
      s.memEnd ? mib(s.memEnd.peak) : '–',
      ms(s.writeMs, t),
      String(s.restarts),
      `${fixed(s.loadAverage[0], 2)} / ${fixed(s.loadAverage[1], 2)}`,
      pct(busyDuring(s)),
    ]),
  );

  const out: string[] = [
    '## Scale',
    '',
    `Run on ${c.date} at commit ${c.commit}: ${c.machine}. Every figure is also in \`${c.jsonFile}\`.`,
    '',
    '```sh',
    c.command,
    '```',
    '',
    built,
    '',
    ...steps.flatMap((line) => [line, '']),
    startup,
    '',
    c.dispatcher
      ? 'Background jobs (the dispatcher: webhooks, WebSub, scheduled articles, feed polling, retention) run in the server process, as `quire serve` runs them. *idle*: the server left alone for 12 s right after start; the dispatcher polls every 5 s.'
      : 'Background jobs off (`QUIRE_DISPATCHER=0`, as when a separate `quire worker` runs them; none ran here). *idle*: the server left alone for 12 s right after start.',
    '',
  ];
  // Under 250 ms, a delay may be no more than the other processes of a busy machine.
  const stalled = results.filter((s) => (s.idle.loop?.max ?? 0) > 250);
  if (stalled.length > 0)
    out.push(
      `Left alone, the server blocked its event loop for up to ${stalled.map((s) => `${ms(s.idle.loop?.max, t)} ms at ${sizeName(s)} (${pct(s.idle.serverCpu)} of a core)`).join(', ')}: background work that grows with the database. Every request made meanwhile waits, so every figure of ${stalled.length > 1 ? 'those sizes' : 'that size'} includes such stalls (see the cached p99 and the loop delay under load).`,
      '',
    );

  for (const dialect of ['sqlite', 'postgres'] as const) {
    const sizes = results.filter((s) => s.dialect === dialect);
    if (sizes.length === 0) continue;
    const smallest = sizes[0] as SizeResult;
    const largest = sizes.at(-1) as SizeResult;
    const urls = smallest.urls;
    const failedFirst: string[] = [];
    const metFirst: string[] = [];
    let unlike = false;
    const firstRows = urls.map((u, i) => {
      const firsts = sizes.map((s) => (s.urls[i] ? firstHit(s.urls[i]) : null));
      const a = firsts[0];
      const b = firsts.at(-1);
      let ratio = '–';
      let met = '–';
      if (sizes.length > 1 && typeof a === 'number' && typeof b === 'number' && a > 0) {
        // A page past the end of a short list is a smaller answer than the same page of a long
        // one: the ratio then compares unlike work.
        const bytes = (s: SizeResult) => (s.urls[i] ? answerBytes(s.urls[i]) : 0);
        const short = bytes(smallest) * 2 < bytes(largest);
        unlike ||= short;
        ratio = `${Number.isFinite(b) ? fixed(b / a, 2) : `> ${fixed(t / a, 0)}`}${short ? ' †' : ''}`;
        const ok = Number.isFinite(b) && b / a <= FIRST_HIT_RATIO;
        met = ok ? 'yes' : 'no';
        (ok ? metFirst : failedFirst).push(`${u.name} ${ratio}`);
      }
      return [u.name, ...firsts.map((f) => ms(f, t)), ...(sizes.length > 1 ? [ratio, met] : [])];
    });
    const several = sizes.length > 1;
    out.push(
      `### First hit as the site grows (${DB_NAMES[dialect]})`,
      '',
      `The first request after a write that made every cached page, feed and API answer stale, in ms, the median of up to ${c.misses}; ` +
        (several
          ? `the target is ${largest.label} ÷ ${smallest.label} at most ${FIRST_HIT_RATIO}.`
          : `one size only, so no ratio (the target compares the largest size with the smallest).`),
      '',
      table(
        [
          'URL',
          ...sizes.map((s) => s.label),
          ...(several ? [`${largest.label} ÷ ${smallest.label}`, `≤ ${FIRST_HIT_RATIO}`] : []),
        ],
        firstRows,
      ),
      '',
      ...(unlike
        ? [
            `† The ${smallest.label} answer is less than half as long as the ${largest.label} one (its page 50 is past the end of the list, say), so the ratio compares unlike work.`,
            '',
          ]
        : []),
    );
    if (several)
      out.push(
        `Target met by ${metFirst.length} of ${metFirst.length + failedFirst.length} URLs.` +
          (failedFirst.length > 0 ? ` Not met: ${failedFirst.join('; ')}.` : ''),
        '',
      );

    const cachedRows: string[][] = [];
    const verdicts: string[] = [];
    for (const [i, u] of urls.entries()) {
      const shares = sizes.map((s) => (s.urls[i] ? bareShare(s.urls[i]) : null));
      const want = BARE_SHARE[u.kind];
      const measured = shares.filter((x) => x && x.rps !== null && x.cpu !== null) as Array<{
        rps: number;
        cpu: number;
      }>;
      const worstRps = measured.length ? Math.min(...measured.map((x) => x.rps)) : null;
      const worstCpu = measured.length ? Math.min(...measured.map((x) => x.cpu)) : null;
      const complete = measured.length === sizes.length;
      const met =
        worstRps === null || worstCpu === null
          ? 'not measured'
          : `${worstRps >= want ? 'yes' : 'no'} / ${worstCpu >= want ? 'yes' : 'no'}${complete ? '' : ' (not every size)'}`;
      if (worstRps !== null && worstCpu !== null && (worstRps < want || worstCpu < want))
        verdicts.push(`${u.name} (${fixed(worstRps, 2)} by req/s, ${fixed(worstCpu, 2)} by CPU)`);
      else if (worstRps === null) verdicts.push(`${u.name} (no load run: too slow)`);
      cachedRows.push([
        u.name,
        ...shares.map((x) =>
          x && x.rps !== null && x.cpu !== null ? `${fixed(x.rps, 2)} / ${fixed(x.cpu, 2)}` : '–',
        ),
        `≥ ${want}`,
        met,
      ]);
    }
    out.push(
      `### Cached answers against a bare node:http server (${DB_NAMES[dialect]})`,
      '',
      `Quire's share of the bare server sending the same bytes, by req/s and by CPU per request (bare's µs ÷ Quire's): for each URL in turn, ${c.rounds} rounds of Quire then bare, ${c.connections} connections for ${c.duration} s each. Pages, feeds and the API's anonymous reads all come from the response cache, straight from the HTTP server (the fast path; the API's counted against its rate limit there). The target applies to both measures; on this machine the load generator needs about a core of its own, so the server rarely saturates and CPU per request is the fairer of the two.`,
      '',
      table(
        [
          'URL',
          ...sizes.map((s) => `${s.label}: req/s / CPU`),
          'target',
          'met (req/s / CPU, every size)',
        ],
        cachedRows,
      ),
      '',
      verdicts.length === 0
        ? 'Target met by every URL at every size, by req/s and by CPU.'
        : `Not met, or not measured (worst size): ${verdicts.join('; ')}.`,
      '',
    );
  }

  const busy = results.filter((s) => (busyDuring(s) ?? 0) > 0.2);
  if (busy.length > 0)
    out.push(
      `The machine was shared: other work used on average ${busy.map((s) => `${pct(busyDuring(s))} of a core during the load runs of ${sizeName(s)}`).join(', ')}. ` +
        'Expect noise, above all in req/s; CPU per request is steadier, and first hits of slow URLs are dominated by the database.',
      '',
    );

  for (const s of results) {
    const m = s.manifest;
    out.push(
      `<details><summary>${sizeName(s)}: every figure</summary>`,
      '',
      `Author page and feeds: \`${m.names.author}\`, the most prolific author (${int(m.names.authorArticles)} articles). ` +
        `Tag page and feeds: \`${m.names.tag}\`, the most used tag (${int(m.names.tagArticles)} articles). ` +
        `Article: id ${m.names.article.id}, in the middle of the id range, part of series ${m.names.series.id} (${m.names.series.articles} articles).`,
      '',
      firstHitTable(s, c),
      '',
      cachedTable(s, c),
      '',
      '</details>',
      '',
    );
  }
  out.push(
    `*cold*: the first request after start, in order. *first hit*: after a write, median of the *n* made. *server CPU ms, first hit*: from /proc, whole 10 ms ticks. *loop delay*: prom-client's event-loop delay histogram from /metrics (10 ms resolution), read just before and after. *cached*: ${c.sequential} requests one at a time (at most ${c.sequentialMs / 1000} s) on one keep-alive connection; a * marks CPU per request measured there, where no load run was made. Load runs are made only when a cached request takes under ${c.loadMaxMs} ms.`,
  );
  return out.join('\n').trim();
}
