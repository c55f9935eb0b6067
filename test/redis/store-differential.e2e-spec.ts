import { inspect } from 'node:util';
import { RedisConfig } from '../../src/config/gophermq-config.js';
import { MemoryMessageStore } from '../../src/broker/store/memory-message-store.js';
import type { AckSettings, DeliverPolicy, MessageStore, RetentionRule, StoreLimits, SubscribeOptions } from '../../src/broker/store/message-store.js';
import type { Page, SubjectFigures } from '../../src/broker/store/store-inspection.js';
import { RedisMessageStore } from '../../src/broker/store/redis/redis-message-store.js';
import { eventually } from '../support/eventually.js';
import { RedisServer } from '../support/redis-server.js';
import { seededRandom } from '../support/seeded-random.js';
import { uniqueKeyPrefix } from '../support/test-store.js';

// The same seeded random operations on the in-memory store (the reference) and the Redis store,
// compared step by step: every answer and every gauge must be the same on both. Ids differ, so
// the Redis subscriber of each memory subscriber is looked up in a map. Deadlines, nack delays and
// idle expiry depend on the clock, so they are compared in a few deterministic cases at the end.

// 25: a nack of several messages past maxDeliveries whose dead letters compete for room.
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 25];
const STEPS = 500;
/** `kept` and `capped` are retained (RULES): kept until their rule drops them, subscribers or not. */
const SUBJECTS = ['orders', 'mail', 'audit', 'dead', 'kept', 'capped'];
const RULES: RetentionRule[] = [
  { subjects: 'kept', maxAge: 0, maxMessages: 5, maxBytes: 0, discard: 'old' },
  { subjects: 'capped', maxAge: 0, maxMessages: 0, maxBytes: 60, discard: 'new' },
  // Retained subjects the patterns match, which a replaying pattern subscriber replays: one per pattern.
  { subjects: 'orders.kept', maxAge: 0, maxMessages: 10, maxBytes: 0, discard: 'old' },
  { subjects: 'mail.eu', maxAge: 0, maxMessages: 0, maxBytes: 60, discard: 'new' },
];
/** Few names and owners, so that names are subscribed again, by their owner or another, with their settings or others. */
const NAMES = ['alpha', 'beta', 'gamma'];
const OWNERS = [undefined, undefined, 'alice', 'bob'];
/** Never passes during a run: deadlines are left to the deterministic cases. */
const LONG_ACK_WAIT_MS = 600_000;
/** Plain, multi-byte (2, 3 and 4 bytes: a surrogate pair, never a lone half) and characters JSON escapes. */
const ALPHABET = ['a', 'b', 'Z', '7', ' ', 'é', '€', '😀', '"', '\\', '\n', '\t', '\u0001', '\u001f', '/'];

type Step = { op: string; args: unknown[] };

/** What a run subscribes to and publishes to; `settle` waits on Redis for what a step left running in the background. */
type World = {
  subjects: readonly string[];
  publishSubjects: readonly string[];
  /** Subjects given a subscriber the run never touches, before it starts. */
  anchored?: readonly string[];
  settle?: (redis: RedisMessageStore, memory: MemoryMessageStore) => Promise<void>;
};
const LITERAL_WORLD: World = { subjects: SUBJECTS, publishSubjects: SUBJECTS };
/**
 * Wildcard subscriptions: patterns beside literal subjects, publishes to subjects that some, all or
 * none of them match, retained ones among them (replayed by a pattern subscriber with `deliver`).
 * On Redis a pattern's messages are forwarded after the publish answers (redis-pattern-forwarder.ts),
 * and on memory a replay is copied a page a turn, so each step waits until neither is left running.
 * Each pattern matches one retained subject: a replay of two may interleave them in either order.
 */
const PATTERN_WORLD: World = {
  subjects: ['orders.*', 'orders.>', '*.eu', 'orders.eu', 'mail', 'kept'],
  publishSubjects: ['orders.eu', 'orders.us', 'orders.eu.late', 'orders.kept', 'mail.eu', 'mail', 'kept', 'audit'],
  // A known difference (docs/decisions.md): on Redis a subject that only patterns read keeps a log
  // (they read it), whose seqs go on; the memory store makes none, so a subscriber that comes back
  // later starts at other seqs, and so does any log made after it (seqs of a new log follow every
  // seq handed out). The subjects patterns match keep a subscriber of their own, so both keep a log.
  anchored: ['orders.eu', 'orders.us', 'orders.eu.late', 'mail'],
  settle: async (redis, memory) => {
    const running = (redis as unknown as { forwarder: { running: Map<string, boolean> } }).forwarder.running;
    const replaying = (memory as unknown as { replaying: Set<unknown> }).replaying;
    await eventually(() => running.size === 0 && replaying.size === 0, 5000);
  },
};

/**
 * Seeds' limits: tight, so every refusal happens; fetch budgets from one message to no limit. Odd
 * seeds: broker-wide limits below the subjects' together; even seeds: under the subject limits,
 * the broker's hold 4 subjects × 6 messages or 180 bytes, plus a whole batch (6 messages of at most
 * 45 characters of 4 bytes). Every third seed allows only 5 messages in flight over all subscribers.
 */
function limitsFor(seed: number): StoreLimits {
  const maxFetchBytes = [60, 150, 400, 1_000_000][seed % 4];
  const broker = seed % 2 === 1 ? { maxPending: 14, maxPendingBytes: 420 } : { maxPending: 4 * 6 + 6, maxPendingBytes: 4 * 180 + 6 * 45 * 4 };
  return { ...broker, maxPendingPerSubject: 6, maxPendingBytesPerSubject: 180, maxSubscribers: 7, maxInFlight: seed % 3 === 0 ? 5 : 1000, maxFetchBytes };
}

/**
 * Limits of the runs on patterns: room for everything, as a pattern's full log holds back a publish
 * at once on memory but only once the source subject's log has filled on Redis (a documented
 * difference, docs/decisions.md); fetch budgets and the broker-wide in-flight bound vary.
 */
function patternLimitsFor(seed: number): StoreLimits {
  const maxFetchBytes = [60, 150, 400, 1_000_000][seed % 4];
  return { maxPending: 10_000, maxPendingBytes: 1_000_000, maxPendingPerSubject: 1000, maxPendingBytesPerSubject: 100_000, maxSubscribers: 9, maxInFlight: seed % 3 === 0 ? 5 : 1000, maxFetchBytes };
}
const PATTERN_SEEDS = [11, 12, 13, 14];

async function redisStore(server: RedisServer, limits: StoreLimits): Promise<RedisMessageStore> {
  const config = Object.assign(new RedisConfig(), { url: server.url, keyPrefix: uniqueKeyPrefix() });
  const store = new RedisMessageStore(limits, config, RULES);
  await store.connect();
  return store;
}

/** What both stores answer to be compared: ids replaced by the memory store's, counters of the instance included. */
async function gauges(store: MessageStore) {
  const { messagesHeld, bytesHeld, subscribers, subjects, inFlight, redelivered, deadLettered, deadLetterDropped, retained, retainedBytes, retentionDropped, patterns } = await store.stats();
  return { messagesHeld, bytesHeld, subscribers, subjects, inFlight, redelivered, deadLettered, deadLetterDropped, retained, retainedBytes, retentionDropped, patterns };
}

const show = (value: unknown) => inspect(value, { depth: 5, breakLength: Infinity });
/** Publish times are each store's clock (the process's, Redis's): compared for their presence only (and number, in `times`). */
const comparable = (value: unknown) =>
  show(value)
    .replace(/time: '[^']*'/g, "time: '…'")
    .replace(/publishedMs: \d+/g, 'publishedMs: …')
    .replace(/'\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z'/g, "'…'"); // a lean answer's `times`

/** One random run: fails at the first step where the stores differ, with what reproduces it. */
class DifferentialRun {
  private readonly random: (n: number) => number;
  /** Which fetches are lean. */
  private readonly leanRandom: (n: number) => number;
  /** Live subscribers, by the memory store's id: subject, the Redis id, acknowledged or not, seqs it was handed. */
  private readonly subscribers = new Map<string, { subject: string; redisId: string; ack: boolean; seqs: number[] }>();
  private readonly gone: Array<{ subject: string; memoryId: string; redisId: string }> = [];
  /** The settings each subject's name was last subscribed with, to subscribe again with the same ones. */
  private readonly named = new Map<string, { ack: AckSettings | undefined; owner: string | undefined; deliver: DeliverPolicy | undefined }>();
  private readonly history: string[] = [];
  private highestSeq = 0;
  /** The untouched subscribers of `anchored` subjects: Redis id -> memory id. */
  private readonly anchors = new Map<string, string>();

  constructor(
    private readonly seed: number,
    private readonly memory: MemoryMessageStore,
    private readonly redis: RedisMessageStore,
    private readonly world: World = LITERAL_WORLD,
  ) {
    this.random = seededRandom(seed);
    this.leanRandom = seededRandom(seed + 1000);
  }

  async run(steps: number): Promise<void> {
    for (const subject of this.world.anchored ?? []) {
      const [onMemory, onRedis] = [this.memory.subscribe(subject)!, (await this.redis.subscribe(subject))!];
      this.anchors.set(onRedis.id, onMemory.id);
    }
    for (let step = 1; step <= steps; step++) {
      const { op, args } = this.next();
      const label = `${op}(${args.map(show).join(', ')})`;
      this.history.push(`${step}: ${label}`);
      const [onMemory, onRedis] = await this.apply(op, args);
      await this.world.settle?.(this.redis, this.memory);
      this.compare(step, label, onMemory, onRedis);
      this.compare(step, `${label}, then stats()`, await gauges(this.memory), await gauges(this.redis));
      this.remember(op, args, onMemory);
    }
  }

  private compare(step: number, label: string, onMemory: unknown, onRedis: unknown): void {
    if (comparable(onMemory) === comparable(onRedis)) return;
    throw new Error(
      `The stores differ, seed ${this.seed}, step ${step}: ${label}\n` +
        `  memory: ${show(onMemory)}\n  redis:  ${show(onRedis)}\n` +
        `Steps before it (ids are the memory store's):\n  ${this.history.slice(-15, -1).join('\n  ')}`,
    );
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.random(items.length)];
  }

  private text(): string {
    const length = this.pick([0, 1, 3, 8, 20, 45]);
    let text = '';
    for (let i = 0; i < length; i++) text += this.pick(ALPHABET);
    return text;
  }

  /** A subscriber: usually a live one, sometimes one gone, an unknown id, or a live one under another subject. */
  private target(): { subject: string; id: string } {
    const live = [...this.subscribers.entries()];
    const roll = this.random(20);
    const { subjects } = this.world;
    if (roll === 0) return { subject: this.pick(subjects), id: '00000000-0000-4000-8000-000000000000' };
    if (roll === 1 && this.gone.length > 0) {
      const { subject, memoryId } = this.pick(this.gone);
      return { subject, id: memoryId };
    }
    if (live.length === 0) return { subject: this.pick(subjects), id: 'none' };
    const [id, { subject }] = this.pick(live);
    if (roll === 2) return { subject: this.pick(subjects.filter((other) => other !== subject)), id };
    return { subject, id };
  }

  /** Seqs to settle: some handed to the subscriber (in flight or settled since), some never, repeats. */
  private seqs(id: string): number[] {
    const handed = this.subscribers.get(id)?.seqs ?? [];
    const count = 1 + this.random(4);
    const seqs: number[] = [];
    for (let i = 0; i < count; i++) {
      const roll = this.random(10);
      if (roll < 6 && handed.length > 0) seqs.push(this.pick(handed.slice(-8)));
      else if (roll < 8 && seqs.length > 0) seqs.push(this.pick(seqs));
      else seqs.push(this.random(this.highestSeq + 3));
    }
    return seqs;
  }

  private ackSettings(): AckSettings | undefined {
    const roll = this.random(6);
    if (roll < 2) return undefined;
    // Sometimes few in flight per subscriber, so fetches stop at maxAckPending.
    const bound = this.random(2) === 0 ? { maxAckPending: 1 + this.random(4) } : {};
    if (roll < 4) return { ackWaitMs: LONG_ACK_WAIT_MS, ...bound };
    if (roll === 4) return { ackWaitMs: LONG_ACK_WAIT_MS, maxDeliveries: 1 + this.random(3), ...bound };
    return { ackWaitMs: LONG_ACK_WAIT_MS, maxDeliveries: 1 + this.random(3), deadLetterSubject: this.pick(this.world.publishSubjects), ...bound };
  }

  /** A subscribe with a name: often as the name was subscribed before, sometimes by another owner or with other settings. */
  private namedSubscribe(): [string, AckSettings | undefined, SubscribeOptions] {
    const [subject, name] = [this.pick(this.world.subjects), this.pick(NAMES)];
    const before = this.named.get(`${subject}\n${name}`);
    const roll = this.random(4);
    const ack = before && roll < 2 ? before.ack : this.ackSettings();
    const owner = before && roll !== 3 ? before.owner : this.pick(OWNERS);
    const deliver = before && roll !== 2 ? before.deliver : this.deliver();
    this.named.set(`${subject}\n${name}`, { ack, owner, deliver });
    return [subject, ack, deliver === undefined ? { name, owner } : { name, owner, deliver }];
  }

  /** Where a subscriber starts: mostly as before (absent), else any start (refused on a subject without a rule). */
  private deliver(): DeliverPolicy | undefined {
    const roll = this.random(8);
    if (roll < 3) return undefined;
    if (roll === 3) return 'new';
    if (roll === 4) return 'all';
    if (roll === 5) return 'last';
    return { fromSeq: this.random(this.highestSeq + 3) + 1 };
  }

  private next(): Step {
    const roll = this.random(100);
    if (roll < 5) {
      const deliver = this.deliver();
      const subject = this.pick(this.world.subjects);
      return { op: 'subscribe', args: deliver === undefined ? [subject, this.ackSettings()] : [subject, this.ackSettings(), { deliver }] };
    }
    if (roll < 9) return { op: 'subscribe', args: this.namedSubscribe() };
    if (roll < 15) {
      const { subject, id } = this.target();
      return { op: 'unsubscribe', args: [subject, id] };
    }
    if (roll < 40) return { op: 'publish', args: [this.pick(this.world.publishSubjects), this.text()] };
    if (roll < 47) {
      // With patterns, one subject a batch: Redis forwards each subject of a batch on its own, so a
      // pattern's log may store two subjects' messages of one batch in either order (documented).
      const one = this.world.settle ? this.pick(this.world.publishSubjects) : undefined;
      const batch = Array.from({ length: 1 + this.random(6) }, () => ({ subject: one ?? this.pick(this.world.publishSubjects), data: this.text() }));
      return { op: 'publishMany', args: [batch] };
    }
    if (roll < 67) {
      const { subject, id } = this.target();
      // Half of them lean (TakeOptions.lean): the same messages cut at the same one, in arrays.
      // Chosen by a random of their own, so each seed's operations stay those it always made.
      const max = this.pick([1, 1, 2, 3, 5, 10, 100]);
      return { op: 'fetch', args: this.leanRandom(2) === 0 ? [subject, id, max] : [subject, id, max, 'lean'] };
    }
    if (roll < 90) {
      const { subject, id } = this.target();
      const op = this.pick(['ack', 'ack', 'nack', 'nack', 'extend']);
      return { op, args: op === 'nack' ? [subject, id, this.seqs(id), 0] : [subject, id, this.seqs(id)] };
    }
    const { subject, id } = this.target();
    if (roll < 94) return { op: 'pendingCount', args: [subject, id] };
    // The management API's calls (StoreInspection): reads, and purges of a subject or one subscriber.
    if (roll < 97) return { op: 'inspect', args: [this.pick([...this.world.subjects, ...this.world.publishSubjects])] };
    if (roll < 99) return { op: 'peek', args: this.random(2) === 0 ? [subject, undefined, 1 + this.random(6)] : [subject, id, 1 + this.random(6)] };
    return { op: 'purge', args: this.random(3) === 0 ? [subject, id] : [subject, undefined] };
  }

  /** The memory id of a Redis id. */
  private memoryIdOf(redisId: string): string {
    for (const [memoryId, { redisId: known }] of this.subscribers) if (known === redisId) return memoryId;
    const anchor = this.anchors.get(redisId);
    if (anchor) return anchor;
    return `unknown ${redisId}`;
  }

  /**
   * Every listing at once: all subjects, one subject's figures, and its subscribers by the memory
   * store's ids (ids differ, so their order does too: sorted), without their activity times.
   */
  private async inspect(store: MessageStore, subject: string, idOf: (id: string) => string) {
    const subscribers = await store.listSubscribers(subject, undefined, 1000);
    // A replaying pattern subscriber's own log is listed as `<pattern> <id>`: by the memory id, in that order.
    const byMemoryIds = (page: Page<SubjectFigures>) => {
      const items = page.items.map((item) => {
        const [pattern, id] = item.subject.split(' ');
        return id === undefined ? item : { ...item, subject: `${pattern} ${idOf(id)}` };
      });
      return { ...page, items: items.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0)) };
    };
    return {
      subjects: byMemoryIds(await store.listSubjects('', undefined, 1000)),
      some: byMemoryIds(await store.listSubjects('', 'dead', 2)),
      prefixed: await store.listSubjects('ma', undefined, 10),
      figures: await store.subjectFigures(subject),
      subscribers: subscribers && subscribers.items.map(({ lastActiveMs, id, ...rest }) => ({ ...rest, id: idOf(id), active: lastActiveMs > 0 })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    };
  }

  /** The Redis id of a memory id; an id the memory store never gave is passed as it is. */
  private redisId(memoryId: string): string {
    return this.subscribers.get(memoryId)?.redisId ?? this.gone.find((one) => one.memoryId === memoryId)?.redisId ?? memoryId;
  }

  private async apply(op: string, args: unknown[]): Promise<[unknown, unknown]> {
    const { memory, redis } = this;
    if (op === 'subscribe') {
      const [subject, ack, options = {}] = args as [string, AckSettings | undefined, SubscribeOptions?];
      const onMemory = memory.subscribe(subject, ack, options);
      const onRedis = await redis.subscribe(subject, ack, options);
      if (typeof onMemory !== 'object' || typeof onRedis !== 'object') return [onMemory, onRedis];
      // Ids differ by design: an existing name's must be the one that name was given, a new one is compared by the rest.
      const known = this.subscribers.get(onMemory.id);
      if (known) return [{ ...onMemory, id: 'existing' }, { ...onRedis, id: known.redisId === onRedis.id ? 'existing' : `another: ${onRedis.id}` }];
      this.subscribers.set(onMemory.id, { subject, redisId: onRedis.id, ack: !!ack, seqs: [] });
      return [{ ...onMemory, id: '…' }, { ...onRedis, id: '…' }];
    }
    if (op === 'publish') {
      const [subject, data] = args as [string, string];
      return [memory.publish(subject, data), await redis.publish(subject, data)];
    }
    if (op === 'publishMany') {
      // The memory store has no publishMany: each on its own, in order, is what it must mean.
      const [batch] = args as [Array<{ subject: string; data: string }>];
      return [batch.map(({ subject, data }) => memory.publish(subject, data)), await redis.publishMany(batch)];
    }
    const [subject, id, ...rest] = args as [string, string, ...unknown[]];
    const redisId = this.redisId(id);
    switch (op) {
      case 'unsubscribe':
        return [memory.unsubscribe(subject, id), await redis.unsubscribe(subject, redisId)];
      case 'fetch':
        if (rest[1] === 'lean') return [memory.fetch(subject, id, rest[0] as number, 0, undefined, { lean: true }), await redis.fetch(subject, redisId, rest[0] as number, 0, undefined, { lean: true })];
        return [memory.fetch(subject, id, rest[0] as number), await redis.fetch(subject, redisId, rest[0] as number)];
      case 'ack':
        return [memory.ack(subject, id, rest[0] as number[]), await redis.ack(subject, redisId, rest[0] as number[])];
      case 'nack':
        return [memory.nack(subject, id, rest[0] as number[], 0), await redis.nack(subject, redisId, rest[0] as number[], 0)];
      case 'extend':
        return [memory.extend(subject, id, rest[0] as number[]), await redis.extend(subject, redisId, rest[0] as number[])];
      case 'pendingCount':
        return [memory.pendingCount(subject, id), await redis.pendingCount(subject, redisId)];
      case 'inspect':
        return [await this.inspect(memory, subject, (one) => one), await this.inspect(redis, subject, (one) => this.memoryIdOf(one))];
      case 'peek':
        return [memory.peek(subject, id === undefined ? undefined : id, rest[0] as number), await redis.peek(subject, id === undefined ? undefined : redisId, rest[0] as number)];
      case 'purge':
        return [memory.purge(subject, id === undefined ? undefined : id), await redis.purge(subject, id === undefined ? undefined : redisId)];
    }
    throw new Error(`unknown operation ${op}`);
  }

  /** Keeps the map of subscribers and the seqs handed out up to date, from the memory store's answers. */
  private remember(op: string, args: unknown[], onMemory: unknown): void {
    const [subject, id] = args as [string, string];
    if (op === 'unsubscribe' && onMemory === true) {
      this.gone.push({ subject, memoryId: id, redisId: this.subscribers.get(id)!.redisId });
      this.subscribers.delete(id);
    }
    if (op === 'fetch' && onMemory) {
      const answer = onMemory as { messages?: Array<{ seq: number }>; seqs?: number[] };
      for (const seq of answer.seqs ?? answer.messages?.map((message) => message.seq) ?? []) {
        this.subscribers.get(id)!.seqs.push(seq);
        this.highestSeq = Math.max(this.highestSeq, seq);
      }
    }
  }
}

/** A pair of stores with the same limits; closed after `work`, whatever happens. */
async function side(server: RedisServer, limits: StoreLimits, work: (memory: MemoryMessageStore, redis: RedisMessageStore) => Promise<void>) {
  const memory = new MemoryMessageStore(limits, RULES);
  const redis = await redisStore(server, limits);
  try {
    await work(memory, redis);
  } finally {
    memory.close();
    await redis.close();
  }
}

/** Waits until the clock has moved on, so two activities do not share a millisecond. */
async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  await eventually(() => Date.now() > now + 1, 1000);
}

describe('MemoryMessageStore and RedisMessageStore, side by side', () => {
  let server: RedisServer;
  const roomy: StoreLimits = {
    maxPending: 1000,
    maxPendingBytes: 100_000,
    maxPendingPerSubject: 1000,
    maxPendingBytesPerSubject: 100_000,
    maxSubscribers: 100,
    maxInFlight: 1000,
    maxFetchBytes: 100_000,
  };

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.close();
    RedisServer.killAll();
  });

  it.each(SEEDS)(`answer the same to ${STEPS} random operations, seed %i`, async (seed) => {
    await side(server, limitsFor(seed), (memory, redis) => new DifferentialRun(seed, memory, redis).run(STEPS));
  });

  it.each(PATTERN_SEEDS)(`answer the same to ${STEPS} random operations on patterns and the subjects they match, seed %i`, async (seed) => {
    await side(server, patternLimitsFor(seed), (memory, redis) => new DifferentialRun(seed, memory, redis, PATTERN_WORLD).run(STEPS));
  });

  it('expire the same idle subscribers', async () => {
    await side(server, roomy, async (memory, redis) => {
      const pairs: Array<[string, string, string]> = [];
      for (const subject of ['x', 'y', 'x', 'z', 'y']) {
        const [m, r] = [memory.subscribe(subject)!, (await redis.subscribe(subject))!];
        pairs.push([subject, m.id, r.id]);
      }
      memory.publish('x', 'one');
      await redis.publish('x', 'one');
      const active = pairs[1];
      await nextMillisecond();
      const cutoff = Date.now();
      await nextMillisecond();
      memory.fetch(active[0], active[1], 1);
      await redis.fetch(active[0], active[2], 1);
      const toMemory = new Map(pairs.map(([, m, r]) => [r, m]));
      const onMemory = memory.expireIdle(cutoff + 1, 100).map(({ subject, id }) => `${subject}/${id}`);
      const onRedis = (await redis.expireIdle(cutoff + 1, 100)).map(({ subject, id }) => `${subject}/${toMemory.get(id)}`);
      expect(onRedis.sort()).toEqual(onMemory.sort());
      expect(onMemory).toHaveLength(4);
      expect(await gauges(redis)).toEqual(await gauges(memory));
    });
  });

  it('expire named subscribers only in their own sweep, and keep counting the subjects they hold', async () => {
    await side(server, roomy, async (memory, redis) => {
      const toMemory = new Map<string, string>();
      for (const [subject, name] of [['x', 'n'], ['x', undefined], ['y', 'n'], ['z', undefined], ['y', 'm']] as const) {
        const options = name === undefined ? {} : { name };
        const [m, r] = [memory.subscribe(subject, undefined, options), await redis.subscribe(subject, undefined, options)];
        if (typeof m !== 'object' || typeof r !== 'object') throw new Error('not subscribed');
        toMemory.set(r.id, `${subject}/${m.id}`);
      }
      const later = Date.now() + 60_000;
      for (const named of [false, true]) {
        const onMemory = memory.expireIdle(later, 100, undefined, named).map(({ subject, id }) => `${subject}/${id}`);
        const onRedis = (await redis.expireIdle(later, 100, undefined, named)).map(({ id }) => toMemory.get(id));
        expect(onRedis.sort()).toEqual(onMemory.sort());
        expect(onMemory).toHaveLength(named ? 3 : 2);
        expect(await gauges(redis)).toEqual(await gauges(memory));
        // Again: nothing left of that kind, and the other kind's subjects still counted.
        expect(memory.expireIdle(later, 100, undefined, named)).toEqual([]);
        expect(await redis.expireIdle(later, 100, undefined, named)).toEqual([]);
        expect(await gauges(redis)).toEqual(await gauges(memory));
      }
      expect(await gauges(memory)).toMatchObject({ subscribers: 0, subjects: 0 });
    });
  });

  it('expire an idle subscriber behind subjects whose subscribers were active since, within the limit', async () => {
    await side(server, roomy, async (memory, redis) => {
      const toMemory = new Map<string, string>();
      const both: Array<[string, string, string]> = [];
      for (const subject of ['p', 'q', 'idle']) {
        const [m, r] = [memory.subscribe(subject)!, (await redis.subscribe(subject))!];
        toMemory.set(r.id, `${subject}/${m.id}`);
        both.push([subject, m.id, r.id]);
        await nextMillisecond();
      }
      const cutoff = Date.now();
      await nextMillisecond();
      for (const [subject, m, r] of both.slice(0, 2)) {
        memory.fetch(subject, m, 1);
        await redis.fetch(subject, r, 1);
      }
      // Fewer than the limit means none is left: the idle one must be among them.
      const onMemory = memory.expireIdle(cutoff, 2).map(({ subject, id }) => `${subject}/${id}`);
      const onRedis = (await redis.expireIdle(cutoff, 2)).map(({ id }) => toMemory.get(id));
      expect(onMemory).toEqual([`idle/${both[2][1]}`]);
      expect(onRedis).toEqual(onMemory);
    });
  });

  it('dead-letter the messages whose deadline passed together before any of them frees its room', async () => {
    await side(server, { ...roomy, maxPending: 3 }, async (memory, redis) => {
      const ack = { ackWaitMs: 200, maxDeliveries: 1, deadLetterSubject: 'dl' };
      const m = memory.subscribe('d', ack)!;
      const r = (await redis.subscribe('d', ack))!;
      memory.subscribe('dl');
      await redis.subscribe('dl');
      for (const data of ['one', 'two']) {
        memory.publish('d', data);
        await redis.publish('d', data);
      }
      memory.fetch('d', m.id, 5);
      await redis.fetch('d', r.id, 5);
      // Room for one dead letter while both messages are still held: one goes on, one is dropped.
      await eventually(() => memory.stats().inFlight === 0);
      await eventually(async () => (await redis.stats()).inFlight === 0);
      expect(await gauges(memory)).toMatchObject({ deadLettered: 1, deadLetterDropped: 1 });
      expect(await gauges(redis)).toEqual(await gauges(memory));
    });
  });

  // Known difference: the Redis store expires subject by subject (the subject with the longest idle
  // subscriber first, then all of its idle ones up to the limit), not the longest idle over all subjects.
  it.failing('expire the longest idle first when the limit stops them, whatever their subject', async () => {
    await side(server, roomy, async (memory, redis) => {
      const toMemory = new Map<string, string>();
      // Idle order: x/1, y/2, x/3; a limit of 2 takes x/1 and y/2.
      for (const subject of ['x', 'y', 'x']) {
        const [m, r] = [memory.subscribe(subject)!, (await redis.subscribe(subject))!];
        toMemory.set(r.id, `${subject}/${m.id}`);
        await nextMillisecond();
      }
      const onMemory = memory.expireIdle(Date.now() + 60_000, 2).map(({ subject, id }) => `${subject}/${id}`);
      const onRedis = (await redis.expireIdle(Date.now() + 60_000, 2)).map(({ id }) => toMemory.get(id));
      expect(onRedis).toEqual(onMemory);
    });
  });

  // Once a known difference: the Redis store reserved broker-wide room for a whole batch before its
  // subjects answered. On a single Redis the subjects' scripts now check the broker-wide limits themselves.
  it('publish a batch as if each message were published on its own, after the refused ones', async () => {
    const limits = { ...roomy, maxPending: 2, maxPendingPerSubject: 1 };
    await side(server, limits, async (memory, redis) => {
      for (const store of [memory, redis] as MessageStore[]) {
        await store.subscribe('a');
        await store.subscribe('b');
        await store.publish('a', 'held');
      }
      const batch = [
        { subject: 'a', data: 'refused by its subject' },
        { subject: 'b', data: 'fits the broker' },
      ];
      const onMemory = batch.map(({ subject, data }) => memory.publish(subject, data));
      expect(onMemory).toEqual(['subject-overflow', 'ok']);
      expect(await redis.publishMany(batch)).toEqual(onMemory);
    });
  });

  it('make a nacked message available again after its delay, before newer ones', async () => {
    await side(server, roomy, async (memory, redis) => {
      const m = memory.subscribe('n', { ackWaitMs: LONG_ACK_WAIT_MS })!;
      const r = (await redis.subscribe('n', { ackWaitMs: LONG_ACK_WAIT_MS }))!;
      for (const data of ['one', 'two', 'three']) {
        memory.publish('n', data);
        await redis.publish('n', data);
      }
      const both = async <T>(onMemory: T, onRedis: Promise<T>) => expect(await onRedis).toEqual(onMemory);
      await both(memory.fetch('n', m.id, 2), redis.fetch('n', r.id, 2));
      await both(memory.nack('n', m.id, [2], 300), redis.nack('n', r.id, [2], 300));
      await both(memory.pendingCount('n', m.id), redis.pendingCount('n', r.id));
      await both(memory.fetch('n', m.id, 5), redis.fetch('n', r.id, 5));
      await eventually(() => memory.pendingCount('n', m.id) === 1);
      await eventually(async () => (await redis.pendingCount('n', r.id)) === 1);
      await both(memory.fetch('n', m.id, 5), redis.fetch('n', r.id, 5));
      expect(await gauges(redis)).toEqual(await gauges(memory));
    });
  });

  it('redeliver past the ack deadline, then dead-letter after maxDeliveries', async () => {
    await side(server, roomy, async (memory, redis) => {
      const ack = { ackWaitMs: 200, maxDeliveries: 2, deadLetterSubject: 'dl' };
      const m = memory.subscribe('d', ack)!;
      const r = (await redis.subscribe('d', ack))!;
      const mDead = memory.subscribe('dl')!;
      const rDead = (await redis.subscribe('dl'))!;
      memory.publish('d', 'late');
      await redis.publish('d', 'late');
      const both = async <T>(onMemory: T, onRedis: Promise<T>) => expect(await onRedis).toEqual(onMemory);
      for (let delivery = 1; delivery <= 2; delivery++) {
        await eventually(() => memory.pendingCount('d', m.id) === 1);
        await eventually(async () => (await redis.pendingCount('d', r.id)) === 1);
        await both(memory.fetch('d', m.id, 5), redis.fetch('d', r.id, 5));
      }
      await eventually(() => memory.pendingCount('dl', mDead.id) === 1);
      await eventually(async () => (await redis.pendingCount('dl', rDead.id)) === 1);
      await both(memory.fetch('dl', mDead.id, 5), redis.fetch('dl', rDead.id, 5));
      expect(await gauges(redis)).toEqual(await gauges(memory));
    });
  });
});
