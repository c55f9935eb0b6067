/**
 * `npm run bench:store -- --compare=<other build>/dist/cli.js`: the memory store alone, in process,
 * two builds in turn: what its own work costs a publish and a fetch, without HTTP (whose per-request
 * cost is a hundred times larger and hides a change of the store's layout on a noisy machine).
 *
 * Three loops of 300,000 16-byte messages, each message a fresh string from JSON.parse as over HTTP:
 * publishing a backlog for one subscriber; publishing with a fetch of 10 every fourth publish (the
 * log stays near empty); draining a backlog by fetches of 1,000. Medians of 7, alternating builds;
 * the ratio is this build's time over the other's (below 1: this build is faster).
 */
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './servers.js';
import { markdownTable } from './stats.js';

const { values: flags } = parseArgs({ options: { compare: { type: 'string' }, broker: { type: 'string' }, reps: { type: 'string', default: '7' } } });
if (!flags.compare) {
  console.error('usage: npm run bench:store -- --compare=<other build>/dist/cli.js [--broker=<this build>/dist/cli.js] [--reps=7]');
  process.exit(2);
}

interface Store {
  subscribe(subject: string): { id: string } | undefined;
  publish(subject: string, data: string): unknown;
  fetch(subject: string, id: string, max: number): { data: string[] } | undefined;
  close?(): void;
}
type StoreClass = new (limits: Record<string, number>) => Store;

async function storeOf(cli: string): Promise<StoreClass> {
  const module = pathToFileURL(join(dirname(resolve(cli)), 'broker/store/memory-message-store.js')).href;
  return ((await import(module)) as { MemoryMessageStore: StoreClass }).MemoryMessageStore;
}

const LIMITS = { maxPending: 1e8, maxPendingBytes: 8 * 1024 ** 3, maxPendingPerSubject: 1e8, maxPendingBytesPerSubject: 8 * 1024 ** 3, maxSubscribers: 1e6, maxInFlight: 1e8, maxFetchBytes: 64 * 1024 ** 2 };
const MESSAGES = 300_000;
const SUBJECT = 'bench.store.loops';
const message = (i: number): string => JSON.parse(`"payload-${String(i).padStart(7, '0')}"`) as string;

function subscribed(Store: StoreClass): { store: Store; id: string } {
  const store = new Store(LIMITS);
  return { store, id: store.subscribe(SUBJECT)!.id };
}

const loops: Record<string, (Store: StoreClass) => number> = {
  'publish, a backlog': (Store) => {
    const { store } = subscribed(Store);
    const started = performance.now();
    for (let i = 0; i < MESSAGES; i++) store.publish(SUBJECT, message(i));
    return performance.now() - started;
  },
  'publish, a fetch of 10 every fourth': (Store) => {
    const { store, id } = subscribed(Store);
    const started = performance.now();
    for (let i = 0; i < MESSAGES; i++) {
      store.publish(SUBJECT, message(i));
      if (i % 4 === 3) store.fetch(SUBJECT, id, 10);
    }
    return performance.now() - started;
  },
  'drain a backlog, fetches of 1,000': (Store) => {
    const { store, id } = subscribed(Store);
    for (let i = 0; i < MESSAGES; i++) store.publish(SUBJECT, message(i));
    const started = performance.now();
    while (store.fetch(SUBJECT, id, 1000)!.data.length > 0);
    return performance.now() - started;
  },
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const here = await storeOf(flags.broker ?? join(REPO_ROOT, 'dist/cli.js'));
const other = await storeOf(flags.compare);
const reps = Number(flags.reps);
const rows = [['loop (300,000 messages)', 'this build ms', 'other build ms', 'this / other time', 'per repetition']];
for (const [name, loop] of Object.entries(loops)) {
  const [mine, theirs] = [[] as number[], [] as number[]];
  for (let rep = 0; rep < reps; rep++) {
    mine.push(loop(here));
    theirs.push(loop(other));
  }
  const ratios = mine.map((ms, rep) => (ms / theirs[rep]!).toFixed(2)).join(', ');
  rows.push([name, median(mine).toFixed(0), median(theirs).toFixed(0), (median(mine) / median(theirs)).toFixed(2), ratios]);
}
console.log(`## The memory store in process, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
console.log(markdownTable(rows));
