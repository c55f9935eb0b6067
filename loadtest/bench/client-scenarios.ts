/**
 * The client package and the command line, each against a baseline in the same run, on a broker of
 * their own (the bench process is the client: it is pinned to the other CPUs, the broker to the last):
 *   client-cost     client CPU per publish: the client on Node against node:http with a keep-alive agent
 *   client-consume  consume() (acknowledged, concurrency 20; polling, and streaming) against a raw fetch+ack loop
 *                   (and a raw loop whose fetch carries the last batch's acks)
 *   cli-pub         `gophermq pub` reading 100,000 lines from standard input, against the same batches sent
 *                   in process one at a time, and (--cli-before) another build of the command
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { FetchTransport, GopherMQ, type Subscription } from '@gophermq/client';
import type { Row, Scenario, ScenarioReport, Settings } from './scenarios.js';
import { REPO_ROOT, startServer, type ServerUnderTest } from './servers.js';
import { fmt, median } from './stats.js';

const PAYLOAD = 'gophermq-payload';

function row(scenario: string, messagesPerS: number, note: string, ratio = NaN): Row {
  return { scenario, server: 'broker', requestsPerS: NaN, messagesPerS, p50Ms: NaN, p99Ms: NaN, maxMs: NaN, errors: 0, serverCpuUsPerRequest: NaN, peakRssBytes: NaN, ratio, note };
}

async function withBroker<T>(settings: Settings, work: (broker: ServerUnderTest) => Promise<T>): Promise<T> {
  const broker = await startServer('broker', settings.start);
  try {
    return await work(broker);
  } finally {
    await broker.stop();
  }
}

/** Publishes `count` messages over `connections` loops, answering this process's CPU µs per publish and publishes/s. */
async function publishLoop(count: number, connections: number, publish: () => Promise<void>): Promise<{ cpuUs: number; perS: number }> {
  let left = count;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left-- > 0) await publish();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / count, perS: count / seconds };
}

/** The yardstick: node:http with a keep-alive agent, the body built by hand, the answer read and parsed. */
function rawPublisher(url: string, subject: string): { publish: () => Promise<void>; close: () => void } {
  const agent = new Agent({ keepAlive: true });
  const { hostname, port } = new URL(url);
  const publish = () =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ subject, data: PAYLOAD });
      const outgoing = request({ hostname, port, path: '/api/publish', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (answer) => {
        answer.setEncoding('utf8');
        let text = '';
        answer.on('data', (chunk: string) => (text += chunk));
        answer.on('end', () => (answer.statusCode === 200 && JSON.parse(text).status === 'ok' ? resolve() : reject(new Error(`${answer.statusCode} ${text}`))));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  return { publish, close: () => agent.destroy() };
}

const clientCost: Scenario = {
  name: 'client-cost',
  description: 'client CPU per publish (16 bytes, 20 connections): @gophermq/client on Node (node:http transport) and with the fetch() transport, against node:http with a keep-alive agent, alternating',
  async run(settings): Promise<ScenarioReport> {
    const count = settings.long ? 60_000 : 15_000;
    return withBroker(settings, async (broker) => {
      const subject = 'bench.client.cost';
      const mq = new GopherMQ({ url: broker.url });
      const viaFetch = new GopherMQ({ url: broker.url, transport: new FetchTransport(broker.url) });
      const raw = rawPublisher(broker.url, subject);
      const sub = await mq.subscribe(subject);
      const kinds = {
        'node:http + keep-alive agent': raw.publish,
        'client (node:http transport)': () => mq.publish(subject, PAYLOAD),
        'client (fetch() transport)': () => viaFetch.publish(subject, PAYLOAD),
      };
      type Kind = keyof typeof kinds;
      const names = Object.keys(kinds) as Kind[];
      const runs = Object.fromEntries(names.map((name) => [name, [] as Array<{ cpuUs: number; perS: number }>])) as Record<Kind, Array<{ cpuUs: number; perS: number }>>;
      for (const name of names) await publishLoop(count / 3, settings.connections, kinds[name]); // warm-up
      for (let rep = 0; rep < settings.reps; rep++) {
        for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
          const run = await publishLoop(count, settings.connections, kinds[name]);
          runs[name].push(run);
          settings.log(`  client-cost ${name.padEnd(30)} rep ${rep + 1}: ${run.cpuUs.toFixed(1)} µs client CPU/publish, ${fmt.int(run.perS)} publishes/s`);
          // Drain between runs, so the broker's pending count stays small.
          while ((await mq.fetch(sub, { max: 10_000 })).data.length > 0);
        }
      }
      mq.close();
      viaFetch.close();
      raw.close();
      const ratioOf = (name: Kind) => median(runs[name].map((run, i) => run.cpuUs / runs['node:http + keep-alive agent'][i].cpuUs));
      const rows = names.map((name) =>
        row(
          `publish, client CPU: ${name}`,
          median(runs[name].map((run) => run.perS)),
          `${median(runs[name].map((run) => run.cpuUs)).toFixed(1)} µs client CPU per publish` + (name === names[0] ? '' : `; ${fmt.ratio(ratioOf(name))} × node:http's`),
        ),
      );
      const ratio = ratioOf('client (node:http transport)');
      return { name: this.name, rows, details: [], targets: [{ target: 'client CPU per publish on Node ≤ 1.5 × node:http with keep-alive', measured: fmt.ratio(ratio), pass: ratio <= 1.5 }] };
    });
  },
};

/** Fills the named acknowledged subscriber with `backlog` messages by batches of 1000. */
async function fill(mq: GopherMQ, subject: string, backlog: number): Promise<void> {
  const batch = Array.from({ length: 1000 }, () => ({ subject, data: PAYLOAD }));
  for (let sent = 0; sent < backlog; sent += batch.length) await mq.publishBatch(batch);
}

const clientConsume: Scenario = {
  name: 'client-consume',
  description: 'consume() (acknowledged, concurrency 20, a handler that returns at once) draining a backlog, polling and with stream: true, against 20 raw loops of fetch max=100 + ack (and 20 raw loops carrying the acks on the next fetch, lean answer), in turn',
  async run(settings): Promise<ScenarioReport> {
    const backlog = settings.long ? 300_000 : 100_000;
    return withBroker(settings, async (broker) => {
      const mq = new GopherMQ({ url: broker.url, retry: false });
      let round = 0;
      const modes = {
        'raw fetch+ack loop': (subject: string) =>
          rawLoops(subject, async (sub) => {
            for (let handled = 0; ; ) {
              const { messages } = await mq.fetch(sub, { max: 100 });
              if (!messages || messages.length === 0) return handled;
              handled += messages.length;
              await mq.ack(sub, messages.map((message) => message.seq));
            }
          }),
        // The same loops sending one request per batch: each fetch carries the acks of the last, and
        // asks for the lean answer (seqs beside data), as consume() does since 2026-12-04.
        'raw fetch loop, acks on the next fetch': (subject: string) =>
          rawLoops(subject, async (sub) => {
            let ack: number[] = [];
            for (let handled = 0; ; ) {
              const { data, seqs } = await mq.fetch(sub, { max: 100, ack, lean: true });
              if (data.length === 0) return handled; // that fetch acked the last batch
              handled += data.length;
              ack = seqs!;
            }
          }),
        'consume(), concurrency 20': (subject: string) => consumeRun(subject, false),
        'consume(), concurrency 20, stream': (subject: string) => consumeRun(subject, true),
      };
      /** `settings.connections` loops draining one acknowledged subscriber's backlog; each answers how many it handled. */
      async function rawLoops(subject: string, loop: (sub: Subscription) => Promise<number>): Promise<{ handled: number; seconds: number }> {
        // Room in flight for every loop's batch: with the default maxAckPending (1000) half of the 20
        // loops found none on their first fetch and ended (before 2026-12-04 they ran with 10).
        const sub = await mq.subscribe(subject, { name: 'raw', ackWaitMs: 600_000, maxAckPending: settings.connections * 100 });
        await fill(mq, subject, backlog);
        const started = performance.now();
        const counts = await Promise.all(Array.from({ length: settings.connections }, () => loop(sub)));
        return { handled: counts.reduce((sum, count) => sum + count, 0), seconds: (performance.now() - started) / 1000 };
      }
      async function consumeRun(subject: string, stream: boolean): Promise<{ handled: number; seconds: number }> {
        const sub = await mq.subscribe(subject, { name: 'consume', ackWaitMs: 600_000, maxAckPending: settings.connections * 100 });
        await fill(mq, subject, backlog);
        const started = performance.now();
        let handled = 0;
        let finished = 0;
        const consumer = mq.consume(sub, () => {
          if (++handled === backlog) finished = performance.now();
        }, { concurrency: 20, stream, prefetch: process.env.PREFETCH ? Number(process.env.PREFETCH) : undefined, polls: process.env.POLLS ? Number(process.env.POLLS) : undefined });
        while (handled < backlog) await new Promise((resolve) => setTimeout(resolve, 5));
        await consumer.stop();
        return { handled, seconds: (finished - started) / 1000 };
      }
      type Mode = keyof typeof modes;
      const names = Object.keys(modes) as Mode[];
      const runs = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Mode, number[]>;
      for (const name of names) await modes[name](`bench.consume.warm.${round++}`);
      for (let rep = 0; rep < settings.reps; rep++) {
        for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
          const { handled, seconds } = await modes[name](`bench.consume.${round++}`);
          runs[name].push(handled / seconds);
          settings.log(`  client-consume ${name.padEnd(38)} rep ${rep + 1}: ${fmt.int(handled / seconds)} msg/s`);
        }
      }
      mq.close();
      const ratiosOf = (name: Mode) => runs[name].map((perS, i) => perS / runs['raw fetch+ack loop'][i]);
      const ratios = ratiosOf('consume(), concurrency 20');
      const streamRatios = ratiosOf('consume(), concurrency 20, stream');
      const ratio = median(ratios);
      return {
        name: this.name,
        rows: [
          row(`drain ${fmt.int(backlog)} acknowledged: consume(), concurrency 20`, median(runs['consume(), concurrency 20']), `${fmt.ratio(ratio)} × the raw loop's msg/s (per repetition: ${ratios.map(fmt.ratio).join(', ')})`),
          row(
            `drain ${fmt.int(backlog)} acknowledged: consume(), concurrency 20, stream: true`,
            median(runs['consume(), concurrency 20, stream']),
            `${fmt.ratio(median(streamRatios))} × the raw loop's msg/s (per repetition: ${streamRatios.map(fmt.ratio).join(', ')})`,
          ),
          row(`drain ${fmt.int(backlog)} acknowledged: raw fetch max=100 + ack, 20 loops`, median(runs['raw fetch+ack loop']), ''),
          row(
            `drain ${fmt.int(backlog)} acknowledged: raw fetch max=100 carrying the last batch's acks, lean answer, 20 loops`,
            median(runs['raw fetch loop, acks on the next fetch']),
            `${fmt.ratio(median(ratiosOf('raw fetch loop, acks on the next fetch')))} × the fetch+ack loop's msg/s; consume() ${fmt.ratio(median(runs['consume(), concurrency 20'].map((perS, i) => perS / runs['raw fetch loop, acks on the next fetch'][i])))} × this loop's`,
          ),
        ],
        details: [],
        targets: [{ target: 'consume() (acknowledged, concurrency 20) ≥ 0.9 × the raw fetch+ack loop msg/s', measured: fmt.ratio(ratio), pass: ratio >= 0.9 }],
      };
    });
  },
};

/** Runs the command with `input` on its standard input; answers its exit code and seconds from spawn to exit. */
async function timedCommand(args: string[], input: string | undefined): Promise<{ code: number | null; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, seconds: (performance.now() - started) / 1000 };
}

const cliPub: Scenario = {
  name: 'cli-pub',
  description:
    '`gophermq pub SUBJECT` with 100,000 lines on standard input, the whole command timed, start-up included; against, in turn, this process sending the same batches of 1000 one at a time (the ordered client without start-up), `gophermq --version` (the start-up), and with --cli-before=<dist/cli.js> that build of the command',
  async run(settings): Promise<ScenarioReport> {
    const lines = 100_000;
    return withBroker(settings, async (broker) => {
      const mq = new GopherMQ({ url: broker.url });
      const subject = 'bench.cli.pub';
      const sub = await mq.subscribe(subject);
      const text = Array.from({ length: lines }, (_, i) => String(i + 1));
      const input = `${text.join('\n')}\n`;
      const batches = Array.from({ length: lines / 1000 }, (_, b) => text.slice(b * 1000, (b + 1) * 1000).map((data) => ({ subject, data })));
      const published = async (seconds: number, code: number | null = 0) => {
        let received = 0;
        for (let got = -1; got !== 0; received += got) got = (await mq.fetch(sub, { max: 10_000 })).data.length;
        if (code !== 0 || received !== lines) throw new Error(`exited ${code}, ${received} of ${lines} messages arrived`);
        return lines / seconds;
      };
      const command = (cli: string) => async () => {
        const { code, seconds } = await timedCommand([cli, 'pub', subject, '--url', broker.url], input);
        return published(seconds, code);
      };
      const kinds: Record<string, () => Promise<number>> = {
        'gophermq pub': command(join(REPO_ROOT, 'dist/cli.js')),
        ...(settings.cliBefore !== undefined && { 'gophermq pub, --cli-before build': command(settings.cliBefore) }),
        'in process, batches of 1000 one at a time': async () => {
          const started = performance.now();
          for (const batch of batches) await mq.publishBatch(batch);
          return published((performance.now() - started) / 1000);
        },
        // The fixed cost in the command's figure: Node and the command's modules starting, as msg/s of 100,000 lines.
        'start-up only (gophermq --version)': async () => lines / (await timedCommand([join(REPO_ROOT, 'dist/cli.js'), '--version'], undefined)).seconds,
      };
      const names = Object.keys(kinds);
      const runs = Object.fromEntries(names.map((name) => [name, [] as number[]]));
      for (const name of names) await kinds[name](); // warm-up: the broker, and the files in the page cache
      for (let rep = 0; rep < settings.reps; rep++) {
        for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
          const rate = await kinds[name]();
          runs[name].push(rate);
          settings.log(`  cli-pub ${name.padEnd(42)} rep ${rep + 1}: ${fmt.int(rate)} msg/s (${(lines / rate).toFixed(2)} s)`);
        }
      }
      mq.close();
      const rate = median(runs['gophermq pub']);
      const ratioTo = (name: string) => median(runs['gophermq pub'].map((perS, i) => perS / runs[name][i]));
      const rows = [
        row(`seq 100000 piped to gophermq pub (${settings.reps} runs)`, rate, `per run: ${runs['gophermq pub'].map(fmt.int).join(', ')} msg/s; ${fmt.ratio(ratioTo('in process, batches of 1000 one at a time'))} × the in-process loop's`),
        ...(settings.cliBefore !== undefined
          ? [row(`seq 100000 piped to gophermq pub of ${settings.cliBefore}`, median(runs['gophermq pub, --cli-before build']), `this build ${fmt.ratio(ratioTo('gophermq pub, --cli-before build'))} × that build's msg/s`)]
          : []),
        row('100,000 messages in batches of 1000 one at a time, in process', median(runs['in process, batches of 1000 one at a time']), ''),
        row('gophermq --version, as 100,000 / its seconds', median(runs['start-up only (gophermq --version)']), `start-up ${(lines / median(runs['start-up only (gophermq --version)'])).toFixed(2)} s`),
      ];
      return {
        name: this.name,
        rows,
        details: [],
        targets: [{ target: 'gophermq pub from standard input ≥ 50,000 msg/s', measured: fmt.int(rate), pass: rate >= 50_000 }],
      };
    });
  },
};

export const CLIENT_SCENARIOS: Scenario[] = [clientCost, clientConsume, cliPub];
