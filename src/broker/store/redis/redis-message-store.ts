import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { RedisConfig } from '../../../config/gophermq-config.js';
import type {
  TakeOptions,
  AckSettings,
  FetchedMessages,
  MessageStore,
  PublishOutcome,
  RetentionRule,
  SettleOutcome,
  StoreEvents,
  StoreLimits,
  StoreObserver,
  StoreStats,
  SubscriberInfo,
  SubscribeOptions,
  SubscribeRefusal,
} from '../message-store.js';
import type { Page, PeekedMessage, SubjectFigures, SubscriberFigures } from '../store-inspection.js';
import { RedisInspection } from './redis-inspection.js';
import { RedisAcknowledgements, RedisClock } from './redis-acknowledgements.js';
import { Accounting } from './redis-accounting.js';
import { createRedisClient, type RedisClient } from './redis-client.js';
import { RedisFetcher } from './redis-fetcher.js';
import { RedisGuard } from './redis-guard.js';
import { RedisIndexes } from './redis-indexes.js';
import { globalBase, subjectBase } from './redis-keys.js';
import { RedisPublisher } from './redis-publisher.js';
import { scriptRunner, type RunScript } from './redis-scripts.js';
import { RedisSubscribers } from './redis-subscribers.js';
import { RedisTidier } from './redis-tidier.js';
import { RedisWakeChannel } from './redis-wake-channel.js';
import { RedisRetention } from './redis-retention.js';
import { RetentionRules } from '../retention-rules.js';
import type { PushRegistrySource } from '../push/push-registry.js';
import { RedisPushRegistry } from '../push/redis-push-registry.js';
import { isPattern } from '../../subject-tree.js';
import { PATTERNS_CHANGED, RedisPatterns } from './redis-patterns.js';
import { RedisPatternForwarder } from './redis-pattern-forwarder.js';
import { RedisPatternReplay } from './redis-pattern-replay.js';
import { isReplayLog, logSubjectOf, publicSubjectOf, replays } from '../../pattern-replay.js';

/**
 * Messages and subscribers in Redis, shared by every instance configured with the same Redis and
 * key prefix. Each subject's state is changed by one Lua script per operation (lua/subject-*.lua),
 * which on a single Redis also keeps the broker-wide counts (redis-accounting.ts). A Redis that is
 * down or slow makes an operation fail within `commandTimeoutMs` (redis-guard.ts): the caller gets
 * BrokerError.storeUnavailable, never a hang. This class puts the parts together:
 * publishing, fetching, acknowledgements and subscribers each have a file of their own.
 */
export class RedisMessageStore implements MessageStore, PushRegistrySource {
  /** Which subscribers the brokers push to, shared by every instance (push/redis-push-registry.ts). */
  readonly pushRegistry: RedisPushRegistry;
  events?: StoreEvents;
  private readonly logger = new Logger('RedisStore');
  private readonly client: RedisClient;
  private readonly guard: RedisGuard;
  private readonly run: RunScript;
  private readonly global: string;
  private readonly wake: RedisWakeChannel;
  private readonly accounting: Accounting;
  private readonly tidier: RedisTidier;
  private readonly publisher: RedisPublisher;
  private readonly fetcher: RedisFetcher;
  private readonly acks: RedisAcknowledgements;
  private readonly subscribers: RedisSubscribers;
  private readonly retention: RedisRetention;
  private readonly inspection: RedisInspection;
  /** Wildcard subscriptions: the registry of patterns, and the forwarding into their logs. */
  private readonly patterns: RedisPatterns;
  private readonly forwarder: RedisPatternForwarder;
  /** Pattern subscribers that replay: each with a log of its own (pattern-replay.ts). */
  private readonly replay: RedisPatternReplay;
  /**
   * The store's events as the broker takes them: a replaying pattern subscriber's own log
   * (`<pattern> <id>`) named by its pattern, which is what its clients wait on.
   */
  private readonly outward: StoreEvents = {
    available: (subject, id) => this.events?.available(publicSubjectOf(subject), id),
    published: (subject) => this.events?.published(publicSubjectOf(subject)),
    removed: (subject, id) => this.events?.removed?.(publicSubjectOf(subject), id),
    dropped: (subject, deadLetterSubject) => this.events?.dropped?.(publicSubjectOf(subject), deadLetterSubject),
  };
  private readonly clock = new RedisClock();
  /** Tags this instance's wake messages, so it does not wake its own waiters twice. */
  private readonly instance = randomUUID();

  constructor(
    private readonly limits: StoreLimits,
    private readonly config: RedisConfig,
    /** config.yaml `retention`: every broker sharing the store needs the same rules. */
    retention: readonly RetentionRule[] = [],
  ) {
    const rules = new RetentionRules(retention);
    this.client = createRedisClient(config);
    this.guard = new RedisGuard(this.client, config.commandTimeoutMs);
    this.client.on('error', (error: Error) => this.guard.failed('connection', error));
    this.run = scriptRunner(this.client);
    this.global = globalBase(config.keyPrefix);
    this.wake = new RedisWakeChannel(this.client, `${config.keyPrefix}wake`, this.instance, {
      published: (subject) => (subject === PATTERNS_CHANGED ? void this.patterns.reload().catch(() => {}) : this.outward.published(subject)),
      available: (subject, id) => this.outward.available(subject, id),
      removed: (subject, id) => this.outward.removed!(subject, id),
    });
    const base = (subject: string) => subjectBase(config.keyPrefix, subject);
    const readData = (subject: string, ids: string[]) => this.readData(subject, ids);
    const observer = () => this.guard.observer;
    this.accounting = new Accounting(config.keyPrefix, config.clusterNodes !== '', config.commandTimeoutMs, this.run, this.guard);
    const indexes = new RedisIndexes(this.run, this.global, this.accounting);
    this.tidier = new RedisTidier(this.run, base, this.accounting, this.guard);
    this.publisher = new RedisPublisher(this.client, this.run, base, this.accounting, this.wake, limits, this.instance.slice(0, 12), rules, indexes);
    this.acks = new RedisAcknowledgements(this.run, base, this.accounting, indexes, this.tidier, this.wake, { publish: (messages) => this.publishRouted(messages) }, readData, this.guard, this.clock, () => this.outward, observer);
    this.fetcher = new RedisFetcher(this.run, base, this.accounting, this.acks, this.tidier, readData, limits);
    this.subscribers = new RedisSubscribers(this.run, base, this.accounting, indexes, this.tidier, this.wake, limits, observer, rules);
    this.pushRegistry = new RedisPushRegistry(this.client, this.guard, this.global);
    this.patterns = new RedisPatterns(
      this.client,
      this.run,
      this.global,
      () => this.client.publish(this.wake.channel, this.wake.publishedMessage(PATTERNS_CHANGED)),
      async (subject) => Number((await this.client.hget(`${base(subject)}:m`, 'subs')) ?? 0),
    );
    this.forwarder = new RedisPatternForwarder(this.client, this.run, base, this.accounting, this.wake, this.tidier, limits, this.patterns, () => this.outward);
    this.patterns.onForgotten = (pattern) => this.forwarder.detachAll(pattern);
    this.replay = new RedisPatternReplay(this.client, this.run, base, this.global, this.accounting, indexes, this.subscribers, this.patterns, this.forwarder, rules);
    this.retention = new RedisRetention(this.run, base, this.accounting, indexes, this.tidier, this.guard, rules, observer);
    this.inspection = new RedisInspection(this.run, this.global, base, this.accounting, indexes, this.tidier, readData);
  }

  /** Where a store backed by a server reports its calls (set once, by the metrics). */
  get observer(): StoreObserver | undefined {
    return this.guard.observer;
  }

  set observer(observer: StoreObserver | undefined) {
    this.guard.observer = observer;
  }

  /** Waits (at most the command timeout) for Redis; if it is not there, the broker starts anyway and answers 503 until it is. */
  async connect(): Promise<void> {
    const ready = this.client.status === 'ready' || (await this.guard.whenReady(once(this.client, 'ready')));
    if (!ready) this.logger.warn(`Redis is unreachable; requests answer 503 "store unavailable" until it answers`);
    await this.wake.start();
    this.acks.start();
    this.accounting.start();
    this.retention.start();
    this.patterns.start();
    this.forwarder.start();
  }

  /** The connection to Redis, for others that share Redis across instances (the rate limits): guarded like the store's own calls. */
  get redis(): RedisClient {
    return this.guard.guardedClient();
  }

  /** True when Redis answers: for /ready. */
  isAvailable(): Promise<boolean> {
    return this.guard.isAvailable();
  }

  /** Without a name nothing is refused, only undefined past maxSubscribers. */
  subscribe(subject: string, ack?: AckSettings): Promise<SubscriberInfo | undefined>;
  subscribe(subject: string, ack: AckSettings | undefined, options: SubscribeOptions): Promise<SubscriberInfo | SubscribeRefusal | undefined>;
  subscribe(subject: string, ack?: AckSettings, options?: SubscribeOptions): Promise<SubscriberInfo | SubscribeRefusal | undefined> {
    return this.guard.call('subscribe', async () => {
      if (isPattern(subject) && replays(options?.deliver)) return this.replay.subscribe(subject, ack, { ...options, deliver: options.deliver });
      if (isPattern(subject) && options?.name !== undefined) {
        const refusal = await this.replay.nameRefusal(subject, options.name, options.owner);
        if (refusal) return refusal;
      }
      const subscriber = await this.subscribers.subscribe(subject, ack, options);
      // A pattern is registered before the subscribe answers: this instance's next publish sees it.
      if (typeof subscriber === 'object' && isPattern(subject)) await this.patterns.register(subject);
      return subscriber;
    });
  }

  unsubscribe(subject: string, id: string): Promise<boolean> {
    return this.guard.call('unsubscribe', async () => {
      const log = logSubjectOf(subject, id);
      const removed = await this.subscribers.unsubscribe(log, id);
      if (removed && isPattern(subject)) await this.patterns.forgetIfUnused(log);
      return removed;
    });
  }

  publish(subject: string, data: string): Promise<PublishOutcome> {
    return this.publishMany([{ subject, data }]).then((outcomes) => outcomes[0]);
  }

  /**
   * A whole batch in one round trip on a single Redis (two on a Cluster), whatever its size. The
   * patterns its subjects match become readers of their logs first (in the same round trip), and
   * what was stored is forwarded to the patterns' logs after.
   */
  publishMany(messages: ReadonlyArray<{ subject: string; data: string }>): Promise<PublishOutcome[]> {
    return this.guard.call('publish', () => this.publishRouted(messages));
  }

  /** A publish (a client's, or the store's own dead letters) with its patterns' forwards. */
  private async publishRouted(messages: ReadonlyArray<{ subject: string; data: string }>): Promise<PublishOutcome[]> {
    const routes = new Map<string, readonly string[]>();
    for (const { subject } of messages) {
      if (routes.has(subject)) continue;
      const patterns = this.patterns.matching(subject);
      if (patterns.length > 0) routes.set(subject, patterns);
    }
    if (routes.size === 0) return this.publisher.publish(messages);
    const attached = Promise.all([...routes].map(([subject, patterns]) => this.forwarder.attach(subject, patterns)));
    const [, outcomes] = await Promise.all([attached, this.publisher.publish(messages)]);
    const stored = new Set(messages.filter((_, i) => outcomes[i] === 'ok').map(({ subject }) => subject));
    for (const subject of stored) this.forwarder.forward(subject, routes.get(subject) ?? []);
    return outcomes;
  }

  fetch(subject: string, id: string, max: number, waitMs = 0, maxBytes = this.limits.maxFetchBytes, options?: TakeOptions): Promise<FetchedMessages | undefined> {
    return this.guard.call('fetch', async () => {
      const log = logSubjectOf(subject, id);
      const taken = await this.fetcher.fetch(log, id, max, waitMs, maxBytes, options);
      // Room in a pattern's log: forwards that found it full go on.
      if (taken && taken.data.length > 0 && isPattern(subject)) this.forwarder.resume(log);
      return taken;
    });
  }

  ack(subject: string, id: string, seqs: readonly number[]): Promise<SettleOutcome> {
    return this.guard.call('ack', () => this.acks.settle('ack', logSubjectOf(subject, id), id, seqs, 0));
  }

  nack(subject: string, id: string, seqs: readonly number[], delayMs: number): Promise<SettleOutcome> {
    return this.guard.call('nack', () => this.acks.settle('nack', logSubjectOf(subject, id), id, seqs, delayMs));
  }

  extend(subject: string, id: string, seqs: readonly number[]): Promise<SettleOutcome> {
    return this.guard.call('extend', () => this.acks.settle('extend', logSubjectOf(subject, id), id, seqs, 0));
  }

  pendingCount(subject: string, id: string): Promise<number | undefined> {
    return this.guard.call('pending', () => this.subscribers.pendingCount(logSubjectOf(subject, id), id));
  }

  /**
   * Removes subscribers idle since before `idleSinceMs`, on whichever instance sweeps first. A
   * subscriber with a fetch waiting on any instance counts as active. Activity is on Redis's clock,
   * the caller's cut-off on ours. (Waiting fetches are known to Redis itself: `isActive` is not needed.)
   */
  expireIdle(idleSinceMs: number, limit: number, _isActive?: (subject: string, id: string) => boolean, named = false): Promise<SubscriberInfo[]> {
    return this.guard.call('expire', async () => {
      const expired = await this.subscribers.expireIdle(idleSinceMs + this.clock.offsetMs, limit, named);
      const wildcardLogs = expired.map(({ subject }) => subject).filter((subject) => isPattern(subject) || isReplayLog(subject));
      for (const log of new Set(wildcardLogs)) await this.patterns.forgetIfUnused(log);
      // A replaying pattern subscriber as its clients know it: by its pattern.
      return expired.map((info) => (isReplayLog(info.subject) ? { ...info, subject: publicSubjectOf(info.subject) } : info));
    });
  }

  /** The store-wide figures, in one call whatever the number of subjects (lua/global-stats.lua). */
  stats(): Promise<StoreStats> {
    return this.guard.call('stats', async () => {
      const [messagesHeld, bytesHeld, subscribers, inFlight, subjects, oldestMs, , retained, retainedBytes, droppedAge, droppedMessages, droppedBytes, patterns] = (await this.run(
        'gmqStats',
        this.global,
      )) as number[];
      return {
        messagesHeld,
        bytesHeld,
        subscribers,
        subjects,
        // Publish times are the publishing instance's clock (redis-publisher.ts).
        oldestPendingAgeMs: oldestMs < 0 ? 0 : Math.max(0, Date.now() - oldestMs),
        inFlight,
        redelivered: this.acks.redelivered,
        deadLettered: this.acks.deadLettered,
        deadLetterDropped: this.acks.deadLetterDropped,
        // On a Cluster, as the slots' scripts last reported them (summed like the others: redis-accounting.ts).
        retained,
        retainedBytes,
        retentionDropped: { age: droppedAge, messages: droppedMessages, bytes: droppedBytes },
        // The registry of patterns (redis-patterns.ts): a pattern leaves it with its last subscriber.
        patterns,
      };
    });
  }

  listSubjects(prefix: string, after: string | undefined, limit: number): Promise<Page<SubjectFigures>> {
    return this.guard.call('inspect', () => this.inspection.listSubjects(prefix, after, limit));
  }

  subjectFigures(subject: string): Promise<SubjectFigures | undefined> {
    return this.guard.call('inspect', () => this.inspection.subjectFigures(subject));
  }

  listSubscribers(subject: string, after: string | undefined, limit: number): Promise<Page<SubscriberFigures> | undefined> {
    return this.guard.call('inspect', () => this.inspection.listSubscribers(subject, after, limit));
  }

  peek(subject: string, id: string | undefined, max: number): Promise<PeekedMessage[] | undefined> {
    return this.guard.call('peek', () => this.inspection.peek(id === undefined ? subject : logSubjectOf(subject, id), id, max));
  }

  purge(subject: string, id: string | undefined): Promise<number | undefined> {
    return this.guard.call('purge', () => this.inspection.purge(id === undefined ? subject : logSubjectOf(subject, id), id));
  }

  /**
   * Brokers sharing the store: those subscribed to its wake channel (each instance is, once). A
   * Cluster answers for its own node only, so there it is not known (null).
   */
  instances(): Promise<number | null> {
    if (this.config.clusterNodes !== '') return Promise.resolve(null);
    return this.guard.call('inspect', async () => {
      const [, count] = (await (this.client as import('ioredis').Redis).pubsub('NUMSUB', this.wake.channel)) as [string, number];
      return Number(count);
    });
  }

  async close(): Promise<void> {
    this.acks.close();
    this.retention.close();
    this.patterns.stop();
    this.forwarder.stop();
    this.tidier.close();
    this.accounting.stop();
    this.guard.close();
    await this.wake.stop();
    this.client.disconnect();
  }

  /**
   * The data of messages a script handed out. A message trimmed meanwhile stays readable for a
   * grace time (subject.lua), so only a reader stalled longer than that finds it gone (null).
   */
  private async readData(subject: string, ids: string[]): Promise<Array<string | null>> {
    if (ids.length === 0) return [];
    const values = (await this.client.hmget(`${subjectBase(this.config.keyPrefix, subject)}:d`, ...ids)) as Array<string | null>;
    const gone = values.filter((value) => value === null).length;
    if (gone > 0) this.logger.warn(`${gone} message(s) of "${subject}" were gone before they were read`);
    return values;
  }
}
