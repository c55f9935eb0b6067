/**
 * `npm run bench -- --store=redis`: the broker on the Redis store against the same build on the
 * memory store (in the baseline's place, as with --compare), on a redis-server of its own; plus
 * what only Redis has: Redis's commands, round trips and CPU per request, two instances on one
 * Redis against one, and long-poll latency across instances.
 */
import { join } from 'node:path';
import { JsonClient } from './http-client.js';
import { jsonPost, observeLoad, runLoad, type LoadRun } from './load.js';
import { RedisUnderTest, type RedisCounters } from './redis-server.js';
import {
  drain,
  LONG_POLL_CONSUMERS,
  LONG_POLL_RATE,
  longPollRun,
  oneSubjectScenario,
  PAYLOAD_16B,
  subscribe,
  subscribeMany,
  type Row,
  type Scenario,
  type ScenarioReport,
  type Settings,
  type Subscription,
  type TargetCheck,
} from './scenarios.js';
import { REPO_ROOT, startServer } from './servers.js';
import { fmt, median } from './stats.js';

/** The scenarios the feature asks for, run when --only is not given. */
export const REDIS_DEFAULT_SCENARIOS = ['publish', 'publish-fetch', 'batch-publish', 'fan-out', 'long-poll', 'long-poll-4', 'round-trips', 'two-instances', 'cross-instance-long-poll'];
/** The Redis store's publish-to-receive target at 1,000 msg/s. */
const REDIS_LONG_POLL_P99_MS = 10;

const BATCH = 100;

/** What Redis did during one load run on the Redis-store broker. */
interface RedisRun {
  label: string;
  run: LoadRun;
  redis: RedisCounters;
}

export class RedisBench {
  private scenario = '';
  private readonly runs: RedisRun[] = [];
  /** Memory-store runs, for their CPU per request beside the Redis store's. */
  private readonly memoryRuns: Array<{ label: string; run: LoadRun }> = [];

  private constructor(readonly redis: RedisUnderTest) {}

  /**
   * Starts redis-server (on the servers' CPUs) and points the benchmark's "broker" at it; the
   * "baseline" becomes the same build on the memory store.
   */
  static async start(settings: Settings): Promise<RedisBench> {
    const redis = await RedisUnderTest.start(settings.start.cpus);
    const brokerCli = settings.start.brokerCli ?? join(REPO_ROOT, 'dist/cli.js');
    settings.start.env = { ...settings.start.env, GOPHERMQ_BROKER_STORE: 'redis', GOPHERMQ_REDIS_URL: redis.url, GOPHERMQ_REDIS_KEY__PREFIX: 'bench:' };
    settings.start.compareCli = brokerCli;
    settings.start.compareEnv = { ...settings.start.compareEnv, GOPHERMQ_BROKER_STORE: 'memory' };
    const bench = new RedisBench(redis);
    observeLoad(async (server, options) => {
      const requests = Array.isArray(options.requests) ? options.requests : [];
      const subject = requests[0]?.body ? (JSON.parse(String(requests[0].body)) as { subject?: string }).subject : undefined;
      const label = `${bench.scenario}${subject ? ` (${subject})` : ''}`;
      if (server.kind === 'baseline') return async (run) => void bench.memoryRuns.push({ label, run });
      const before = await redis.counters();
      return async (run) => void bench.runs.push({ label, run, redis: await redis.since(before) });
    });
    return bench;
  }

  /** Each scenario starts on an empty Redis. */
  async beforeScenario(name: string): Promise<void> {
    this.scenario = name;
    await this.redis.flush();
  }

  scenarios(): Scenario[] {
    return [batchPublish, roundTrips(this.redis), twoInstances(this.redis), crossInstanceLongPoll(this.redis)];
  }

  /** Per load run on the Redis store (medians over its runs, warm-up included): Redis's share of the work. */
  perRequestTable(): string[][] {
    const table = [['runs', 'n', 'scripts (EVALSHA)/req', 'commands/req (with scripts\' own)', 'HSET/req', 'HMGET/req', 'Redis reads/req', 'broker CPU µs/req', 'Redis CPU µs/req', 'total CPU µs/req', 'memory store CPU µs/req']];
    const labels = [...new Set(this.runs.map((entry) => entry.label))];
    for (const label of labels) {
      const mine = this.runs.filter((entry) => entry.label === label);
      const per = (value: (entry: RedisRun) => number) => median(mine.map((entry) => value(entry) / entry.run.requests));
      const brokerCpu = median(mine.map((entry) => entry.run.serverCpuUsPerRequest));
      const redisCpu = per((entry) => entry.redis.cpuUs);
      const memoryCpu = median(this.memoryRuns.filter((entry) => entry.label === label).map((entry) => entry.run.serverCpuUsPerRequest));
      table.push([
        label,
        String(mine.length),
        per((entry) => entry.redis.calls.evalsha ?? 0).toFixed(2),
        per((entry) => entry.redis.commands).toFixed(2),
        per((entry) => entry.redis.calls.hset ?? 0).toFixed(2),
        per((entry) => entry.redis.calls.hmget ?? 0).toFixed(2),
        per((entry) => entry.redis.reads).toFixed(2),
        brokerCpu.toFixed(1),
        redisCpu.toFixed(1),
        (brokerCpu + redisCpu).toFixed(1),
        Number.isFinite(memoryCpu) ? memoryCpu.toFixed(1) : '–',
      ]);
    }
    return table;
  }

  /** The feature's targets replace those against bare Fastify; the others stay. */
  targets(reports: ScenarioReport[]): TargetCheck[] {
    const targets: TargetCheck[] = [];
    for (const report of reports) {
      if (report.name === 'publish' || report.name === 'publish-fetch') {
        const ratio = report.rows[0].ratio;
        targets.push({ target: `${report.rows[0].scenario}: Redis store ≥ 0.5 × memory store req/s`, measured: fmt.ratio(ratio), pass: ratio >= 0.5 });
      }
      if (report.name.startsWith('long-poll')) {
        // The memory store's tail targets (2 ms, 8 ms) are not the Redis store's: p99 ≤ 10 ms.
        const p99 = report.rows[0].p99Ms;
        targets.push({ target: `${report.rows[0].scenario}: Redis store p99 ≤ ${REDIS_LONG_POLL_P99_MS} ms`, measured: `${fmt.ms(p99)} ms`, pass: p99 <= REDIS_LONG_POLL_P99_MS });
        targets.push(...report.targets.filter((target) => !target.target.includes(' e2e p99')));
        continue;
      }
      targets.push(...report.targets.filter((target) => !target.target.includes('bare Fastify')));
    }
    return targets;
  }

  async stop(): Promise<void> {
    await this.redis.stop();
  }
}

const batchPublish = oneSubjectScenario({
  name: 'batch-publish',
  description: `POST /api/publish/batch of ${BATCH} 16-byte messages to a subject with one subscriber`,
  label: `batch publish of ${BATCH}`,
  subject: 'bench.batch',
  messagesPerRequest: BATCH,
  requests: () => [jsonPost('/api/publish/batch', { messages: Array.from({ length: BATCH }, () => ({ subject: 'bench.batch', data: PAYLOAD_16B })) })],
  empty: (server, subscription) => drain(server, [subscription]).then(() => undefined),
  targets: (rows) => [{ target: 'batch publish: no errors', measured: rows.map((row) => `${row.server} ${row.errors}`).join(', '), pass: rows[0].errors === 0 }],
});

const SEQUENTIAL_REQUESTS = 200;

/**
 * One connection sends each kind of request one at a time to the Redis-store broker, with nothing
 * else running: Redis's reads per request are then its round trips per request (less the broker's
 * own background calls, measured idle first and subtracted).
 */
function roundTrips(redis: RedisUnderTest): Scenario {
  return {
    name: 'round-trips',
    description: `${SEQUENTIAL_REQUESTS} requests of each kind, one at a time: Redis round trips and commands per request`,
    async run(settings) {
      const broker = await startServer('broker', settings.start);
      const table = [['request (one at a time)', 'Redis round trips/req', 'bytes to Redis/req', 'scripts (EVALSHA)/req', 'commands/req (with scripts\' own)', 'HSET/req', 'HMGET/req', 'Redis CPU µs/req']];
      const targets: TargetCheck[] = [];
      try {
        const client = new JsonClient(broker.url, 1);
        const one = await subscribe(broker, 'rt.one');
        const batched = await subscribe(broker, 'rt.batch');
        await subscribeMany(broker, Array.from({ length: 1000 }, () => 'rt.fanout'));
        const acked = (await client.post<Subscription>('/api/subscribe', { subject: 'rt.acked', ackWaitMs: 600_000 })).json();
        const idleStart = performance.now();
        const idleBefore = await redis.counters();
        await new Promise((done) => setTimeout(done, 1000));
        const idle = await redis.since(idleBefore);
        const idleS = (performance.now() - idleStart) / 1000;

        const measure = async (label: string, body: (i: number) => [string, unknown], onAnswer?: (answer: unknown) => void) => {
          const started = performance.now();
          const before = await redis.counters();
          for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) {
            const [path, payload] = body(i);
            const res = await client.post(path, payload);
            if (res.status !== 200) throw new Error(`round-trips: ${label} answered ${res.status} ${res.text}`);
            onAnswer?.(res.json());
          }
          const used = await redis.since(before);
          const background = (performance.now() - started) / 1000 / idleS;
          const per = (count: number, idleCount: number) => ((count - background * idleCount) / SEQUENTIAL_REQUESTS).toFixed(2);
          const roundTripsPerRequest = (used.reads - background * idle.reads) / SEQUENTIAL_REQUESTS;
          table.push([
            label,
            roundTripsPerRequest.toFixed(2),
            fmt.int(used.bytesIn / SEQUENTIAL_REQUESTS),
            per(used.calls.evalsha ?? 0, idle.calls.evalsha ?? 0),
            per(used.commands, idle.commands),
            per(used.calls.hset ?? 0, 0),
            per(used.calls.hmget ?? 0, 0),
            (used.cpuUs / SEQUENTIAL_REQUESTS).toFixed(1),
          ]);
          settings.log(`  round-trips ${label}: ${roundTripsPerRequest.toFixed(2)} round trips, ${per(used.commands, idle.commands)} commands per request`);
          return roundTripsPerRequest;
        };
        const messages = Array.from({ length: BATCH }, () => ({ subject: 'rt.batch', data: PAYLOAD_16B }));
        await measure('publish, 1 subscriber', () => ['/api/publish', { subject: 'rt.one', data: PAYLOAD_16B }]);
        await measure('fetch max=1 (1 pending message each)', () => ['/api/fetch', { subject: 'rt.one', id: one.id, max: 1 }]);
        await measure('fetch, nothing pending', () => ['/api/fetch', { subject: 'rt.one', id: one.id }]);
        const batch = await measure(`batch publish of ${BATCH}`, () => ['/api/publish/batch', { messages }]);
        await measure(`fetch max=${BATCH}`, () => ['/api/fetch', { subject: 'rt.batch', id: batched.id, max: BATCH }]);
        await measure('publish, 1,000 subscribers', () => ['/api/publish', { subject: 'rt.fanout', data: PAYLOAD_16B }]);
        await measure('publish, acknowledged subscriber', () => ['/api/publish', { subject: 'rt.acked', data: PAYLOAD_16B }]);
        const seqs: number[] = [];
        const takeSeq = (answer: unknown) => seqs.push((answer as { messages: Array<{ seq: number }> }).messages[0].seq);
        await measure('fetch max=1, acknowledged', () => ['/api/fetch', { subject: 'rt.acked', id: acked.id, max: 1 }], takeSeq);
        await measure('ack of 1 seq', (i) => ['/api/ack', { subject: 'rt.acked', id: acked.id, seqs: [seqs[i]] }]);
        client.close();
        targets.push({ target: `batch publish of ${BATCH} messages in one Redis round trip`, measured: `${batch.toFixed(2)} round trips`, pass: batch <= 1.05 });
        settings.log(`  (idle: ${(idle.commands / idleS).toFixed(1)} commands/s, ${(idle.reads / idleS).toFixed(1)} reads/s of background work, subtracted)`);
      } finally {
        await broker.stop();
      }
      return { name: 'round-trips', rows: [], details: [table], targets };
    },
  };
}

/**
 * Two Redis-store brokers on one Redis and key prefix, each taking half the connections, against
 * one of them taking all: the total requests/s, alternating.
 */
function twoInstances(redis: RedisUnderTest): Scenario {
  return {
    name: 'two-instances',
    description: 'two instances on one Redis (half the connections each) against one, on publish and on publish+fetch of a shared subscriber',
    async run(settings) {
      const [first, second] = await Promise.all([startServer('broker', settings.start), startServer('broker', settings.start)]);
      const rows: Row[] = [];
      const details = [['two instances vs one', 'one: req/s', 'two: req/s (sum)', 'ratio two/one', 'Redis CPU µs/req one', 'two', 'Redis commands/req one', 'two']];
      try {
        const shared = await subscribe(first, 'bench.shared');
        const shapes = {
          publish: [jsonPost('/api/publish', { subject: 'bench.shared', data: PAYLOAD_16B })],
          'publish+fetch': [jsonPost('/api/publish', { subject: 'bench.shared', data: ':(' }), jsonPost('/api/fetch', { subject: 'bench.shared', id: shared.id })],
        };
        for (const [shape, requests] of Object.entries(shapes)) {
          const results = { one: [] as number[], two: [] as number[] };
          const redisFigures = { one: [] as RedisCounters[], two: [] as RedisCounters[] };
          const requestsOf = { one: [] as number[], two: [] as number[] };
          const once = async (instances: 'one' | 'two', warmup: boolean) => {
            const duration = warmup ? settings.warmupS : settings.durationS;
            const servers = instances === 'one' ? [first] : [first, second];
            const before = await redis.counters();
            const runs = await Promise.all(servers.map((server) => runLoad(server, { duration, connections: settings.connections / servers.length, requests })));
            const used = await redis.since(before);
            await drain(first, [shared]);
            if (warmup) return;
            const requestCount = runs.reduce((sum, run) => sum + run.requests, 0);
            results[instances].push(runs.reduce((sum, run) => sum + run.requestsPerS, 0));
            redisFigures[instances].push(used);
            requestsOf[instances].push(requestCount);
            settings.log(`  two-instances ${shape} ${instances}: ${fmt.int(results[instances].at(-1)!)} req/s, Redis ${(used.cpuUs / requestCount).toFixed(1)} µs/req, errors ${runs.reduce((sum, run) => sum + run.errors, 0)}`);
            return runs;
          };
          for (const instances of ['one', 'two'] as const) await once(instances, true);
          for (let rep = 0; rep < settings.reps; rep++) for (const instances of rep % 2 === 0 ? (['one', 'two'] as const) : (['two', 'one'] as const)) await once(instances, false);
          const ratio = median(results.two.map((two, i) => two / results.one[i]));
          const per = (instances: 'one' | 'two', value: (counters: RedisCounters) => number) => median(redisFigures[instances].map((counters, i) => value(counters) / requestsOf[instances][i]));
          details.push([
            shape,
            fmt.int(median(results.one)),
            fmt.int(median(results.two)),
            fmt.ratio(ratio),
            per('one', (counters) => counters.cpuUs).toFixed(1),
            per('two', (counters) => counters.cpuUs).toFixed(1),
            per('one', (counters) => counters.commands).toFixed(2),
            per('two', (counters) => counters.commands).toFixed(2),
          ]);
        }
      } finally {
        await Promise.all([first.stop(), second.stop()]);
      }
      return { name: 'two-instances', rows, details: [details], targets: [] };
    },
  };
}

/** A light rate beside the long-poll scenario's: a p99 that grows with the rate is CPU queueing, not the wake-up. */
const CROSS_RATES = [100, LONG_POLL_RATE];

/** Also counts the wakes (PUBLISH on the wake channel, from the publish scripts) per message published. */
const crossInstanceLongPoll = (redis: RedisUnderTest): Scenario => ({
  name: 'cross-instance-long-poll',
  description: `${LONG_POLL_CONSUMERS} consumers waiting in fetch on instance A, producers publishing ${CROSS_RATES.join(' and ')}/s on instance B; latency publish → delivery`,
  async run(settings) {
    const [consumerSide, producerSide] = await Promise.all([startServer('broker', settings.start), startServer('broker', settings.start)]);
    const results = new Map<number, Array<Awaited<ReturnType<typeof longPollRun>>>>(CROSS_RATES.map((rate) => [rate, []]));
    const wakesPerMessage = new Map<number, number[]>(CROSS_RATES.map((rate) => [rate, []]));
    try {
      const subs = await subscribeMany(consumerSide, Array.from({ length: LONG_POLL_CONSUMERS }, (_, i) => `bench.cross.c${i}`));
      await longPollRun(consumerSide, subs, settings.warmupS, LONG_POLL_RATE, producerSide);
      for (let rep = 0; rep < settings.reps; rep++) {
        for (const rate of rep % 2 === 0 ? CROSS_RATES : [...CROSS_RATES].reverse()) {
          const before = await redis.counters();
          const result = await longPollRun(consumerSide, subs, settings.longPollS, rate, producerSide);
          // The run ends with a 'stop' message to every consumer, which wakes it too.
          const wakes = ((await redis.since(before)).calls.publish ?? 0) / (result.published + subs.length);
          results.get(rate)!.push(result);
          wakesPerMessage.get(rate)!.push(wakes);
          settings.log(
            `  cross-instance long-poll ${rate}/s rep ${rep + 1}: ${result.delivered}/${result.published} delivered, p50 ${fmt.ms(result.e2e.percentile(50))} ms, p99 ${fmt.ms(result.e2e.percentile(99))} ms, max ${fmt.ms(result.e2e.max())} ms, errors ${result.errors}, wakes ${wakes.toFixed(2)}/message`,
          );
        }
      }
    } finally {
      await Promise.all([consumerSide.stop(), producerSide.stop()]);
    }
    const rows: Row[] = CROSS_RATES.map((rate) => {
      const runs = results.get(rate)!;
      return {
        scenario: `long-poll across instances, ${LONG_POLL_CONSUMERS} consumers, ${rate}/s (e2e)`,
        server: 'broker',
        requestsPerS: NaN,
        messagesPerS: median(runs.map((result) => result.delivered / result.durationS)),
        p50Ms: median(runs.map((result) => result.e2e.percentile(50))),
        p99Ms: median(runs.map((result) => result.e2e.percentile(99))),
        maxMs: Math.max(...runs.map((result) => result.e2e.max())),
        errors: runs.reduce((sum, result) => sum + result.errors + (result.published - result.delivered), 0),
        serverCpuUsPerRequest: NaN,
        peakRssBytes: NaN,
        ratio: NaN,
        note: `consumers wait on instance A, messages are published on instance B; wakes (PUBLISH) per message ${median(wakesPerMessage.get(rate)!).toFixed(2)}`,
      };
    });
    const full = rows.at(-1)!;
    const errors = rows.reduce((sum, row) => sum + row.errors, 0);
    return {
      name: this.name,
      rows,
      details: [],
      targets: [
        {
          target: `cross-instance long-poll p99 < 20 ms at ${LONG_POLL_RATE}/s`,
          measured: `${fmt.ms(full.p99Ms)} ms (per repetition: ${results.get(LONG_POLL_RATE)!.map((result) => fmt.ms(result.e2e.percentile(99))).join(', ')}; at ${CROSS_RATES[0]}/s: ${fmt.ms(rows[0].p99Ms)} ms)`,
          pass: full.p99Ms < 20,
        },
        { target: 'cross-instance long-poll: every message delivered, no errors', measured: String(errors), pass: errors === 0 },
      ],
    };
  },
});
