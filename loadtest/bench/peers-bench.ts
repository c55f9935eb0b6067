/**
 * `npm run bench -- --peers`: the broker, on the memory store and on the Redis store, beside BullMQ
 * (Queue.addBulk / Worker, on the same redis-server) and NATS JetStream (nats-server -js, a memory
 * stream with work-queue retention and a pull consumer with explicit acks), through one work-queue
 * scenario: publish N 16-byte messages, then consume and acknowledge every one, in two forms:
 *
 * - batched: publishes of 100 messages (4 in flight), consumers taking up to 100 at a time (4 loops);
 * - per request: one message per publish and per take (20 of each in flight).
 *
 * Every server is pinned where the others are (the servers' CPU), and its CPU time is read from
 * /proc/<pid>/stat around the publish and consume phases (set-up and clean-up excluded).
 */
import { Queue, Worker } from 'bullmq';
import { AckPolicy, connect, RetentionPolicy, StorageType, type Consumer, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { forEachLimited, JsonClient } from './http-client.js';
import { NatsUnderTest } from './nats-server.js';
import { PROC_CPU_RESOLUTION_US, processCpuUs } from './proc-cpu.js';
import { RedisUnderTest } from './redis-server.js';
import { PAYLOAD_16B, type Scenario, type ScenarioReport, type Settings, type TargetCheck } from './scenarios.js';
import { startServer, type ServerUnderTest } from './servers.js';
import { fmt, median } from './stats.js';

/** One way of moving the messages: how many per request, and how many requests in flight. */
interface Form {
  name: 'batched' | 'per request';
  /** Messages per publish and most messages per take. */
  batch: number;
  /** Publishes in flight at once, and consumer loops. */
  concurrency: number;
  /** BullMQ's Worker takes jobs one at a time: its concurrency stands in for a batch. */
  workerConcurrency: number;
  messages: number;
}

/** A system's run, prepared: only publish and consume are measured. */
interface PreparedRun {
  publish(): Promise<void>;
  /** Resolves once every message was received and acknowledged; returns the errors it saw. */
  consume(): Promise<number>;
  /** Clean-up after the measurement: its CPU is not counted. */
  close(): Promise<void>;
}

type CpuPart = 'broker' | 'Redis' | 'nats-server';

interface PeerSystem {
  name: string;
  /** The server processes whose CPU is this system's, by the part each plays. */
  parts: Array<{ part: CpuPart; pid: number }>;
  prepare(form: Form, run: number): Promise<PreparedRun>;
}

interface PeerRun {
  messages: number;
  publishS: number;
  consumeS: number;
  errors: number;
  cpuUs: Partial<Record<CpuPart, number>>;
  /** The bench process's own CPU: the clients, BullMQ's Worker and Queue logic among them. */
  clientCpuUs: number;
}

const ACK_WAIT_MS = 600_000;
const PAYLOAD_BYTES = new TextEncoder().encode(PAYLOAD_16B);

export class PeersBench {
  private runCount = 0;

  private constructor(
    private readonly systems: PeerSystem[],
    private readonly messages: number,
    private readonly nats: NatsConnection,
  ) {}

  /**
   * Starts redis-server, nats-server, and the broker on each store (all on the servers' CPUs),
   * and connects to them. `messages` sizes the batched form; the per-request form moves a tenth.
   */
  static async start(settings: Settings, messages: number): Promise<PeersBench> {
    const [redis, natsServer] = await Promise.all([RedisUnderTest.start(settings.start.cpus), NatsUnderTest.start(settings.start.cpus)]);
    await redis.flush();
    const [memoryBroker, redisBroker] = await Promise.all([
      startServer('broker', { ...settings.start, env: { ...settings.start.env, GOPHERMQ_BROKER_STORE: 'memory' } }),
      startServer('broker', { ...settings.start, env: { ...settings.start.env, GOPHERMQ_BROKER_STORE: 'redis', GOPHERMQ_REDIS_URL: redis.url, GOPHERMQ_REDIS_KEY__PREFIX: 'bench:' } }),
    ]);
    const nats = await connect({ servers: natsServer.url });
    settings.log(
      `  servers: broker (memory store) pid ${memoryBroker.pid}, broker (Redis store) pid ${redisBroker.pid}, redis-server pid ${redis.pid}, nats-server pid ${natsServer.pid}` +
        ` (CPU read from /proc/<pid>/stat, ${(PROC_CPU_RESOLUTION_US / 1000).toFixed(0)} ms a tick)`,
    );
    const systems = [
      gopherMq('GopherMQ, memory store', memoryBroker, [{ part: 'broker', pid: memoryBroker.pid }]),
      gopherMq('GopherMQ, Redis store', redisBroker, [
        { part: 'broker', pid: redisBroker.pid },
        { part: 'Redis', pid: redis.pid },
      ]),
      bullMq(redis),
      jetStream(nats, await nats.jetstreamManager(), natsServer.pid),
    ];
    return new PeersBench(systems, messages, nats);
  }

  scenarios(): Scenario[] {
    const batched: Omit<Form, 'messages'> = { name: 'batched', batch: 100, concurrency: 4, workerConcurrency: 100 };
    const perRequest: Omit<Form, 'messages'> = { name: 'per request', batch: 1, concurrency: 20, workerConcurrency: 20 };
    return [
      this.scenario('peers-batched', { ...batched, messages: this.messages }, 'publish in batches of 100, consume up to 100 at a time with acks'),
      this.scenario('peers-per-request', { ...perRequest, messages: Math.max(1, Math.round(this.messages / 10)) }, 'one message per publish and per take, with acks'),
    ];
  }

  async stop(): Promise<void> {
    await this.nats.close().catch(() => undefined);
  }

  private scenario(name: string, form: Form, what: string): Scenario {
    return {
      name,
      description: `GopherMQ (memory, Redis), BullMQ and JetStream (memory store): ${form.messages.toLocaleString('en-US')} 16-byte messages, ${what}; server CPU per message`,
      run: (settings) => this.runForm(settings, name, form),
    };
  }

  private async runForm(settings: Settings, name: string, form: Form): Promise<ScenarioReport> {
    const runs = new Map<PeerSystem, PeerRun[]>(this.systems.map((system) => [system, []]));
    const warmup = { ...form, messages: Math.max(form.batch, Math.round(form.messages / 10)) };
    for (const system of this.systems) await this.once(system, warmup);
    for (let rep = 0; rep < settings.reps; rep++) {
      // Alternating order, so that drift on a noisy machine hits every system alike.
      for (const system of rep % 2 === 0 ? this.systems : [...this.systems].reverse()) {
        const run = await this.once(system, form);
        runs.get(system)!.push(run);
        settings.log(
          `  ${form.name} ${system.name.padEnd(22)} rep ${rep + 1}: publish ${fmt.int(run.messages / run.publishS)} msg/s, consume ${fmt.int(run.messages / run.consumeS)} msg/s, ` +
            `server CPU ${(serverCpuUs(run) / run.messages).toFixed(1)} µs/msg (${describeParts(run)}), errors ${run.errors}`,
        );
      }
    }
    return report(name, form, runs);
  }

  private async once(system: PeerSystem, form: Form): Promise<PeerRun> {
    const prepared = await system.prepare(form, ++this.runCount);
    try {
      const before = system.parts.map(({ pid }) => processCpuUs(pid));
      const clientBefore = process.cpuUsage();
      const started = performance.now();
      await prepared.publish();
      const published = performance.now();
      const errors = await prepared.consume();
      const consumed = performance.now();
      const client = process.cpuUsage(clientBefore);
      const cpuUs: PeerRun['cpuUs'] = {};
      system.parts.forEach(({ part, pid }, i) => (cpuUs[part] = processCpuUs(pid) - before[i]));
      return { messages: form.messages, publishS: (published - started) / 1000, consumeS: (consumed - published) / 1000, errors, cpuUs, clientCpuUs: client.user + client.system };
    } finally {
      await prepared.close();
    }
  }
}

function serverCpuUs(run: PeerRun): number {
  return Object.values(run.cpuUs).reduce((sum, us) => sum + us, 0);
}

function describeParts(run: PeerRun): string {
  return Object.entries(run.cpuUs)
    .map(([part, us]) => `${part} ${(us / run.messages).toFixed(1)}`)
    .join(' + ');
}

function report(name: string, form: Form, runs: Map<PeerSystem, PeerRun[]>): ScenarioReport {
  const perMessage = (mine: PeerRun[], value: (run: PeerRun) => number) => median(mine.map((run) => value(run) / run.messages));
  const cpuOf = (name: string) => perMessage(runs.get([...runs.keys()].find((system) => system.name === name)!)!, serverCpuUs);
  const table = [
    ['form', 'system', 'publish msg/s', 'consume msg/s', 'msg/s (publish + consume)', 'server CPU µs/msg', 'broker', 'Redis', 'nats-server', 'client CPU µs/msg', 'errors'],
    ...[...runs].map(([system, mine]) => {
      const part = (name: CpuPart) => (system.parts.some((entry) => entry.part === name) ? perMessage(mine, (run) => run.cpuUs[name]!).toFixed(1) : '');
      return [
        `${form.name}, ${form.messages.toLocaleString('en-US')} msgs`,
        system.name,
        fmt.int(median(mine.map((run) => run.messages / run.publishS))),
        fmt.int(median(mine.map((run) => run.messages / run.consumeS))),
        fmt.int(median(mine.map((run) => run.messages / (run.publishS + run.consumeS)))),
        perMessage(mine, serverCpuUs).toFixed(1),
        part('broker'),
        part('Redis'),
        part('nats-server'),
        perMessage(mine, (run) => run.clientCpuUs).toFixed(1),
        String(mine.reduce((sum, run) => sum + run.errors, 0)),
      ];
    }),
  ];
  const errors = [...runs.values()].flat().reduce((sum, run) => sum + run.errors, 0);
  const ahead = (ours: string, peer: string): TargetCheck => {
    const [mine, theirs] = [cpuOf(ours), cpuOf(peer)];
    return { target: `${form.name}: ${ours} below ${peer} in server CPU per message`, measured: `${mine.toFixed(1)} vs ${theirs.toFixed(1)} µs/msg`, pass: mine < theirs };
  };
  const targets: TargetCheck[] = [
    // The targets are the batched form's; the per-request form's figures are in its table, not required.
    ...(form.name === 'batched' ? [ahead('GopherMQ, Redis store', 'BullMQ'), ahead('GopherMQ, memory store', 'JetStream, memory store')] : []),
    { target: `${form.name}: every message of every system received and acknowledged once, no errors`, measured: String(errors), pass: errors === 0 },
  ];
  return { name, rows: [], details: [table], targets };
}

// ---------------------------------------------------------------------------------------------
// The systems

/** Batch sizes that add up to `messages`. */
function batchesOf(form: Form): number[] {
  return Array.from({ length: Math.ceil(form.messages / form.batch) }, (_, i) => Math.min(form.batch, form.messages - i * form.batch));
}

/**
 * The broker: an acknowledged subscriber (ackWaitMs) of a fresh subject; POST /api/publish or
 * /api/publish/batch; consumer loops fetching `max` messages, each fetch carrying the acks of the
 * loop's previous batch (`ack`), until a fetch finds nothing.
 */
function gopherMq(name: string, broker: ServerUnderTest, parts: PeerSystem['parts']): PeerSystem {
  return {
    name,
    parts,
    async prepare(form, run) {
      const subject = `peers.r${run}`;
      const client = new JsonClient(broker.url, form.concurrency);
      const subscribed = await client.post<{ id: string }>('/api/subscribe', { subject, ackWaitMs: ACK_WAIT_MS });
      if (subscribed.status !== 200) throw new Error(`${name}: subscribe answered ${subscribed.status} ${subscribed.text}`);
      const { id } = subscribed.json();
      return {
        async publish() {
          await forEachLimited(batchesOf(form), form.concurrency, async (size) => {
            if (form.batch === 1) {
              const res = await client.post('/api/publish', { subject, data: PAYLOAD_16B });
              if (res.status !== 200) throw new Error(`${name}: publish answered ${res.status} ${res.text}`);
              return;
            }
            const res = await client.post<{ results: Array<{ status?: string }> }>('/api/publish/batch', { messages: Array.from({ length: size }, () => ({ subject, data: PAYLOAD_16B })) });
            if (res.status !== 200 || res.json().results.some((result) => result.status !== 'ok')) throw new Error(`${name}: batch publish answered ${res.status} ${res.text.slice(0, 200)}`);
          });
        },
        async consume() {
          let received = 0;
          let errors = 0;
          const loop = async () => {
            let toAck: number[] | undefined;
            for (;;) {
              const res = await client.post<{ data: string[]; acked?: number; messages: Array<{ seq: number }> }>('/api/fetch', { subject, id, max: form.batch, ...(toAck && { ack: toAck }) });
              if (res.status !== 200) throw new Error(`${name}: fetch answered ${res.status} ${res.text}`);
              const answer = res.json();
              if (toAck && answer.acked !== toAck.length) errors += 1;
              if (answer.messages.length === 0) return;
              received += answer.messages.length;
              toAck = answer.messages.map((message) => message.seq);
            }
          };
          await Promise.all(Array.from({ length: form.concurrency }, loop));
          return errors + Math.abs(form.messages - received);
        },
        async close() {
          await client.post('/api/unsubscribe', { subject, id });
          client.close();
        },
      };
    },
  };
}

/**
 * BullMQ on the same redis-server: Queue.addBulk (Queue.add one at a time), a Worker whose
 * processor does nothing, completed jobs removed (as an acknowledged message is).
 */
function bullMq(redis: RedisUnderTest): PeerSystem {
  const { hostname, port } = new URL(redis.url);
  const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
  return {
    name: 'BullMQ',
    parts: [{ part: 'Redis', pid: redis.pid }],
    async prepare(form, run) {
      const name = `peers-r${run}`;
      const queue = new Queue(name, { connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
      let completed = 0;
      let failed = 0;
      let allDone: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (allDone = resolve));
      const worker = new Worker(name, async () => undefined, { connection, concurrency: form.workerConcurrency, autorun: false });
      worker.on('completed', () => ++completed === form.messages && allDone());
      worker.on('failed', () => (failed += 1));
      worker.on('error', () => (failed += 1));
      await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
      let running: Promise<void> | undefined;
      return {
        async publish() {
          await forEachLimited(batchesOf(form), form.concurrency, async (size) => {
            if (form.batch === 1) await queue.add('m', PAYLOAD_16B);
            else await queue.addBulk(Array.from({ length: size }, () => ({ name: 'm', data: PAYLOAD_16B })));
          });
        },
        async consume() {
          running = worker.run();
          await done;
          const left = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
          return failed + Object.values(left).reduce((sum, count) => sum + count, 0);
        },
        async close() {
          await worker.close();
          await running;
          await queue.obliterate({ force: true });
          await queue.close();
        },
      };
    },
  };
}

/**
 * JetStream: a memory stream with work-queue retention (an acknowledged message is deleted) and a
 * durable pull consumer with explicit acks; js.publish awaited for its PubAck (a batch: that many
 * in flight), consumer.fetch of up to 100 (consumer.next for one), msg.ack() for each.
 */
function jetStream(nats: NatsConnection, jsm: JetStreamManager, pid: number): PeerSystem {
  const js: JetStreamClient = nats.jetstream();
  return {
    name: 'JetStream, memory store',
    parts: [{ part: 'nats-server', pid }],
    async prepare(form, run) {
      const stream = `PEERS_R${run}`;
      const subject = `peers.r${run}`;
      await jsm.streams.add({ name: stream, subjects: [subject], retention: RetentionPolicy.Workqueue, storage: StorageType.Memory });
      await jsm.consumers.add(stream, { durable_name: 'workers', ack_policy: AckPolicy.Explicit, ack_wait: ACK_WAIT_MS * 1e6 });
      const consumer: Consumer = await js.consumers.get(stream, 'workers');
      return {
        async publish() {
          await forEachLimited(batchesOf(form), form.concurrency, async (size) => {
            await Promise.all(Array.from({ length: size }, () => js.publish(subject, PAYLOAD_BYTES)));
          });
        },
        async consume() {
          let claimed = 0;
          let received = 0;
          const loop = async () => {
            while (claimed < form.messages) {
              // Take no more than is left: a pull asking for more would wait out its expiry.
              const want = Math.min(form.batch, form.messages - claimed);
              claimed += want;
              let got = 0;
              if (want === 1) {
                const message = await consumer.next({ expires: 5000 });
                if (message) {
                  message.ack();
                  got = 1;
                }
              } else {
                for await (const message of await consumer.fetch({ max_messages: want, expires: 5000 })) {
                  message.ack();
                  got += 1;
                }
              }
              received += got;
              claimed -= want - got;
              if (got === 0) throw new Error(`JetStream: a pull found nothing with ${form.messages - received} messages left`);
            }
          };
          await Promise.all(Array.from({ length: form.concurrency }, loop));
          // Acks are sent without an answer: the run ends when the stream has removed every message.
          await nats.flush();
          for (let attempt = 0; (await jsm.streams.info(stream)).state.messages > 0; attempt++) {
            if (attempt === 200) return (await jsm.streams.info(stream)).state.messages;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          return Math.abs(form.messages - received);
        },
        async close() {
          await jsm.streams.delete(stream);
        },
      };
    },
  };
}
