/**
 * Event streams (GET /api/stream) against the broker's own long-poll and fetch loop, in the same
 * run, on the same broker: the baseline here is the broker's other way of consuming, not Fastify.
 */
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { JsonClient } from './http-client.js';
import { LONG_POLL_CONSUMERS, LONG_POLL_RATE, longPollRun, subscribeMany, type Row, type Scenario, type Settings, type Subscription } from './scenarios.js';
import { startServer, type ServerUnderTest } from './servers.js';
import { fmt, median, Samples } from './stats.js';

interface RateRun {
  published: number;
  delivered: number;
  errors: number;
  e2e: Samples;
  durationS: number;
}

/** Opens a stream per subscription; each message's data is its send time. Resolves once all are open. */
async function openStreams(server: ServerUnderTest, subs: Subscription[], onMessage: (data: string, now: number) => void): Promise<http.ClientRequest[]> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: subs.length + 8 });
  return Promise.all(
    subs.map(
      ({ subject, id }) =>
        new Promise<http.ClientRequest>((opened, failed) => {
          const request = http.get(`${server.url}/api/stream?subject=${encodeURIComponent(subject)}&id=${id}`, { agent, headers: { accept: 'application/x-ndjson' } }, (response) => {
            if (response.statusCode !== 200) return failed(new Error(`stream answered ${response.statusCode}`));
            let buffer = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              const now = performance.now();
              buffer += chunk;
              let end: number;
              while ((end = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, end);
                buffer = buffer.slice(end + 1);
                if (line.startsWith('{"event":"message"')) onMessage(JSON.parse(line).data, now);
                else if (line.startsWith('{"event":"open"')) opened(request);
              }
            });
          });
          request.on('error', () => {});
        }),
    ),
  );
}

/** As longPollRun, with a stream per consumer instead of a loop of waiting fetches. */
async function streamRun(server: ServerUnderTest, subs: Subscription[], durationS: number, rate: number): Promise<RateRun> {
  const e2e = new Samples();
  let delivered = 0;
  let errors = 0;
  const streams = await openStreams(server, subs, (data, now) => {
    if (data === 'stop') return;
    e2e.add(now - Number(data));
    delivered += 1;
  });
  const producers = new JsonClient(server.url, 32);
  let published = 0;
  let inFlight = 0;
  const publishOne = (subject: string, data: string) => {
    inFlight += 1;
    return producers.post('/api/publish', { subject, data }).then(
      (res) => {
        inFlight -= 1;
        if (res.status !== 200) errors += 1;
      },
      () => {
        inFlight -= 1;
        errors += 1;
      },
    );
  };
  const started = performance.now();
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const elapsedMs = performance.now() - started;
      if (elapsedMs >= durationS * 1000) {
        clearInterval(timer);
        done();
        return;
      }
      const due = Math.floor((elapsedMs / 1000) * rate) - published;
      for (let i = 0; i < due; i++) {
        void publishOne(subs[published % subs.length].subject, String(performance.now()));
        published += 1;
      }
    }, 1);
  });
  while (inFlight > 0) await new Promise((done) => setTimeout(done, 5));
  const deadline = Date.now() + 5000;
  while (delivered < published && Date.now() < deadline) await new Promise((done) => setTimeout(done, 10));
  for (const stream of streams) stream.destroy();
  producers.close();
  return { published, delivered, errors, e2e, durationS: (performance.now() - started) / 1000 };
}

function rateRow(scenario: string, runs: RateRun[], note: string): Row {
  return {
    scenario,
    server: 'broker',
    requestsPerS: NaN,
    messagesPerS: median(runs.map((run) => run.delivered / run.durationS)),
    p50Ms: median(runs.map((run) => run.e2e.percentile(50))),
    p99Ms: median(runs.map((run) => run.e2e.percentile(99))),
    maxMs: Math.max(...runs.map((run) => run.e2e.max())),
    errors: runs.reduce((sum, run) => sum + run.errors + (run.published - run.delivered), 0),
    serverCpuUsPerRequest: NaN,
    peakRssBytes: NaN,
    ratio: NaN,
    note,
  };
}

const streams: Scenario = {
  name: 'streams',
  description: `${LONG_POLL_CONSUMERS} streams receiving ${LONG_POLL_RATE.toLocaleString('en-US')} messages/s against ${LONG_POLL_CONSUMERS} long-polling consumers, alternately on one broker; end-to-end latency publish → receive`,
  async run(settings: Settings) {
    const server = await startServer('broker', settings.start);
    const polls: RateRun[] = [];
    const streamed: RateRun[] = [];
    let peakRss = NaN;
    try {
      const subjects = (kind: string) => Array.from({ length: LONG_POLL_CONSUMERS }, (_, i) => `bench.${kind}.c${i}`);
      const pollSubs = await subscribeMany(server, subjects('poll'));
      const streamSubs = await subscribeMany(server, subjects('stream'));
      await longPollRun(server, pollSubs, settings.warmupS, LONG_POLL_RATE);
      await streamRun(server, streamSubs, settings.warmupS, LONG_POLL_RATE);
      for (let rep = 0; rep < settings.reps; rep++) {
        for (const kind of rep % 2 === 0 ? ['stream', 'poll'] : ['poll', 'stream']) {
          const result = kind === 'poll' ? await longPollRun(server, pollSubs, settings.longPollS, LONG_POLL_RATE) : await streamRun(server, streamSubs, settings.longPollS, LONG_POLL_RATE);
          (kind === 'poll' ? polls : streamed).push(result);
          settings.log(`  ${kind.padEnd(6)} rep ${rep + 1}: ${result.delivered}/${result.published} delivered, e2e p50 ${fmt.ms(result.e2e.percentile(50))} ms, p99 ${fmt.ms(result.e2e.percentile(99))} ms, errors ${result.errors}`);
        }
      }
      peakRss = (await server.stats()).maxRssBytes;
    } finally {
      await server.stop();
    }
    const rows = [
      { ...rateRow(`streams, ${LONG_POLL_CONSUMERS} streams, ${LONG_POLL_RATE}/s (e2e)`, streamed, 'latency = publish sent → message read from the stream'), peakRssBytes: peakRss },
      { ...rateRow(`  same run: long-poll, ${LONG_POLL_CONSUMERS} consumers`, polls, 'the same broker, alternating with the streams'), peakRssBytes: peakRss },
    ];
    return {
      name: this.name,
      rows,
      details: [],
      targets: [
        { target: 'streams e2e p99 ≤ long-poll e2e p99, same run', measured: `${fmt.ms(rows[0].p99Ms)} ms vs ${fmt.ms(rows[1].p99Ms)} ms`, pass: rows[0].p99Ms <= rows[1].p99Ms },
        { target: 'streams: every message delivered, no errors', measured: String(rows[0].errors), pass: rows[0].errors === 0 },
      ],
    };
  },
};

const BACKLOG = 300_000;
const FILL_BATCH = 1000;
const FETCH_MAX = 100;

/** Publishes BACKLOG 16-byte messages to the subscriber's subject. */
async function fill(server: ServerUnderTest, { subject }: Subscription): Promise<void> {
  const client = new JsonClient(server.url, 4);
  const batch = { messages: Array.from({ length: FILL_BATCH }, () => ({ subject, data: 'gophermq-payload' })) };
  const batches = Array.from({ length: BACKLOG / FILL_BATCH });
  await Promise.all(
    [0, 1, 2, 3].map(async (lane) => {
      for (let i = lane; i < batches.length; i += 4) {
        const res = await client.post('/api/publish/batch', batch);
        if (res.status !== 200 || res.text.includes('message')) throw new Error(`fill: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }),
  );
  client.close();
}

/** Seconds a loop of fetches (max=100, one at a time) takes to drain the backlog. */
async function fetchLoop(server: ServerUnderTest, { subject, id }: Subscription): Promise<number> {
  const client = new JsonClient(server.url, 1);
  const started = performance.now();
  let taken = 0;
  while (taken < BACKLOG) {
    const res = await client.post<{ data: string[] }>('/api/fetch', { subject, id, max: FETCH_MAX });
    if (res.status !== 200) throw new Error(`fetch answered ${res.status}`);
    taken += res.json().data.length;
  }
  client.close();
  return (performance.now() - started) / 1000;
}

/** Seconds one stream takes to deliver the backlog, from the request to the last message read. */
async function streamDrain(server: ServerUnderTest, subscription: Subscription): Promise<number> {
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const started = performance.now();
  const [stream] = await openStreams(server, [subscription], () => {
    received += 1;
    if (received === BACKLOG) done();
  });
  await all;
  const seconds = (performance.now() - started) / 1000;
  stream.destroy();
  return seconds;
}

const streamDrainScenario: Scenario = {
  name: 'stream-drain',
  description: `a backlog of ${BACKLOG.toLocaleString('en-US')} 16-byte messages drained by one stream against a loop of fetches (max=${FETCH_MAX}), alternately on one broker`,
  async run(settings: Settings) {
    const limits = { GOPHERMQ_BROKER_MAX__PENDING: String(2 * BACKLOG), GOPHERMQ_BROKER_MAX__PENDING__PER__SUBJECT: String(2 * BACKLOG) };
    const server = await startServer('broker', { ...settings.start, env: { ...settings.start.env, ...limits } });
    const fetchS: number[] = [];
    const streamS: number[] = [];
    let peakRss = NaN;
    try {
      const [subscription] = await subscribeMany(server, ['bench.drain']);
      const reps = Math.max(2, Math.min(settings.reps, 3));
      for (let rep = 0; rep < reps; rep++) {
        for (const kind of rep % 2 === 0 ? ['stream', 'fetch'] : ['fetch', 'stream']) {
          await fill(server, subscription);
          const seconds = kind === 'fetch' ? await fetchLoop(server, subscription) : await streamDrain(server, subscription);
          (kind === 'fetch' ? fetchS : streamS).push(seconds);
          settings.log(`  ${kind.padEnd(6)} rep ${rep + 1}: ${BACKLOG} messages in ${seconds.toFixed(2)} s (${fmt.int(BACKLOG / seconds)} msg/s)`);
        }
      }
      peakRss = (await server.stats()).maxRssBytes;
    } finally {
      await server.stop();
    }
    const row = (scenario: string, seconds: number[], note: string): Row => ({
      scenario,
      server: 'broker',
      requestsPerS: NaN,
      messagesPerS: median(seconds.map((s) => BACKLOG / s)),
      p50Ms: median(seconds) * 1000,
      p99Ms: NaN,
      maxMs: Math.max(...seconds) * 1000,
      errors: 0,
      serverCpuUsPerRequest: NaN,
      peakRssBytes: peakRss,
      ratio: NaN,
      note,
    });
    const rows = [
      row(`stream-drain: one stream, ${BACKLOG} backlog`, streamS, 'p50 ms = median time to drain the whole backlog'),
      row(`  same run: fetch loop, max=${FETCH_MAX}`, fetchS, 'one fetch at a time, as a simple consumer loops'),
    ];
    const ratio = rows[0].messagesPerS / rows[1].messagesPerS;
    return {
      name: this.name,
      rows,
      details: [],
      targets: [{ target: `one stream drains a ${BACKLOG} backlog ≥ 2× the fetch loop (max=${FETCH_MAX})`, measured: `${ratio.toFixed(2)}×`, pass: ratio >= 2 }],
    };
  },
};

const MANY_STREAMS = 10_000;

/** Opens `count` raw NDJSON streams of ephemeral subscribers on `subject`; each socket counts the messages it reads. */
async function rawStreams(port: number, subject: string, count: number, onMessage: () => void): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const head = `GET /api/stream?subject=${encodeURIComponent(subject)} HTTP/1.1\r\nhost: bench\r\naccept: application/x-ndjson\r\n\r\n`;
  for (let opened = 0; opened < count; opened += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - opened) }, () => new Promise<void>((ready, failed) => {
        const socket = connect(port, '127.0.0.1');
        socket.setEncoding('utf8');
        let open = false;
        socket.on('data', (chunk: string) => {
          if (!open && chunk.includes('"event":"open"')) {
            open = true;
            ready();
          }
          for (let at = chunk.indexOf('"event":"message"'); at >= 0; at = chunk.indexOf('"event":"message"', at + 1)) onMessage();
        });
        socket.on('error', failed);
        socket.on('connect', () => socket.write(head));
        sockets.push(socket);
      })),
    );
  }
  return sockets;
}

const manyStreams: Scenario = {
  name: 'streams-10k',
  description: `${MANY_STREAMS.toLocaleString('en-US')} open streams on one broker: memory per stream, a publish reaching all of them, the longest event-loop turn`,
  async run(settings: Settings) {
    const env = { GOPHERMQ_BROKER_STREAM__HEARTBEAT: '5' };
    const server = await startServer('broker', { ...settings.start, nodeArgs: [...(settings.start.nodeArgs ?? []), '--expose-gc'], env: { ...settings.start.env, ...env } });
    const port = Number(new URL(server.url).port);
    let received = 0;
    const rows: Row[] = [];
    const deliveries: number[] = [];
    let perStreamBytes = NaN;
    let loopMaxMs = NaN;
    let busiestCpuMs = NaN;
    let sockets: Socket[] = [];
    try {
      const before = await server.stats(true);
      sockets = await rawStreams(port, 'bench.many', MANY_STREAMS, () => (received += 1));
      await new Promise((done) => setTimeout(done, 500));
      const after = await server.stats(true, 30_000, true);
      perStreamBytes = (after.rssBytes - before.rssBytes) / MANY_STREAMS;
      settings.log(`  ${MANY_STREAMS} streams open: RSS +${fmt.mib(after.rssBytes - before.rssBytes)} MiB (${fmt.int(perStreamBytes)} B per stream), heap +${fmt.mib(after.heapUsedBytes - before.heapUsedBytes)} MiB`);
      for (let rep = 0; rep < settings.reps; rep++) {
        const target = received + MANY_STREAMS;
        const started = performance.now();
        const res = await server.client.post('/api/publish', { subject: 'bench.many', data: `to all ${rep}` });
        if (res.status !== 200) throw new Error(`publish answered ${res.status}`);
        while (received < target) await new Promise((done) => setImmediate(done));
        deliveries.push(performance.now() - started);
        settings.log(`  publish → all ${MANY_STREAMS} streams: ${fmt.ms(deliveries[rep])} ms`);
      }
      // Keep-alives of every stream (heartbeat 5 s) happen in this window too.
      await new Promise((done) => setTimeout(done, 6000));
      const end = await server.stats(false);
      loopMaxMs = end.loopDelayMaxMs;
      busiestCpuMs = end.busiestTurnCpuMs;
      settings.log(`  longest event-loop delay meanwhile (1 ms timer): ${fmt.ms(loopMaxMs)} ms; busiest turn: ${fmt.ms(busiestCpuMs)} ms of CPU in ${fmt.ms(end.busiestTurnWallMs)} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.stop();
    }
    rows.push({
      scenario: `streams-10k: ${MANY_STREAMS} open streams, one publish to all`,
      server: 'broker',
      requestsPerS: NaN,
      messagesPerS: MANY_STREAMS / (median(deliveries) / 1000),
      p50Ms: median(deliveries),
      p99Ms: NaN,
      maxMs: Math.max(...deliveries),
      errors: 0,
      serverCpuUsPerRequest: NaN,
      peakRssBytes: NaN,
      ratio: NaN,
      note: `p50 ms = publish → the message read on all ${MANY_STREAMS} streams; ${fmt.int(perStreamBytes)} bytes of RSS per open stream; longest event-loop delay ${fmt.ms(loopMaxMs)} ms, busiest turn ${fmt.ms(busiestCpuMs)} ms of CPU`,
    });
    return {
      name: this.name,
      rows,
      details: [],
      targets: [{ target: `${MANY_STREAMS} streams open on one broker, each receiving a publish`, measured: `${fmt.int(perStreamBytes)} B/stream, ${fmt.ms(median(deliveries))} ms to all`, pass: Number.isFinite(perStreamBytes) && deliveries.length > 0 }],
    };
  },
};

export const STREAM_SCENARIOS: Scenario[] = [streams, streamDrainScenario, manyStreams];
