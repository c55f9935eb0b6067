/**
 * Webhook subscriptions under load: a push subscriber (pushConcurrency 10) delivering to a receiver
 * in this process that answers 204, while producers publish 2,000 messages/s. Its comparison in the
 * same run, on the same broker: ten acknowledged long-poll consumers (fetch waitMs, max 10, then
 * ack), what a client would run to consume the same stream without push.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JsonClient } from './http-client.js';
import { atRate, orderFor, type Row, type Scenario } from './scenarios.js';
import { startServer, type ServerUnderTest } from './servers.js';
import { fmt, median, Samples } from './stats.js';

export const PUSH_RATE = 2000;
export const PUSH_CONCURRENCY = 10;

interface PushRun {
  published: number;
  delivered: number;
  errors: number;
  e2e: Samples;
  durationS: number;
  /** From the last publish to the last delivery. */
  drainMs: number;
}

type Mode = 'push' | 'pull';

/** Counts what reaches it: each body's data is its publish time on this process's clock. */
class Receiver {
  delivered = 0;
  lastAtMs = 0;
  e2e = new Samples();
  private constructor(readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.keepAliveTimeout = 60_000;
    server.on('request', (request, response) => {
      let raw = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (raw += chunk));
      request.on('end', () => {
        const { data } = JSON.parse(raw) as { data: string };
        receiver.took(data);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  took(data: string): void {
    if (data === 'warm') return;
    const now = performance.now();
    this.e2e.add(now - Number(data));
    this.delivered += 1;
    this.lastAtMs = now;
  }

  reset(): void {
    this.delivered = 0;
    this.e2e = new Samples();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

/** Ten long-poll consumers of an acknowledged subscriber: fetch up to 10, ack them, again. */
function pullConsumers(server: ServerUnderTest, subject: string, id: string, receiver: Receiver, running: () => boolean): { done: Promise<void>; errors: () => number } {
  const client = new JsonClient(server.url, PUSH_CONCURRENCY + 2);
  let errors = 0;
  const loops = Array.from({ length: PUSH_CONCURRENCY }, async () => {
    while (running()) {
      const res = await client.post<{ messages?: Array<{ seq: number; data: string }> }>('/api/fetch', { subject, id, max: 10, waitMs: 1000 }).catch(() => undefined);
      if (!res || res.status !== 200) {
        errors += 1;
        continue;
      }
      const messages = res.json().messages ?? [];
      if (messages.length === 0) continue;
      for (const { data } of messages) receiver.took(data);
      const ack = await client.post('/api/ack', { subject, id, seqs: messages.map(({ seq }) => seq) }).catch(() => undefined);
      if (!ack || ack.status !== 200) errors += 1;
    }
  });
  return { done: Promise.all(loops).then(() => client.close()), errors: () => errors };
}

/** Publishes `rate` messages/s for `durationS`, each carrying its send time; then waits (≤ 10 s) for the receiver to have them all. */
async function runAtRate(server: ServerUnderTest, subject: string, receiver: Receiver, durationS: number): Promise<Omit<PushRun, 'errors'> & { publishErrors: number }> {
  receiver.reset();
  const producers = new JsonClient(server.url, 32);
  let published = 0;
  let inFlight = 0;
  let publishErrors = 0;
  const started = performance.now();
  await atRate(PUSH_RATE, durationS, started, () => {
    inFlight += 1;
    published += 1;
    producers.post('/api/publish', { subject, data: String(performance.now()) }).then(
      (res) => {
        inFlight -= 1;
        if (res.status !== 200) publishErrors += 1;
      },
      () => {
        inFlight -= 1;
        publishErrors += 1;
      },
    );
  });
  while (inFlight > 0) await new Promise((done) => setTimeout(done, 2));
  const lastPublishMs = performance.now();
  const deadline = lastPublishMs + 10_000;
  while (receiver.delivered < published - publishErrors && performance.now() < deadline) await new Promise((done) => setTimeout(done, 2));
  producers.close();
  return { published, delivered: receiver.delivered, publishErrors, e2e: receiver.e2e, durationS: (lastPublishMs - started) / 1000, drainMs: Math.max(0, receiver.lastAtMs - lastPublishMs) };
}

export const pushScenario: Scenario = {
  name: 'push',
  description: `a push subscriber (pushConcurrency ${PUSH_CONCURRENCY}) delivering to a local receiver that answers 204, ${PUSH_RATE.toLocaleString('en-US')} messages/s published; against ${PUSH_CONCURRENCY} acknowledged long-poll consumers on the same broker`,
  async run(settings) {
    const receiver = await Receiver.start();
    const server = await startServer('broker', { ...settings.start, env: { ...settings.start.env, GOPHERMQ_PUSH_ALLOWED__URLS: receiver.url } });
    const results: Record<Mode, PushRun[]> = { push: [], pull: [] };
    let peakRss = 0;
    try {
      const subjects: Record<Mode, string> = { push: 'bench.push.push', pull: 'bench.push.pull' };
      const pushed = await server.client.post<{ id: string }>('/api/subscribe', { subject: subjects.push, pushUrl: receiver.url, pushConcurrency: PUSH_CONCURRENCY });
      const pulled = await server.client.post<{ id: string }>('/api/subscribe', { subject: subjects.pull, ackWaitMs: 60_000 });
      if (pushed.status !== 200 || pulled.status !== 200) throw new Error(`push bench: subscribe answered ${pushed.status} ${pushed.text} / ${pulled.status} ${pulled.text}`);
      const pullId = pulled.json().id;
      const once = async (mode: Mode, durationS: number): Promise<PushRun> => {
        let running = true;
        const pull = mode === 'pull' ? pullConsumers(server, subjects.pull, pullId, receiver, () => running) : undefined;
        const run = await runAtRate(server, subjects[mode], receiver, durationS);
        running = false;
        await pull?.done;
        return { ...run, errors: run.publishErrors + (pull?.errors() ?? 0) };
      };
      for (const mode of ['push', 'pull'] as const) await once(mode, settings.warmupS);
      for (let rep = 0; rep < settings.reps; rep++) {
        for (const kind of orderFor(rep)) {
          const mode: Mode = kind === 'broker' ? 'push' : 'pull';
          const run = await once(mode, settings.durationS);
          results[mode].push(run);
          settings.log(
            `  push ${mode} rep ${rep + 1}: ${run.delivered}/${run.published} delivered, ${fmt.int(run.delivered / run.durationS)} msg/s, e2e p50 ${fmt.ms(run.e2e.percentile(50))} ms, p99 ${fmt.ms(run.e2e.percentile(99))} ms, drained ${fmt.ms(run.drainMs)} ms after the last publish, errors ${run.errors}`,
          );
        }
      }
      peakRss = (await server.stats()).maxRssBytes;
    } finally {
      await server.stop();
      await receiver.close();
    }
    const row = (mode: Mode): Row => {
      const runs = results[mode];
      return {
        scenario: mode === 'push' ? `push, pushConcurrency ${PUSH_CONCURRENCY}, ${PUSH_RATE}/s (e2e)` : `ack long-poll ×${PUSH_CONCURRENCY}, ${PUSH_RATE}/s (e2e)`,
        server: mode === 'push' ? 'broker' : 'baseline',
        requestsPerS: NaN,
        messagesPerS: median(runs.map((run) => run.delivered / run.durationS)),
        p50Ms: median(runs.map((run) => run.e2e.percentile(50))),
        p99Ms: median(runs.map((run) => run.e2e.percentile(99))),
        maxMs: Math.max(...runs.map((run) => run.e2e.max())),
        errors: runs.reduce((sum, run) => sum + run.errors + (run.published - run.delivered), 0),
        serverCpuUsPerRequest: NaN,
        peakRssBytes: peakRss,
        ratio: mode === 'push' ? median(runs.map((run, i) => run.delivered / run.durationS / (results.pull[i].delivered / results.pull[i].durationS))) : 1,
        note: mode === 'push' ? 'latency = publish sent → POST received by the receiver; "baseline" row: the same stream pulled by acknowledged long-poll consumers on the same broker' : undefined,
      };
    };
    const rows = [row('push'), row('pull')];
    const drainMs = median(results.push.map((run) => run.drainMs));
    const keptUp = rows[0].messagesPerS >= PUSH_RATE * 0.98 && rows[0].errors === 0 && drainMs < 1000;
    return {
      name: this.name,
      rows,
      details: [],
      targets: [
        {
          target: `push keeps up with ${PUSH_RATE}/s at pushConcurrency ${PUSH_CONCURRENCY} (≥ 98% of the rate, every message, drained < 1 s after the last publish)`,
          measured: `${fmt.int(rows[0].messagesPerS)} msg/s, ${rows[0].errors} lost or failed, drained in ${fmt.ms(drainMs)} ms; ${fmt.ratio(rows[0].ratio)} of the long-poll consumers' rate`,
          pass: keptUp,
        },
      ],
    };
  },
};
