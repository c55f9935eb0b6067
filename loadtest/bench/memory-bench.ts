/**
 * `npm run bench:memory`: what a pending message, a message in flight and a subscriber cost.
 *
 * 1. In process (the store itself, as the broker builds it): heap and RSS per pending 16-byte
 *    message with 1,000,000 pending for one subscriber; per message in flight with 1,000,000
 *    fetched and not acked by one acknowledged subscriber (and what that adds to a pending
 *    message); per retained message with 1,000,000 on a retained subject without subscribers; per subscriber and per message with 10,000 subscribers on one subject. Message
 *    bodies go through JSON.parse, as over HTTP, so each message owns fresh `subject` and `data`
 *    strings just as it would in the broker.
 * 2. Over HTTP (the whole broker, and the bare-Fastify baseline for comparison): the same, with
 *    200,000 messages (1,000,000 with --long), measured inside the server after a full GC.
 *
 * Needs --expose-gc (the npm script passes it).
 *   npm run bench:memory [-- --long] [-- --broker=/path/to/dist/cli.js] [-- --skip-http]
 */
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { jsonPost } from './load.js';
import { REPO_ROOT, startServer, type ServerKind, type ServerUnderTest } from './servers.js';
import { markdownTable } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    broker: { type: 'string' },
    'skip-http': { type: 'boolean', default: false },
  },
});

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) {
  console.error('run with node --expose-gc (npm run bench:memory does)');
  process.exit(2);
}

const IN_PROCESS_MESSAGES = 1_000_000;
const HTTP_MESSAGES = flags.long ? 1_000_000 : 200_000;
const FANOUT_SUBSCRIBERS = 10_000;
const FANOUT_MESSAGES = 1000;
const PAYLOAD_16B = 'gophermq-payload';
// Longer than 10 characters on purpose: V8's JSON.parse shares (internalizes) shorter strings, so
// a short subject would hide what a message costs when it keeps its own copy of the subject.
const SUBJECT = 'memory.bench.pending';
const FANOUT_SUBJECT = 'memory.bench.fanout';

interface Memory {
  heapUsed: number;
  rss: number;
}

/** The part of the store's interface this benchmark uses. */
interface Store {
  subscribe(subject: string, ack?: { ackWaitMs: number; maxAckPending?: number }): { id: string } | Promise<{ id: string }>;
  publish(subject: string, data: string): unknown;
  fetch(subject: string, id: string, max: number): { data: string[] } | undefined | Promise<{ data: string[] } | undefined>;
  stats?(): { retained: number } | Promise<{ retained: number }>;
  close?(): unknown;
}

function measure(): Memory {
  collect!();
  collect!();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  // Typed arrays keep their data outside the JS heap: counted with it, or the store's would be missed.
  return { heapUsed: heapUsed + arrayBuffers, rss };
}

const brokerCli = flags.broker ? resolve(flags.broker) : join(REPO_ROOT, 'dist/cli.js');
const rows: string[][] = [['measurement', 'where', 'count', 'heap bytes each', 'RSS bytes each', 'heap total MiB']];
const row = (what: string, where: string, count: number, before: Memory, after: Memory) => {
  rows.push([
    what,
    where,
    count.toLocaleString('en-US'),
    ((after.heapUsed - before.heapUsed) / count).toFixed(1),
    ((after.rss - before.rss) / count).toFixed(1),
    ((after.heapUsed - before.heapUsed) / 1024 / 1024).toFixed(1),
  ]);
  console.error(`  ${what} (${where}): ${((after.heapUsed - before.heapUsed) / count).toFixed(1)} heap bytes each`);
};

// ---- 1. In process ------------------------------------------------------------------------
const storeModule = pathToFileURL(join(dirname(brokerCli), 'broker/store/memory-message-store.js')).href;
const { MemoryMessageStore } = (await import(storeModule)) as { MemoryMessageStore: new (limits: Record<string, number>, retention?: object[]) => Store };
const limits = {
  maxPending: 100_000_000,
  maxPendingBytes: 8 * 1024 ** 3,
  maxPendingPerSubject: 100_000_000,
  maxPendingBytesPerSubject: 8 * 1024 ** 3,
  maxSubscribers: 1_000_000,
  maxInFlight: 100_000_000,
  maxFetchBytes: 64 * 1024 ** 2,
};
/** An hour: nothing is redelivered while the benchmark looks. */
const ACK_WAIT_MS = 3_600_000;
const FETCH_CHUNK = 1000;
/** Holds each store until it has been measured: V8 may collect an object a dead local still names. */
const alive = new Set<Store>();

/** A publish body as Fastify hands it over: parsed from JSON, with strings of its own. */
function parsedBody(i: number): { subject: string; data: string } {
  const data = `${PAYLOAD_16B}${i}`.slice(-16);
  return JSON.parse(`{"subject":"${SUBJECT}","data":"${data}"}`) as { subject: string; data: string };
}

// Each measurement runs in a function of its own, so that no stale local keeps a store alive
// into the next one.
async function pendingMessages(): Promise<void> {
  console.error(`in process: ${IN_PROCESS_MESSAGES.toLocaleString('en-US')} pending 16-byte messages, one subscriber`);
  const store: Store = new MemoryMessageStore(limits);
  alive.add(store);
  await store.subscribe(SUBJECT);
  const before = measure();
  for (let i = 0; i < IN_PROCESS_MESSAGES; i++) {
    const { subject, data } = parsedBody(i);
    await store.publish(subject, data);
  }
  row('pending 16-byte message, 1 subscriber', 'store, in process', IN_PROCESS_MESSAGES, before, measure());
  alive.delete(store);
}

/**
 * One acknowledged subscriber fetches all 1,000,000 messages and acks none: what each one costs
 * while in flight (its seq, delivery count and deadline), compared with the pending message above.
 */
async function inFlightMessages(): Promise<void> {
  console.error(`in process: ${IN_PROCESS_MESSAGES.toLocaleString('en-US')} 16-byte messages in flight, one acknowledged subscriber`);
  const store: Store = new MemoryMessageStore(limits);
  alive.add(store);
  // The store takes any bound; the API allows at most 100,000 per subscriber.
  const { id } = await store.subscribe(SUBJECT, { ackWaitMs: ACK_WAIT_MS, maxAckPending: IN_PROCESS_MESSAGES });
  const before = measure();
  for (let i = 0; i < IN_PROCESS_MESSAGES; i++) {
    const { subject, data } = parsedBody(i);
    await store.publish(subject, data);
  }
  let fetched = 0;
  for (let taken = -1; taken !== 0; fetched += taken) taken = (await store.fetch(SUBJECT, id, FETCH_CHUNK))!.data.length;
  if (fetched !== IN_PROCESS_MESSAGES) throw new Error(`fetched ${fetched} of ${IN_PROCESS_MESSAGES}`);
  row('in-flight 16-byte message, 1 acknowledged subscriber', 'store, in process', IN_PROCESS_MESSAGES, before, measure());
  await store.close?.();
  alive.delete(store);
}

/**
 * The same 1,000,000 messages on a retained subject (a count limit above them), with no subscriber:
 * what a retained message costs against a pending one (the bound: a pending one plus 16 bytes).
 */
async function retainedMessages(): Promise<void> {
  console.error(`in process: ${IN_PROCESS_MESSAGES.toLocaleString('en-US')} retained 16-byte messages, no subscriber`);
  const store: Store = new MemoryMessageStore(limits, [{ subjects: SUBJECT, maxAge: 0, maxMessages: 2 * IN_PROCESS_MESSAGES, maxBytes: 0, discard: 'old' }]);
  alive.add(store);
  const before = measure();
  for (let i = 0; i < IN_PROCESS_MESSAGES; i++) {
    const { subject, data } = parsedBody(i);
    if ((await store.publish(subject, data)) !== 'ok') throw new Error('a retained publish was refused');
  }
  row('retained 16-byte message, no subscriber', 'store, in process', IN_PROCESS_MESSAGES, before, measure());
  await store.close?.();
  alive.delete(store);
}

/** The longest event-loop stall while the age sweep drops this many retained messages, expired at once. */
const SWEPT_MESSAGES = 3_000_000;
/** Longer than the publishes take, so that they expire together, after them. */
const AGE_S = 8;
let sweepStallMs = NaN;
let sweepGcPauseMs = NaN;
let busiestTurnCpuMs = NaN;
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Not memory, but what a sweep over millions of retained messages costs the event loop: 3,000,000
 * on 1,001 subjects (one of them holding 1,000,000) expire together; the sweep drops them in
 * bounded turns while the event loop's delay is watched.
 */
async function ageSweep(): Promise<void> {
  console.error(`in process: the age sweep over ${SWEPT_MESSAGES.toLocaleString('en-US')} retained messages expiring at once`);
  const store: Store = new MemoryMessageStore(limits, [{ subjects: 'memory.bench.aged.>', maxAge: AGE_S, maxMessages: 0, maxBytes: 0, discard: 'old' }]);
  alive.add(store);
  for (let i = 0; i < SWEPT_MESSAGES; i++) await store.publish(i % 3 === 0 ? 'memory.bench.aged.one' : `memory.bench.aged.s${i % 1000}`, PAYLOAD_16B);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  // On a shared machine the loop's delay is mostly waiting for a core: the collector's own pauses are watched apart.
  const pauses: number[] = [];
  const collections = new PerformanceObserver((list) => pauses.push(...list.getEntries().map((entry) => entry.duration)));
  collections.observe({ entryTypes: ['gc'] });
  // The turn the process itself spent longest on (CPU between two ticks of a 1 ms timer): what the
  // sweep and the collector cost the loop, without the waits for a core that the delay includes.
  let lastCpuUs = cpuUs();
  busiestTurnCpuMs = 0;
  const ticks = setInterval(() => {
    const now = cpuUs();
    busiestTurnCpuMs = Math.max(busiestTurnCpuMs, (now - lastCpuUs) / 1000);
    lastCpuUs = now;
  }, 1);
  delay.enable();
  const started = performance.now();
  while ((await store.stats!()).retained > 0 && performance.now() - started < 60_000) await new Promise((done) => setTimeout(done, 20));
  if ((await store.stats!()).retained > 0) throw new Error('the sweep left retained messages after a minute');
  delay.disable();
  clearInterval(ticks);
  collections.disconnect();
  sweepStallMs = delay.max / 1e6;
  sweepGcPauseMs = Math.max(0, ...pauses);
  console.error(`  longest event-loop delay while sweeping: ${sweepStallMs.toFixed(1)} ms (over ${((performance.now() - started) / 1000).toFixed(1)} s); ${pauses.length} garbage collections, longest ${sweepGcPauseMs.toFixed(1)} ms; busiest turn ${busiestTurnCpuMs.toFixed(1)} ms of CPU`);
  await store.close?.();
  alive.delete(store);
}

async function manySubscribers(): Promise<void> {
  console.error(`in process: ${FANOUT_SUBSCRIBERS.toLocaleString('en-US')} subscribers on one subject, then ${FANOUT_MESSAGES} messages`);
  const store: Store = new MemoryMessageStore(limits);
  alive.add(store);
  const before = measure();
  for (let i = 0; i < FANOUT_SUBSCRIBERS; i++) await store.subscribe(FANOUT_SUBJECT);
  const subscribed = measure();
  row('subscriber (same subject)', 'store, in process', FANOUT_SUBSCRIBERS, before, subscribed);
  for (let i = 0; i < FANOUT_MESSAGES; i++) {
    const { data } = parsedBody(i);
    await store.publish(FANOUT_SUBJECT, data);
  }
  row(`pending message, ${FANOUT_SUBSCRIBERS.toLocaleString('en-US')} subscribers`, 'store, in process', FANOUT_MESSAGES, subscribed, measure());
  alive.delete(store);
}

await pendingMessages();
await inFlightMessages();
await retainedMessages();
await manySubscribers();
await ageSweep();

// ---- 2. Over HTTP -------------------------------------------------------------------------
async function fill(server: ServerUnderTest, path: string, body: unknown, amount: number): Promise<void> {
  const result = await autocannon({ url: server.url, amount, connections: 20, requests: [jsonPost(path, body)] });
  const failed = result.non2xx + result.errors;
  if (failed > 0) throw new Error(`${server.kind}: ${failed} of ${amount} requests to ${path} failed`);
}

async function overHttp(kind: ServerKind): Promise<void> {
  const where = kind === 'broker' ? 'broker over HTTP' : 'bare Fastify over HTTP';
  console.error(`${where}: ${HTTP_MESSAGES.toLocaleString('en-US')} pending messages, then ${FANOUT_SUBSCRIBERS.toLocaleString('en-US')} subscribers`);
  const server = await startServer(kind, { brokerCli, nodeArgs: ['--expose-gc'] });
  try {
    const stats = async (): Promise<Memory> => {
      const probe = await server.stats(true);
      // Typed arrays' data is outside the heap: counted with it, as in process.
      return { heapUsed: probe.heapUsedBytes + probe.arrayBuffersBytes, rss: probe.rssBytes };
    };
    const sub = (await server.client.post<{ id: string }>('/api/subscribe', { subject: SUBJECT })).json();
    // Warm the publish path so its code and caches do not count as message memory.
    await fill(server, '/api/publish', { subject: SUBJECT, data: PAYLOAD_16B }, 2000);
    await server.client.post('/api/fetch', { subject: SUBJECT, id: sub.id });
    const before = await stats();
    await fill(server, '/api/publish', { subject: SUBJECT, data: PAYLOAD_16B }, HTTP_MESSAGES);
    const filled = await stats();
    row('pending 16-byte message, 1 subscriber', where, HTTP_MESSAGES, before, filled);
    for (let remaining = Infinity; remaining > 0; ) {
      const res = await server.client.post<{ remaining: number }>('/api/fetch', { subject: SUBJECT, id: sub.id, max: 10_000 });
      remaining = res.json().remaining;
    }
    const drained = await stats();
    rows.push(['after fetching them all', where, '', '', '', ((drained.heapUsed - before.heapUsed) / 1024 / 1024).toFixed(1)]);

    await fill(server, '/api/subscribe', { subject: FANOUT_SUBJECT }, FANOUT_SUBSCRIBERS);
    const subscribed = await stats();
    row('subscriber (same subject)', where, FANOUT_SUBSCRIBERS, drained, subscribed);
    await fill(server, '/api/publish', { subject: FANOUT_SUBJECT, data: PAYLOAD_16B }, FANOUT_MESSAGES);
    row(`pending message, ${FANOUT_SUBSCRIBERS.toLocaleString('en-US')} subscribers`, where, FANOUT_MESSAGES, subscribed, await stats());
    rows.push(['peak RSS of the run', where, '', '', '', `RSS ${((await server.stats()).maxRssBytes / 1024 / 1024).toFixed(0)}`]);
  } finally {
    await server.stop();
  }
}

/**
 * 900 acknowledged subscribers each fetch the same 10,000 one-byte messages and ack none, with the
 * default settings: each holds maxAckPending (1000) of them in flight. Before maxAckPending this
 * took the process from 145 to 596 MiB; the bound is +100 MiB.
 */
const REVIEW_SUBSCRIBERS = 900;
const REVIEW_MESSAGES = 10_000;
async function manyInFlight(): Promise<void> {
  console.error(`broker over HTTP: ${REVIEW_SUBSCRIBERS} acknowledged subscribers fetch the same ${REVIEW_MESSAGES.toLocaleString('en-US')} messages`);
  const server = await startServer('broker', { brokerCli, nodeArgs: ['--expose-gc'] });
  try {
    const subject = 'memory.bench.inflight';
    const before = await server.stats(true);
    const ids: string[] = [];
    for (let i = 0; i < REVIEW_SUBSCRIBERS; i++) ids.push((await server.client.post<{ id: string }>('/api/subscribe', { subject, ackWaitMs: ACK_WAIT_MS })).json().id);
    await fill(server, '/api/publish', { subject, data: 'x' }, REVIEW_MESSAGES);
    let inFlight = 0;
    for (const id of ids) inFlight += (await server.client.post<{ data: string[] }>('/api/fetch', { subject, id })).json().data.length;
    const after = await server.stats(true);
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    const heap = (stats: typeof before) => stats.heapUsedBytes + stats.arrayBuffersBytes;
    rows.push([`${REVIEW_SUBSCRIBERS} acknowledged subscribers × ${REVIEW_MESSAGES.toLocaleString('en-US')} messages (defaults)`, 'broker over HTTP', inFlight.toLocaleString('en-US'), ((heap(after) - heap(before)) / inFlight).toFixed(1), ((after.rssBytes - before.rssBytes) / inFlight).toFixed(1), `heap +${mib(heap(after) - heap(before))}, RSS +${mib(after.rssBytes - before.rssBytes)}`]);
  } finally {
    await server.stop();
  }
}

if (!flags['skip-http']) {
  await overHttp('broker');
  await overHttp('baseline');
  await manyInFlight();
}

const inProcess = (prefix: string) => Number(rows.find((r) => r[1] === 'store, in process' && r[0].startsWith(prefix))![3]);
const heapPerMessage = inProcess('pending 16-byte');
const inFlightExtra = inProcess('in-flight 16-byte') - heapPerMessage;
console.log(`## GopherMQ memory benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
console.log(markdownTable(rows));
console.log(`\nTarget: heap per pending 16-byte message under 150 bytes: ${heapPerMessage.toFixed(1)} → ${heapPerMessage < 150 ? 'pass' : 'MISS'}`);
console.log(`Target: heap per message in flight beyond a pending one well under 200 bytes: ${inFlightExtra.toFixed(1)} → ${inFlightExtra < 200 ? 'pass' : 'MISS'}`);
const retainedExtra = inProcess('retained 16-byte') - heapPerMessage;
console.log(`Target: heap per retained message at most a pending one + 16 bytes: ${retainedExtra.toFixed(1)} more → ${retainedExtra <= 16 ? 'pass' : 'MISS'}`);
console.log(`Target: age sweep over ${SWEPT_MESSAGES.toLocaleString('en-US')} expiring retained messages, longest event-loop delay well under 10 ms: ${sweepStallMs.toFixed(1)} ms → ${sweepStallMs < 10 ? 'pass' : 'MISS'}`);
console.log(`Target: the same, busiest turn (the process's CPU between two 1 ms ticks) well under 10 ms: ${busiestTurnCpuMs.toFixed(1)} ms → ${busiestTurnCpuMs < 10 ? 'pass' : 'MISS'}`);
console.log(`Target: the same, longest garbage-collection pause well under 10 ms: ${sweepGcPauseMs.toFixed(1)} ms → ${sweepGcPauseMs < 10 ? 'pass' : 'MISS'}`);
