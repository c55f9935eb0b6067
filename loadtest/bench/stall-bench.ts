/**
 * `npm run bench:stall`: what one large or numerous input does to everyone else. While the broker
 * works through it, a prober asks `GET /ready` back to back on its own connection; the figures are
 * that probe's latency (p50, p99, max), and the broker measures its own event loop: the longest
 * turn, which is the stall every client saw (the probe's figures include the load generator's own
 * delays). Also the work's duration and the broker's peak RSS.
 *
 *   expiry     N subscribers on one subject each holding N messages expire at once (default 20,000)
 *   big-fetch  394 messages of 170 KB of control characters (about 1 MB each once JSON-escaped),
 *              one fetch without `max`
 *   lazy-readers  the same backlog for 10 subscribers, each fetched by a client that never reads
 *              its answer, for 3 s
 *
 *   npm run bench:stall -- --compare=/path/to/other/dist/cli.js   the same on another build, same run
 *   npm run bench:stall -- --only=expiry --subscribers=100000 --messages=100000
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { forEachLimited, JsonClient } from './http-client.js';
import { BENCH_BROKER_ENV, startServer, type ServerUnderTest } from './servers.js';
import { fmt, markdownTable, Samples } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    compare: { type: 'string' },
    only: { type: 'string' },
    subscribers: { type: 'string', default: '20000' },
    messages: { type: 'string', default: '20000' },
  },
});

interface Figures {
  build: string;
  scenario: string;
  readyP50Ms: number;
  readyP99Ms: number;
  readyMaxMs: number;
  loopMaxMs: number;
  workS: number;
  peakRssBytes: number;
  note: string;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** GET /ready back to back until stopped; one connection of its own, so it queues behind nothing but the event loop. */
function probeReady(url: string): { stop: () => Promise<Samples> } {
  const client = new JsonClient(url, 1);
  const samples = new Samples();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { elapsedMs } = await client.get('/ready', 120_000);
      samples.add(elapsedMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      client.close();
      return samples;
    },
  };
}

/** The /ready prober, and the broker's own measure of its event loop, both from now on. */
async function probeFrom(server: ServerUnderTest): Promise<{ stop: () => Promise<Samples> }> {
  await server.stats(false, 30_000, true);
  return probeReady(server.url);
}

async function gauge(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

async function expiry(build: string, cli: string | undefined, count: number, messages: number): Promise<Figures> {
  const idleS = 15;
  const server = await startServer('broker', {
    brokerCli: cli,
    env: {
      GOPHERMQ_BROKER_SUBSCRIBER__IDLE__TIMEOUT: String(idleS),
      GOPHERMQ_BROKER_MAX__SUBSCRIBERS: String(count + 10),
    },
  });
  try {
    const subject = 'stall.expiry';
    const subscribedAt = Date.now();
    await forEachLimited(Array.from({ length: count }), 32, async () => {
      const answer = await server.client.post('/api/subscribe', { subject });
      if (answer.status !== 200) throw new Error(`subscribe: ${answer.status} ${answer.text}`);
    });
    const batches = Array.from({ length: Math.ceil(messages / 1000) }, (_, b) =>
      Array.from({ length: Math.min(1000, messages - b * 1000) }, (_, i) => ({ subject, data: `message ${b * 1000 + i}` })),
    );
    for (const batch of batches) await server.client.post('/api/publish/batch', { messages: batch });
    const setupS = (Date.now() - subscribedAt) / 1000;
    if (setupS > idleS - 2) console.error(`(setup took ${fmt.ms(setupS)} s: expiry began during it)`);
    const metricsUrl = `http://127.0.0.1:${server.metricsPort}/metrics`;
    const probe = await probeFrom(server);
    let started = 0;
    let ended = 0;
    while (!ended) {
      const subscribers = await gauge(metricsUrl, 'gophermq_subscribers');
      if (!started && subscribers < count) started = Date.now();
      if (subscribers === 0) ended = Date.now();
      await sleep(20);
    }
    const samples = await probe.stop();
    return figures(build, `expiry ${count} × ${messages}`, samples, (ended - started) / 1000, server, 'work = first to last subscriber removed');
  } finally {
    await server.stop();
  }
}

async function bigFetch(build: string, cli: string | undefined): Promise<Figures> {
  const server = await startServer('broker', { brokerCli: cli, env: BIG_BACKLOG_ENV });
  try {
    const subject = 'stall.big-fetch';
    const [id] = await controlCharacterBacklog(server, subject, 1);
    const probe = await probeFrom(server);
    await sleep(200);
    const fetcher = new JsonClient(server.url, 1);
    const answer = await fetcher.post<{ data: string[]; remaining: number }>('/api/fetch', { subject, id }, 120_000);
    fetcher.close();
    const samples = await probe.stop();
    const note =
      answer.status === 200
        ? `answer ${fmt.mib(Buffer.byteLength(answer.text))} MiB, ${answer.json().data.length} messages, remaining ${answer.json().remaining ?? 0}`
        : `answer ${answer.status} ${answer.text.slice(0, 80)}`;
    return figures(build, 'big-fetch 394 × 170 KB', samples, answer.elapsedMs / 1000, server, note);
  } finally {
    await server.stop();
  }
}

/** A backlog of 394 messages of 170 KB of control characters on `subject`, for each of `count` subscribers. */
async function controlCharacterBacklog(server: ServerUnderTest, subject: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await server.client.post<{ id: string }>('/api/subscribe', { subject })).json().id);
  const message = '\u0001'.repeat(170_000);
  for (let i = 0; i < 394; i++) {
    const answer = await server.client.post('/api/publish', { subject, data: message });
    if (answer.status !== 200) throw new Error(`publish: ${answer.status} ${answer.text}`);
  }
  return ids;
}

const BIG_BACKLOG_ENV = { GOPHERMQ_BROKER_MAX__PENDING__BYTES: String(512 * 1024 ** 2) };

async function lazyReaders(build: string, cli: string | undefined): Promise<Figures> {
  const server = await startServer('broker', { brokerCli: cli, env: BIG_BACKLOG_ENV });
  const sockets: net.Socket[] = [];
  try {
    const subject = 'stall.lazy-readers';
    const ids = await controlCharacterBacklog(server, subject, 10);
    const probe = await probeFrom(server);
    const { port } = new URL(server.url);
    for (const id of ids) {
      const body = JSON.stringify({ subject, id });
      const socket = net.connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.pause(); // never reads: the answer piles up in the broker
      socket.write(`POST /api/fetch HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      sockets.push(socket);
    }
    await sleep(3000);
    const samples = await probe.stop();
    return figures(build, 'lazy-readers 10 × 394 × 170 KB', samples, 3, server, 'work = the 3 s the readers stall');
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}

/**
 * Peak RSS from /proc (VmHWM), read from outside: a broker stalled by the very work measured
 * cannot answer the probe in time. Elsewhere, from the probe.
 */
async function peakRssBytes(server: ServerUnderTest): Promise<number> {
  try {
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) * 1024;
  } catch {
    return (await server.stats()).maxRssBytes;
  }
}

async function figures(build: string, scenario: string, samples: Samples, workS: number, server: ServerUnderTest, note: string): Promise<Figures> {
  const figures = {
    build,
    scenario,
    readyP50Ms: samples.percentile(50),
    readyP99Ms: samples.percentile(99),
    readyMaxMs: samples.max(),
    loopMaxMs: (await server.stats(false, 120_000)).loopDelayMaxMs,
    workS,
    peakRssBytes: await peakRssBytes(server),
    note,
  };
  console.error(`${scenario}, ${build}: ${JSON.stringify(figures)}`);
  return figures;
}

const builds: Array<[string, string | undefined]> = [['this build', undefined]];
if (flags.compare) builds.push(['compared', flags.compare]);
const only = flags.only?.split(',');
const rows: Figures[] = [];
console.error(`(broker settings: ${Object.entries(BENCH_BROKER_ENV).map(([k, v]) => `${k}=${v}`).join(' ')})`);
for (const [build, cli] of builds) {
  if (!only || only.includes('expiry')) rows.push(await expiry(build, cli, Number(flags.subscribers), Number(flags.messages)));
  if (!only || only.includes('big-fetch')) rows.push(await bigFetch(build, cli));
  if (!only || only.includes('lazy-readers')) rows.push(await lazyReaders(build, cli));
}
console.log(
  markdownTable([
    ['scenario', 'build', '/ready p50 ms', 'p99 ms', 'max ms', 'longest turn ms', 'work s', 'peak RSS MiB', ''],
    ...rows.map((row) => [row.scenario, row.build, fmt.ms(row.readyP50Ms), fmt.ms(row.readyP99Ms), fmt.ms(row.readyMaxMs), fmt.ms(row.loopMaxMs), fmt.ms(row.workS), fmt.mib(row.peakRssBytes), row.note]),
  ]),
);
