/**
 * Reads a V8 CPU profile (`node --cpu-prof`, as `bench/writes.ts --profile DIR` writes) and
 * prints where the time went: the functions with the most self time, and those with the most
 * total time (a function counted once per sample, however deep it recurses), each as a share
 * of the samples. Paths are shown from the repository or from node_modules.
 * Run: `npx node bench/profile-summary.ts FILE.cpuprofile [--top 30] [--match TEXT] [--skip S]`,
 * `--skip` leaving out the first seconds (start-up).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '30' },
    match: { type: 'string' },
    skip: { type: 'string', default: '0' },
  },
});
const file = positionals[0];
if (!file) throw new Error('usage: bench/profile-summary.ts FILE.cpuprofile [--top N]');
const top = Number(args.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const at = url.indexOf('node_modules/');
  const src = url.indexOf('/src/');
  const short =
    at >= 0
      ? url.slice(at + 'node_modules/'.length)
      : src >= 0
        ? url.slice(src + 1)
        : url.replace(/^node:/, 'node:');
  return `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
// Start-up (module loading, migrations) is left out by skipping the first seconds.
const skipUs = Number(args.skip) * 1e6;
let clock = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  clock += dt;
  if (clock < skipUs) return;
  all += dt;
  const node = byId.get(id);
  if (!node) return;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at) as ProfileNode);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
});

const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  const rows = [...map]
    .filter(([l]) => !args.match || l.includes(args.match))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  for (const [l, us] of rows)
    console.log(
      `${((us / all) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${l}`,
    );
};

console.log(`${file}: ${(all / 1e6).toFixed(1)} s sampled`);
print('Self time', self);
print('Total time', total);
