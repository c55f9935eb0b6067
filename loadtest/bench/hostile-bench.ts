/**
 * What hostile but well-formed requests cost the broker, and what they cost everyone else:
 *
 * 1. Bodies that are cheap to send and dear to answer, sent flat out on 4 connections: a batch of
 *    36,000 invalid entries (72,000 failed fields) and one of 1,000, 1 MiB of `[[[…]]]`, of
 *    `{"a":{"a":…}}`, of shallow `[[[[]]]],…` and of `[0,0,…]`.
 *    Reported: the hostile requests/s and answer size, and the latency of `GET /ready` asked
 *    meanwhile by one client every 10 ms (what every other client feels).
 * 2. 4 connections that pipeline `GET /docs/swagger-ui-bundle.js` and never read: the server's
 *    RSS over 8 s (stopped at 1.5 GiB), whether it closed them, and `/ready` meanwhile.
 * 3. 2,000 uploads cut short (the headers of a 100,000-byte publish, half its body, then close):
 *    how long they took and gophermq_requests_aborted_total. The broker's log goes to this
 *    process's output, where error lines (and stacks) can be counted.
 *
 * Each build runs in a fresh `node dist/cli.js broker`: this repository's, and with --before the
 * build of another checkout, for a before/after table with ratios.
 *   npm run bench:hostile -- --before=<before>/dist/cli.js
 */
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, startServer, type ServerUnderTest } from './servers.js';
import { fmt, markdownTable, Samples } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    before: { type: 'string' },
    duration: { type: 'string', default: '5' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log('node loadtest/bench/dist/hostile-bench.js [--before=<other build>/dist/cli.js] [--duration=<s per hostile run, default 5>]');
  process.exit(0);
}

const MiB = 1024 * 1024;
const DURATION_S = Number(flags.duration);
const FLOOD_S = 8;
const RSS_STOP = 1.5 * 1024 * MiB;

const HOSTILE_BODIES: Array<{ name: string; path: string; body: string }> = [
  {
    name: 'batch of 36,000 invalid entries',
    path: '/api/publish/batch',
    body: JSON.stringify({ messages: Array.from({ length: 36_000 }, () => ({ subject: '', data: 1 })) }),
  },
  {
    name: 'batch of 1,000 invalid entries',
    path: '/api/publish/batch',
    body: JSON.stringify({ messages: Array.from({ length: 1000 }, () => ({ subject: '', data: 1 })) }),
  },
  { name: '1 MiB of [[[…]]]', path: '/api/publish', body: '['.repeat(MiB / 2) + ']'.repeat(MiB / 2) },
  { name: '1 MiB of {"a":{"a":…}}', path: '/api/publish', body: '{"a":'.repeat(MiB / 6) + '1' + '}'.repeat(MiB / 6) },
  { name: '1 MiB of [[[[]]]],… (shallow)', path: '/api/publish', body: `[${Array(Math.floor(MiB / 9)).fill('[[[[]]]]').join(',')}]` },
  { name: '1 MiB of [0,0,…]', path: '/api/publish', body: `[${Array(MiB / 2 - 1).fill('0').join(',')}]` },
];

interface Build {
  label: string;
  cli?: string;
}

/** Asks GET /ready every 10 ms until stopped; the latencies are what other clients feel. */
class ReadyProbe {
  readonly latencies = new Samples();
  /** Requests that got no answer (the server closed the connection or died). */
  failures = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(server: ServerUnderTest) {
    this.done = (async () => {
      while (this.running) {
        try {
          const answer = await server.client.get('/ready', 30_000);
          this.latencies.add(answer.elapsedMs);
        } catch {
          this.failures += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
  }

  async stop(): Promise<Samples> {
    this.running = false;
    await this.done;
    return this.latencies;
  }
}

interface HostileResult {
  requestsPerS: number;
  statuses: string;
  answerBytes: number;
  readyP50: number;
  readyP99: number;
  readyMax: number;
}

async function hostileRun(build: Build, scenario: (typeof HOSTILE_BODIES)[number]): Promise<HostileResult> {
  const server = await startServer('broker', { brokerCli: build.cli });
  try {
    const sample = await fetch(server.url + scenario.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: scenario.body });
    const answerBytes = (await sample.arrayBuffer()).byteLength;
    const probe = new ReadyProbe(server);
    const result = await autocannon({
      url: server.url + scenario.path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: scenario.body,
      connections: 4,
      duration: DURATION_S,
      timeout: 60,
    });
    const ready = await probe.stop();
    const statuses = Object.entries(result.statusCodeStats ?? {})
      .map(([code, { count }]) => `${code}×${count}`)
      .join(' ');
    return {
      requestsPerS: result.requests.total / result.duration,
      statuses,
      answerBytes,
      readyP50: ready.percentile(50),
      readyP99: ready.percentile(99),
      readyMax: ready.max(),
    };
  } finally {
    await server.stop();
  }
}

interface FloodResult {
  /** How the server ended the run, when it did not survive it. */
  died?: string;
  rssStart: number;
  rssPeak: number;
  rssEnd: number;
  seconds: number;
  closedByServer: number;
  readyP50: number;
  readyP99: number;
  readyFailures: number;
}

async function floodRun(build: Build): Promise<FloodResult> {
  const server = await startServer('broker', { brokerCli: build.cli });
  const port = Number(new URL(server.url).port);
  const sockets: Socket[] = [];
  /** Sockets this benchmark closed itself, so that their 'close' is not counted as the server's. */
  const ours = new Set<Socket>();
  let closedByServer = 0;
  try {
    const rssStart = (await server.stats()).rssBytes;
    const request = 'GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: bench\r\n\r\n'.repeat(1000);
    for (let i = 0; i < 4; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.pause(); // never read
      const pump = () => {
        while (!socket.destroyed && socket.write(request));
      };
      socket.on('connect', pump).on('drain', pump).on('error', () => {});
      socket.on('close', () => (closedByServer += ours.has(socket) ? 0 : 1));
      sockets.push(socket);
    }
    const probe = new ReadyProbe(server);
    const started = performance.now();
    let rssPeak = rssStart;
    let rssEnd = rssStart;
    let died: string | undefined;
    void server.whenExited().then((code) => (died ??= `exited with code ${code}`));
    while (performance.now() - started < FLOOD_S * 1000 && rssEnd < RSS_STOP && died === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      try {
        rssEnd = (await server.stats(false, 5000)).rssBytes;
        rssPeak = Math.max(rssPeak, rssEnd);
      } catch (error) {
        died ??= (error as Error).message;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    for (const socket of sockets) {
      ours.add(socket);
      socket.destroy();
    }
    const ready = await probe.stop();
    return { died, rssStart, rssPeak, rssEnd, seconds, closedByServer, readyP50: ready.percentile(50), readyP99: ready.percentile(99), readyFailures: probe.failures };
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}

const builds: Build[] = [...(flags.before ? [{ label: 'before', cli: flags.before }] : []), { label: 'this build' }];

console.log(`Hostile bodies: 4 connections × ${DURATION_S} s each, GET /ready every 10 ms meanwhile.\n`);
const hostileRows = [['body', 'build', 'hostile req/s', 'statuses', 'answer bytes', '/ready p50 ms', '/ready p99 ms', '/ready max ms']];
const ratios = [['body', 'req/s after/before', '/ready p50 before/after', '/ready p99 before/after']];
for (const scenario of HOSTILE_BODIES) {
  const results: HostileResult[] = [];
  for (const build of builds) {
    const result = await hostileRun(build, scenario);
    results.push(result);
    hostileRows.push([
      scenario.name,
      build.label,
      fmt.ratio(result.requestsPerS),
      result.statuses,
      fmt.int(result.answerBytes),
      fmt.ms(result.readyP50),
      fmt.ms(result.readyP99),
      fmt.ms(result.readyMax),
    ]);
  }
  if (results.length === 2) {
    const [before, after] = results;
    ratios.push([
      scenario.name,
      fmt.ratio(after.requestsPerS / before.requestsPerS),
      fmt.ratio(before.readyP50 / after.readyP50),
      fmt.ratio(before.readyP99 / after.readyP99),
    ]);
  }
}
console.log(markdownTable(hostileRows));
if (ratios.length > 1) console.log('\n' + markdownTable(ratios));

console.log(`\nPipelining without reading: 4 connections × GET /docs/swagger-ui-bundle.js, up to ${FLOOD_S} s (stopped at ${fmt.mib(RSS_STOP)} MiB RSS).\n`);
const floodRows = [['build', 'RSS start MiB', 'RSS peak MiB', 'RSS growth MiB', 'after s', 'connections closed by the server', '/ready p50 ms', '/ready p99 ms', '/ready failed', 'server']];
for (const build of builds) {
  const result = await floodRun(build);
  floodRows.push([
    build.label,
    fmt.mib(result.rssStart),
    fmt.mib(result.rssPeak),
    fmt.mib(result.rssPeak - result.rssStart),
    result.seconds.toFixed(1),
    `${result.closedByServer} of 4`,
    fmt.ms(result.readyP50),
    fmt.ms(result.readyP99),
    String(result.readyFailures),
    result.died ?? 'alive',
  ]);
}
console.log(markdownTable(floodRows));

interface AbortResult {
  ms: number;
  counted: string;
}

async function abortRun(build: Build, uploads = 2000, concurrency = 20): Promise<AbortResult> {
  const metricsPort = await freePort();
  const server = await startServer('broker', { brokerCli: build.cli, env: { GOPHERMQ_MONITORING_PORT: String(metricsPort) } });
  try {
    const port = Number(new URL(server.url).port);
    const head = 'POST /api/publish HTTP/1.1\r\nHost: bench\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n';
    const halfBody = '{"subject":"a","data":"' + 'x'.repeat(50_000);
    const started = performance.now();
    let next = 0;
    const one = (): Promise<void> =>
      new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(head + halfBody, () => socket.destroy()));
        socket.on('close', () => resolve()).on('error', () => {});
      });
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < uploads) await one();
      }),
    );
    const ms = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the broker finish logging
    const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const counted = /^gophermq_requests_aborted_total (\d+)$/m.exec(scrape)?.[1] ?? 'not exported';
    return { ms, counted };
  } finally {
    await server.stop();
  }
}

console.log('\nAborted uploads: 2,000, 20 at a time.\n');
const abortRows = [['build', 'ms for 2,000', 'gophermq_requests_aborted_total']];
for (const build of builds) {
  const result = await abortRun(build);
  abortRows.push([build.label, fmt.int(result.ms), result.counted]);
}
console.log(markdownTable(abortRows));
