import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { RedisConfig } from '../../../config/gophermq-config.js';
import { BrokerError } from '../../broker.error.js';
import { jsonStringBytes } from '../json-string-bytes.js';
import type {
  AckSettings,
  DeliveredMessage,
  FetchedMessages,
  MessageStore,
  PublishOutcome,
  SettleOutcome,
  StoreEvents,
  StoreLimits,
  StoreObserver,
  StoreStats,
  SubscriberInfo,
} from '../message-store.js';
import { createRedisClient, scriptOf, type RedisClient, type ScriptCall, type ScriptName } from './redis-client.js';
import { RedisWakeChannel } from './redis-wake-channel.js';

/**
 * Most messages one script takes for an at-most-once subscriber (Redis spends about 4 µs of CPU on
 * each), or handles for an acknowledged one, or publishes to one subject (10-15 µs each): a few
 * milliseconds at most, so no script holds Redis, and every instance waiting on it, for long.
 * Larger requests take several scripts.
 */
const SCRIPT_BATCH = 1000;
const ACK_SCRIPT_BATCH = 250;
/** As in subject-scripts.ts: most messages one script trims, and how long trimmed data stays. */
const TRIM_BATCH = 1000;
const GRACE_MS = 5000;
/** Subscribers one expiry script removes. */
const EXPIRE_BATCH = 100;
/** Longest wait between two looks at the redelivery index, for deadlines set by other instances. */
const DUE_POLL_MS = 1000;
/** Subjects the gauges of oldest age and messages in flight look at per scrape. */
const STATS_SUBJECTS = 1000;

type Settle = 'ack' | 'nack' | 'extend' | 'settle';

/** What the fetch scripts handed out, in order. */
interface Taken {
  ids: string[];
  seqs: number[];
  deliveries: number[];
}

/** A message a script found delivered maxDeliveries times, for the caller to hand on. */
interface Exhausted {
  seq: number;
  messageId: string;
  /** The subscriber's dead-letter subject, '' for none. */
  target: string;
}

/**
 * Messages and subscribers in Redis, shared by every instance configured with the same Redis and
 * key prefix. Each subject's state is changed by one Lua script per operation (see
 * subject-scripts.ts); broker-wide limits are reserved in the ledger first (ledger-scripts.ts).
 * A Redis that is down or slow makes a call fail within `commandTimeoutMs`: the caller gets
 * BrokerError.storeUnavailable, never a hang.
 */
export class RedisMessageStore implements MessageStore {
  events?: StoreEvents;
  observer?: StoreObserver;
  private readonly logger = new Logger('RedisStore');
  private readonly client: RedisClient;
  private readonly wake: RedisWakeChannel;
  private readonly scripts = new Map<ScriptName, ScriptCall>();
  private readonly ledgerKey: string;
  /** Tags this instance's wake messages, so it does not wake its own waiters twice. */
  private readonly instance = randomUUID();
  private up = true;
  private serial = 0;
  private redelivered = 0;
  private deadLettered = 0;
  private deadLetterDropped = 0;
  private dueTimer?: NodeJS.Timeout;
  /** Subjects to trim further, or whose trimmed data is to be deleted, in the background. */
  private readonly tidying = new Map<string, NodeJS.Timeout>();
  private dueAt = Infinity;
  private sweeping = false;
  private closed = false;
  /** Redis's clock minus ours, as last seen: deadlines are on Redis's clock. */
  private clockOffsetMs = 0;
  private lastErrorLogMs = 0;

  constructor(
    private readonly limits: StoreLimits,
    private readonly config: RedisConfig,
  ) {
    this.client = createRedisClient(config);
    this.client.on('error', (error: Error) => this.logError('connection', error));
    this.ledgerKey = `${config.keyPrefix}{~}`;
    this.wake = new RedisWakeChannel(this.client, `${config.keyPrefix}wake`, this.instance, {
      published: (subject) => this.events?.published(subject),
      available: (subject, id) => this.events?.available(subject, id),
      removed: (subject, id) => this.events?.removed?.(subject, id),
    });
  }

  /** Waits (at most the command timeout) for Redis; if it is not there, the broker starts anyway and answers 503 until it is. */
  async connect(): Promise<void> {
    const ready = await this.ready();
    if (!ready) this.logger.warn(`Redis is unreachable; requests answer 503 "store unavailable" until it answers`);
    await this.wake.start();
    this.scheduleDue(Date.now());
  }

  /** The connection to Redis, which others that share Redis across instances use too (the rate limits). */
  get redis(): RedisClient {
    return this.client;
  }

  /** True when Redis answers: for /ready. */
  async isAvailable(): Promise<boolean> {
    if (this.up && this.client.status === 'ready') return true;
    return this.ping();
  }

  subscribe(subject: string, ack?: AckSettings): Promise<SubscriberInfo | undefined> {
    return this.call('subscribe', async () => {
      const start = (await this.run('gmqReserveSubscriber', this.ledgerKey, this.limits.maxSubscribers, subject)) as number;
      if (start < 0) return undefined;
      const id = randomUUID();
      const created = await this.run('gmqSubscribe', this.base(subject), id, start, ack?.ackWaitMs ?? '', ack?.maxDeliveries ?? '', ack?.deadLetterSubject ?? '');
      // Listed again after the log exists: a removal of the old log's entry cannot pass this one.
      if (created === 1) await this.run('gmqLower', this.ledgerKey, 'idle', subject, 'now');
      return ack ? { id, subject, ack: { ...ack } } : { id, subject };
    });
  }

  unsubscribe(subject: string, id: string): Promise<boolean> {
    return this.call('unsubscribe', async () => {
      const [removed, messages, bytes, droppedEnd] = (await this.run('gmqUnsubscribe', this.base(subject), id, subject, this.wake.channel)) as number[];
      if (removed === 0) return false;
      await this.release(messages, bytes, 1, droppedEnd, subject);
      if (droppedEnd > 0) await this.unlist(subject);
      return true;
    });
  }

  publish(subject: string, data: string): Promise<PublishOutcome> {
    return this.call('publish', async () => (await this.publishEach([{ subject, data }]))[0]);
  }

  /** A whole batch in two round trips, whatever its size: one reservation, then every write at once. */
  publishMany(messages: ReadonlyArray<{ subject: string; data: string }>): Promise<PublishOutcome[]> {
    return this.call('publish', () => this.publishEach(messages));
  }

  fetch(subject: string, id: string, max: number, waitMs = 0, maxBytes = this.limits.maxFetchBytes): Promise<FetchedMessages | undefined> {
    return this.call('fetch', async () => {
      const taken: Taken = { ids: [], seqs: [], deliveries: [] };
      const sideCalls: Array<Promise<unknown> | undefined> = [];
      const reads: Array<Promise<Array<string | null>>> = [];
      let budget = maxBytes;
      let remaining = 0;
      let acknowledged = false;
      // A batch per script, so no script holds Redis long; the budget and `max` span the batches.
      for (let first = true; taken.ids.length < max; first = false) {
        // Until the first answer says, the subscriber may be acknowledged: the smaller batch.
        const want = Math.min(max - taken.ids.length, first || acknowledged ? ACK_SCRIPT_BATCH : SCRIPT_BATCH);
        const answer = (await this.run('gmqFetch', this.base(subject), id, want, budget, first ? waitMs : 0, first ? 1 : 0)) as -1 | Array<number | string>;
        if (answer === -1) {
          if (first) return undefined;
          break; // unsubscribed meanwhile: what it took is its answer
        }
        const [left, messagesFreed, bytesFreed, dueHint, redelivered, used] = answer as number[];
        sideCalls.push(this.release(messagesFreed, bytesFreed, 0, 0, subject), this.lowerDue(subject, dueHint));
        remaining = left;
        budget -= used;
        acknowledged = redelivered >= 0;
        if (acknowledged) this.redelivered += redelivered;
        const ids: string[] = [];
        for (let i = 6; i < answer.length; i += 3) {
          ids.push(answer[i] as string);
          taken.seqs.push(answer[i + 1] as number);
          taken.deliveries.push(answer[i + 2] as number);
        }
        taken.ids.push(...ids);
        // Each batch's data is read at once, sent with the next script: however long the whole
        // fetch takes, no batch waits past the grace that keeps trimmed data readable.
        reads.push(this.values(subject, ids));
        if (ids.length < want) break;
      }
      const [values] = await Promise.all([Promise.all(reads).then((batches) => batches.flat()), ...sideCalls]);
      const data: string[] = [];
      const messages: DeliveredMessage[] = [];
      values.forEach((value, n) => {
        if (value === null) return;
        data.push(value);
        if (acknowledged) messages.push({ seq: taken.seqs[n], data: value, deliveries: taken.deliveries[n] });
      });
      return acknowledged ? { data, remaining, messages } : { data, remaining };
    });
  }

  ack(subject: string, id: string, seqs: readonly number[]): Promise<SettleOutcome> {
    return this.settle('ack', subject, id, seqs, 0);
  }

  nack(subject: string, id: string, seqs: readonly number[], delayMs: number): Promise<SettleOutcome> {
    return this.settle('nack', subject, id, seqs, delayMs);
  }

  extend(subject: string, id: string, seqs: readonly number[]): Promise<SettleOutcome> {
    return this.settle('extend', subject, id, seqs, 0);
  }

  pendingCount(subject: string, id: string): Promise<number | undefined> {
    return this.call('pending', async () => {
      const pending = (await this.run('gmqPending', this.base(subject), id)) as number;
      return pending < 0 ? undefined : pending;
    });
  }

  /**
   * Removes subscribers idle since before `idleSinceMs`, on whichever instance sweeps first: each is
   * removed by one script, once. A subscriber with a fetch waiting on any instance counts as active.
   */
  expireIdle(idleSinceMs: number, limit: number): Promise<SubscriberInfo[]> {
    return this.call('expire', async () => {
      // Activity is on Redis's clock; the caller's cut-off is on ours.
      const idleSince = idleSinceMs + this.clockOffsetMs;
      const expired: SubscriberInfo[] = [];
      // An entry of the index may be early (its subscribers were active since): a page of such
      // subjects removes nobody, and fewer than `limit` must mean that none is left. So the next
      // page, until enough are removed, no candidate is left, or a page changes nothing.
      for (let moved = 1; expired.length < limit && moved > 0; ) {
        const [, , ...candidates] = (await this.run('gmqCandidates', this.ledgerKey, 'idle', idleSince - 1, limit)) as string[];
        moved = 0;
        for (let i = 0; i < candidates.length && expired.length < limit; i += 2) {
          const subject = candidates[i];
          let earliest = -1;
          // EXPIRE_BATCH subscribers per script, so no script holds Redis long.
          for (let full = true; full && expired.length < limit; ) {
            const batch = Math.min(limit - expired.length, EXPIRE_BATCH);
            const answer = (await this.run('gmqExpire', this.base(subject), idleSince, batch)) as Array<number | string>;
            const [subjectEarliest, messages, bytes, , , droppedEnd] = answer as number[];
            const ids = answer.slice(6) as string[];
            await this.release(messages, bytes, ids.length, droppedEnd, subject);
            for (const id of ids) expired.push({ id, subject });
            moved += ids.length;
            earliest = subjectEarliest;
            full = ids.length === batch;
          }
          moved += (await this.run('gmqRaise', this.ledgerKey, 'idle', subject, candidates[i + 1], earliest)) as number;
        }
        if (candidates.length < 2 * limit) break;
      }
      return expired;
    });
  }

  stats(): Promise<StoreStats> {
    return this.call('stats', async () => {
      const [messagesHeld, bytesHeld, subscribers, subjects, ...names] = (await this.run('gmqTotals', this.ledgerKey, STATS_SUBJECTS)) as Array<number | string>;
      const heads = (await Promise.all((names as string[]).map((name) => this.run('gmqHead', this.base(name))))) as number[][];
      let oldestMs = Infinity;
      let inFlight = 0;
      for (const [publishedMs, held] of heads) {
        if (publishedMs >= 0) oldestMs = Math.min(oldestMs, publishedMs);
        inFlight += held;
      }
      return {
        messagesHeld: messagesHeld as number,
        bytesHeld: bytesHeld as number,
        subscribers: subscribers as number,
        subjects: subjects as number,
        oldestPendingAgeMs: oldestMs === Infinity ? 0 : Math.max(0, Date.now() - oldestMs),
        inFlight,
        redelivered: this.redelivered,
        deadLettered: this.deadLettered,
        deadLetterDropped: this.deadLetterDropped,
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.dueTimer);
    for (const timer of this.tidying.values()) clearTimeout(timer);
    await this.wake.stop();
    this.client.disconnect();
  }

  private base(subject: string): string {
    return `${this.config.keyPrefix}{${subject}}`;
  }

  /**
   * The data of messages a script handed out. A message trimmed meanwhile stays readable for a
   * grace time (subject-scripts.ts), so only a reader stalled longer than that finds it gone (null).
   */
  private async values(subject: string, ids: string[]): Promise<Array<string | null>> {
    if (ids.length === 0) return [];
    const values = (await this.client.hmget(`${this.base(subject)}:d`, ...ids)) as Array<string | null>;
    const gone = values.filter((value) => value === null).length;
    if (gone > 0) this.logger.warn(`${gone} message(s) of "${subject}" were gone before they were read`);
    return values;
  }

  /** A message id, unique over instances: this instance's tag and a counter. */
  private nextMessageId(): string {
    return `${this.instance.slice(0, 12)}${(++this.serial).toString(36)}`;
  }

  private run(name: ScriptName, key: string, ...args: Array<string | number>): Promise<unknown> {
    let script = this.scripts.get(name);
    if (!script) this.scripts.set(name, (script = scriptOf(this.client, name)));
    return script(key, ...args);
  }

  /** Times one operation; a Redis failure becomes 503 `store unavailable` for the request. */
  private async call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.up = true;
      this.observer?.call(operation, (performance.now() - started) / 1000, false);
      return result;
    } catch (error) {
      if (error instanceof BrokerError) throw error;
      this.up = false;
      this.observer?.call(operation, (performance.now() - started) / 1000, true);
      this.logError(operation, error as Error);
      throw BrokerError.storeUnavailable();
    }
  }

  /** Waits for the first connection, at most the command timeout. */
  private async ready(): Promise<boolean> {
    if (this.client.status !== 'ready') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        once(this.client, 'ready').catch(() => {}),
        new Promise((resolve) => (timer = setTimeout(resolve, this.config.commandTimeoutMs))),
      ]);
      clearTimeout(timer);
    }
    return this.ping();
  }

  private async ping(): Promise<boolean> {
    try {
      await this.client.ping();
      this.up = true;
    } catch {
      this.up = false;
    }
    return this.up;
  }

  /** At most one line per 10 s: a Redis outage fails every request. */
  private logError(operation: string, error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLogMs < 10_000) return;
    this.lastErrorLogMs = now;
    this.logger.error(`Redis ${operation} failed: ${error.message}`);
  }

  /**
   * Reserves broker-wide room for every message in one call, then writes each subject's messages
   * with one HSET and one script, all subjects at once (auto-pipelining sends them together): two
   * round trips for a whole batch.
   */
  private async publishEach(messages: ReadonlyArray<{ subject: string; data: string }>): Promise<PublishOutcome[]> {
    if (messages.length === 0) return [];
    const sizes = messages.map(({ data }) => Buffer.byteLength(data, 'utf8'));
    const granted = (await this.run('gmqReserveMessages', this.ledgerKey, this.limits.maxPending, this.limits.maxPendingBytes, ...sizes)) as string;
    const { maxPendingPerSubject, maxPendingBytesPerSubject } = this.limits;
    const outcomes = new Array<Promise<PublishOutcome>>(messages.length);
    const bySubject = new Map<string, number[]>();
    messages.forEach(({ subject }, i) => {
      if (granted[i] === '1') {
        const indexes = bySubject.get(subject);
        if (indexes) indexes.push(i);
        else bySubject.set(subject, [i]);
      } else {
        outcomes[i] = this.run('gmqRefusal', this.base(subject), sizes[i], maxPendingPerSubject, maxPendingBytesPerSubject) as Promise<PublishOutcome>;
      }
    });
    for (const [subject, all] of bySubject) {
      // A few hundred messages per script, so no script holds Redis long.
      for (let from = 0; from < all.length; from += ACK_SCRIPT_BATCH) {
        const indexes = all.slice(from, from + ACK_SCRIPT_BATCH);
        const written = this.write(subject, indexes.map((i) => messages[i].data), indexes.map((i) => sizes[i]));
        indexes.forEach((i, n) => (outcomes[i] = written.then((each) => each[n])));
      }
    }
    const settled = await Promise.all(outcomes);
    let unused = 0;
    let unusedBytes = 0;
    settled.forEach((outcome, i) => {
      if (granted[i] === '1' && outcome !== 'ok') {
        unused += 1;
        unusedBytes += sizes[i];
      }
    });
    await this.release(unused, unusedBytes, 0, 0);
    return settled;
  }

  /**
   * The subject's log is gone: take it off the idle index, unless a subscribe made a new one. The
   * version is read before looking, and a subscribe that makes a log bumps it afterwards.
   */
  private async unlist(subject: string): Promise<void> {
    const version = await this.run('gmqVersion', this.ledgerKey, 'idle', subject);
    if ((await this.run('gmqHasSubscribers', this.base(subject))) === 1) return;
    await this.run('gmqRaise', this.ledgerKey, 'idle', subject, version as string, -1);
  }

  /**
   * The data of one subject's messages, then the publish script that appends them (or deletes the
   * data of those it refuses): sent together, run in order on the subject's node. The data never
   * passes through Lua. (A MULTI would make the pair atomic, but ioredis cannot auto-pipeline
   * MULTIs: 6× slower. An instance killed between the two leaves data behind, unlisted, until the
   * subject's log goes.)
   */
  private async write(subject: string, data: string[], bytes: number[]): Promise<PublishOutcome[]> {
    const base = this.base(subject);
    const fields: string[] = [];
    const entries: Array<string | number> = [];
    const now = Date.now();
    data.forEach((text, n) => {
      const id = this.nextMessageId();
      fields.push(id, text);
      entries.push(`${jsonStringBytes(text, bytes[n]) + 1}:${bytes[n]}:${now}:${id}`, bytes[n], id);
    });
    const { maxPendingPerSubject, maxPendingBytesPerSubject } = this.limits;
    const [, outcomes] = await Promise.all([
      this.client.hset(`${base}:d`, ...fields),
      this.run('gmqPublish', base, maxPendingPerSubject, maxPendingBytesPerSubject, this.wake.channel, this.wake.publishedMessage(subject), ...entries),
    ]);
    return outcomes as PublishOutcome[];
  }

  private settle(op: Settle, subject: string, id: string, seqs: readonly number[], delayMs: number): Promise<SettleOutcome> {
    return this.call(op, async () => {
      let count = 0;
      const exhausted: Exhausted[] = [];
      // A batch of seqs per script, so no script holds Redis long.
      for (let from = 0; from === 0 || from < seqs.length; from += ACK_SCRIPT_BATCH) {
        const batch = seqs.slice(from, from + ACK_SCRIPT_BATCH);
        const answer = (await this.run('gmqSettle', this.base(subject), op, id, delayMs, subject, ...batch, this.wake.channel)) as Array<number | string>;
        const [settled, messages, bytes, dueHint] = answer as number[];
        if (settled === -1) {
          if (from === 0) return 'bad-id';
          break; // unsubscribed meanwhile
        }
        if (settled === -2) return 'at-most-once';
        count += settled;
        await Promise.all([this.release(messages, bytes, 0, 0, subject), this.lowerDue(subject, dueHint)]);
        for (let i = 4; i < answer.length; i += 3) {
          exhausted.push({ seq: answer[i] as number, messageId: answer[i + 1] as string, target: answer[i + 2] as string });
        }
      }
      if (exhausted.length > 0) await this.deadLetter(subject, id, exhausted);
      return count;
    });
  }

  /**
   * Messages of one subscriber delivered maxDeliveries times: each published to the dead-letter
   * subject, then all settled. They stay in flight meanwhile, so an instance that dies in between
   * hands them on again later; and, as on the memory store, none frees its room before the last is
   * published.
   */
  private async deadLetter(subject: string, id: string, exhausted: Exhausted[]): Promise<void> {
    // One read, one batch publish (in order, grouped by dead-letter subject), settles in batches.
    const values = await this.values(subject, exhausted.map(({ messageId }) => messageId));
    const handedOn = exhausted.flatMap(({ target }, i) => (target !== '' && values[i] !== null ? [i] : []));
    const outcomes = await this.publishEach(handedOn.map((i) => ({ subject: exhausted[i].target, data: values[i]! })));
    const outcomeOf = new Map(handedOn.map((i, n) => [i, outcomes[n]]));
    exhausted.forEach(({ target }, i) => {
      if (outcomeOf.get(i) === 'ok') {
        this.deadLettered += 1;
        this.events?.published(target);
      } else {
        this.deadLetterDropped += 1;
        this.events?.dropped?.(subject, target === '' ? undefined : target);
      }
    });
    for (let from = 0; from < exhausted.length; from += ACK_SCRIPT_BATCH) {
      const seqs = exhausted.slice(from, from + ACK_SCRIPT_BATCH).map(({ seq }) => seq);
      const [, messages, bytes] = (await this.run('gmqSettle', this.base(subject), 'settle', id, 0, subject, ...seqs, this.wake.channel)) as number[];
      await this.release(messages, bytes, 0, 0, subject);
    }
  }

  /**
   * Gives back to the ledger what a subject's script freed. A script trims at most TRIM_BATCH
   * messages, and deletes trimmed data only GRACE_MS later: a subject that trimmed is tidied in the
   * background until nothing is left to trim or delete, even if no request comes for it again.
   */
  private release(messages: number, bytes: number, subscribers: number, droppedEnd: number, subject?: string): Promise<unknown> | undefined {
    if (subject !== undefined && messages > 0) this.tidyLater(subject, messages >= TRIM_BATCH ? 0 : GRACE_MS + 500);
    if (messages === 0 && bytes === 0 && subscribers === 0 && droppedEnd === 0) return undefined;
    return this.run('gmqRelease', this.ledgerKey, messages, bytes, subscribers, droppedEnd);
  }

  private tidyLater(subject: string, delayMs: number): void {
    const pending = this.tidying.get(subject);
    if (this.closed || (pending && delayMs > 0)) return;
    clearTimeout(pending);
    this.tidying.set(subject, setTimeout(() => void this.tidy(subject), delayMs).unref());
  }

  private async tidy(subject: string): Promise<void> {
    this.tidying.delete(subject);
    try {
      let dataLeft = 0;
      for (let more = true; more; ) {
        const [messages, bytes, deleted, left] = (await this.run('gmqTrim', this.base(subject))) as number[];
        await this.release(messages, bytes, 0, 0);
        more = messages >= TRIM_BATCH || deleted >= 2 * TRIM_BATCH;
        dataLeft = left;
      }
      if (dataLeft > 0) this.tidyLater(subject, GRACE_MS + 500);
    } catch (error) {
      this.logError('trim', error as Error);
      this.tidyLater(subject, GRACE_MS + 500);
    }
  }


  /** A request set an earlier redelivery on `subject`: tell the index, and look then. */
  private lowerDue(subject: string, dueAtMs: number): Promise<unknown> | undefined {
    if (dueAtMs < 0) return undefined;
    this.scheduleDue(dueAtMs - this.clockOffsetMs);
    return this.run('gmqLower', this.ledgerKey, 'due', subject, dueAtMs);
  }

  private scheduleDue(atMs: number): void {
    if (this.closed || atMs >= this.dueAt) return;
    clearTimeout(this.dueTimer);
    this.dueAt = atMs;
    this.dueTimer = setTimeout(() => void this.sweepDue(), Math.max(0, atMs - Date.now())).unref();
  }

  /** Redeliveries and dead letters of every subject due now, whichever instance set them. */
  private async sweepDue(): Promise<void> {
    this.dueAt = Infinity;
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    let next = Date.now() + DUE_POLL_MS;
    try {
      const [redisNow, , ...candidates] = (await this.run('gmqCandidates', this.ledgerKey, 'due', 'now', 100)) as Array<number | string>;
      this.clockOffsetMs = (redisNow as number) - Date.now();
      for (let i = 0; i < candidates.length; i += 2) {
        const subject = candidates[i] as string;
        const answer = (await this.run('gmqDue', this.base(subject), this.wake.channel, '', ACK_SCRIPT_BATCH, subject)) as Array<number | string>;
        const [subjectNext, handled] = answer as number[];
        // The script lists each subscriber's exhausted messages together.
        const bySubscriber = new Map<string, Exhausted[]>();
        for (let j = 2; j < answer.length; j += 4) {
          const id = answer[j] as string;
          if (!bySubscriber.has(id)) bySubscriber.set(id, []);
          bySubscriber.get(id)!.push({ seq: answer[j + 1] as number, messageId: answer[j + 2] as string, target: answer[j + 3] as string });
        }
        for (const [id, exhausted] of bySubscriber) await this.deadLetter(subject, id, exhausted);
        await this.run('gmqRaise', this.ledgerKey, 'due', subject, candidates[i + 1], subjectNext);
        if (handled >= ACK_SCRIPT_BATCH) next = Date.now();
        else if (subjectNext >= 0) next = Math.min(next, subjectNext - this.clockOffsetMs);
      }
      if (candidates.length >= 200) next = Date.now();
    } catch (error) {
      this.logError('redelivery', error as Error);
    } finally {
      this.sweeping = false;
      this.scheduleDue(next);
    }
  }
}
