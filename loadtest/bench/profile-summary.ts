/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`, e.g. `npm run bench -- --cpu-prof=/tmp/prof`):
 * where self time goes by package and by function, and the inclusive time of chosen frames.
 *
 *   node loadtest/bench/dist/profile-summary.js /tmp/prof/CPU.*.cpuprofile [--top=30] [--match=regexp] [--after-ms=3000]
 *
 * --after-ms skips the first samples (start-up, module loading) so the figures describe steady load.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, match: { type: 'string' }, 'after-ms': { type: 'string', default: '0' } } });
if (positionals.length === 0) {
  console.error('usage: profile-summary <file.cpuprofile> [--top=N] [--match=regexp]');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const skipUs = Number(values['after-ms']) * 1000;
const selfUs = new Map<number, number>();
let clockUs = 0;
profile.samples.forEach((id, i) => {
  clockUs += profile.timeDeltas[i] ?? 0;
  if (clockUs >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idleUs = [...selfUs].filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName)).reduce((a, [, us]) => a + us, 0);
const busyUs = totalUs - idleUs;

function packageOf({ url, functionName }: CallFrame): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  const dist = url.match(/\/dist\/(.*)$/);
  return dist ? `app:${dist[1]}` : url;
}

const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;

function top(groups: Map<string, number>, count: number, title: string): void {
  console.log(`\n${title}`);
  for (const [name, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, count)) console.log(`${pct(us)}  ${name}`);
}

const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  if (['(idle)', '(program)'].includes(frame.functionName)) continue;
  const pkg = packageOf(frame);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const name = `${frame.functionName || '(anonymous)'}  ${pkg}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}

console.log(`busy ${(busyUs / 1000).toFixed(0)} ms of ${(totalUs / 1000).toFixed(0)} ms sampled (percentages are of busy time)`);
top(byPackage, Number(values.top), 'self time by package / file');
top(byFunction, Number(values.top), 'self time by function');

// Inclusive time of frames whose function name or url matches --match.
if (values.match) {
  const pattern = new RegExp(values.match);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const name = `${frame.functionName || '(anonymous)'}  ${packageOf(frame)}:${frame.lineNumber + 1}`;
      if (!pattern.test(name) || seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  top(inclusive, Number(values.top), `inclusive time of frames matching /${values.match}/`);
}
