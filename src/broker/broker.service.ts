import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { BrokerError, BrokerErrorCode } from './broker.error.js';
import { FetchWaiters } from './fetch-waiters.js';
import { isValidSubject } from './subject.js';
import { isPattern } from './subject-tree.js';
import { isValidSubjectPattern } from '../auth/subject-pattern.js';
import { isSubscriberId } from './subscriber-id.js';
import {
  DEFAULT_MAX_ACK_PENDING,
  MESSAGE_STORE,
  type AckSettings,
  type Awaitable,
  type FetchedMessages,
  type MessageStore,
  type PublishOutcome,
  type SettleOutcome,
  type SubscribeOptions,
  type SubscriberInfo,
  type TakeOptions,
} from './store/message-store.js';

/**
 * Most messages one fetch takes, `max` or not: a fetch of a million tiny messages (within the byte
 * budget) would hold the event loop for a quarter of a second.
 */
export const MAX_FETCH_MESSAGES = 10_000;

/**
 * Meters the bytes a fetch's answer may take, for a caller that shares a budget between clients
 * (the HTTP layer, between the answers its clients have not read yet). Each take asks right before
 * it runs, so a fetch that waited gets the room there is when it wakes, not when it started.
 */
export interface AnswerBudget {
  /** The most bytes (as the store counts them, JSON-encoded) the next take may return; held until settle(). */
  reserve(): number;
  /** The take is over: what it took (undefined when it failed or found no such subscriber). */
  settle(taken: FetchedMessages | undefined): void;
}

export interface FetchOptions {
  /** Most messages to take, up to MAX_FETCH_MESSAGES (also the default). */
  max?: number;
  /** How long to wait for a message when none is pending; 0 answers at once. */
  waitMs?: number;
  /** Aborted when the client goes away; a waiting fetch then takes nothing. */
  signal?: AbortSignal;
  /** The answer's byte budget; without it, the store's own (broker.max-fetch-bytes). */
  budget?: AnswerBudget;
  /** The lean answer: seqs and the rest as arrays beside `data`, not `messages` (TakeOptions.lean). */
  lean?: boolean;
}

/** Why a publish was refused, as counted in metrics. */
export type RefusalReason = 'no_subscriber' | 'overflow' | 'subject_overflow';

/** Running totals, read by the metrics module at scrape time. */
export class BrokerCounters {
  published = 0;
  delivered = 0;
  expiredSubscribers = 0;
  /** Messages dropped by purges of the management API. */
  purged = 0;
  readonly refused: Record<RefusalReason, number> = { no_subscriber: 0, overflow: 0, subject_overflow: 0 };
}

/** One batch entry's outcome, as the API returns it. */
export type PublishResult = { status: 'ok' } | { message: string };
const PUBLISHED: PublishResult = Object.freeze({ status: 'ok' });
/** A batch entry the caller's token may not publish (auth.tokens). */
const FORBIDDEN: PublishResult = Object.freeze({ message: 'forbidden' });

const NOTHING: FetchedMessages = Object.freeze({ data: [], remaining: 0 }) as FetchedMessages;
const LEAN: TakeOptions = Object.freeze({ lean: true });

/**
 * The broker's rules, independent of HTTP: subjects are checked here, the store keeps the messages,
 * and fetches that asked to wait are parked until a publish wakes them.
 */
@Injectable()
export class BrokerService implements BeforeApplicationShutdown, OnApplicationShutdown {
  readonly counters = new BrokerCounters();
  readonly waiters = new FetchWaiters();
  private closing = false;

  constructor(@Inject(MESSAGE_STORE) readonly store: MessageStore) {
    // Redeliveries and dead letters happen on the store's timer, not in a request: wake who waits.
    store.events = {
      available: (subject, id) => this.waiters.wakeOne(subject, id),
      removed: (subject, id) => this.waiters.wakeAll(subject, id),
      published: (subject) => this.waiters.notify(subject),
      dropped: (subject, deadLetterSubject) => this.reportDropped(subject, deadLetterSubject),
    };
  }

  private readonly logger = new Logger(BrokerService.name);
  private lastDropReportMs = 0;
  private unreportedDrops = 0;

  /** A message delivered maxDeliveries times was dropped: counted by the store, logged here at most every 10 s. */
  private reportDropped(subject: string, deadLetterSubject: string | undefined): void {
    this.unreportedDrops += 1;
    const now = Date.now();
    if (now - this.lastDropReportMs < 10_000) return;
    const why = deadLetterSubject === undefined ? 'no dead-letter subject' : `dead-letter subject "${deadLetterSubject}" refused it`;
    this.logger.warn(`dropped ${this.unreportedDrops} message(s) after maxDeliveries; latest of "${subject}": ${why}`);
    this.lastDropReportMs = now;
    this.unreportedDrops = 0;
  }

  /** True while the store can serve requests (a Redis store: Redis answers). */
  async storeAvailable(): Promise<boolean> {
    return (await this.store.isAvailable?.()) ?? true;
  }

  /** True once shutdown has begun. */
  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * A subscriber of `subject`; acknowledged (at least once) when `ack` is given. With a name: the
   * subscriber of that name if there is one (same owner, same settings), else a new one. A start
   * other than `new` (options.deliver) needs a retained subject.
   */
  async subscribe(subject: string, ack?: AckSettings, options?: SubscribeOptions): Promise<SubscriberInfo> {
    if (!isValidSubject(subject)) throw BrokerError.invalidSubject();
    // A wildcard subscription: a valid pattern (`>` only last); a start by seq means nothing across its subjects' seqs.
    if (isPattern(subject)) {
      if (!isValidSubjectPattern(subject)) throw BrokerError.invalidSubject();
      const { deliver } = options ?? {};
      if (typeof deliver === 'object' && 'fromSeq' in deliver) throw BrokerError.patternReplay();
    }
    if (ack?.deadLetterSubject !== undefined && !isPublishSubject(ack.deadLetterSubject)) throw BrokerError.invalidSubject();
    const subscriber = await this.store.subscribe(subject, ack && { ...ack, maxAckPending: ack.maxAckPending ?? DEFAULT_MAX_ACK_PENDING }, options);
    if (subscriber === undefined) throw BrokerError.tooManySubscribers();
    if (subscriber === 'settings-differ') throw BrokerError.subscriberSettingsDiffer();
    if (subscriber === 'name-taken') throw BrokerError.subscriberNameTaken();
    if (subscriber === 'not-retained') throw BrokerError.notRetained();
    return subscriber;
  }

  async publish(subject: string, data: string): Promise<void> {
    // Requests reach here with subjects their DTO already checked, but not for wildcards.
    if (!isPublishSubject(subject)) throw BrokerError.invalidSubject();
    this.published(subject, await this.store.publish(subject, data));
  }

  /** Counts a publish's outcome and wakes who waits on `subject`; a refusal is thrown. */
  private published(subject: string, outcome: PublishOutcome): void {
    switch (outcome) {
      case 'ok':
        this.counters.published += 1;
        this.waiters.notify(subject);
        return;
      case 'no-subscriber':
        this.counters.refused.no_subscriber += 1;
        throw BrokerError.subscriberNotFound();
      case 'overflow':
        this.counters.refused.overflow += 1;
        throw BrokerError.overflow();
      case 'subject-overflow':
        // The original's answer: its MaxPending was per subject.
        this.counters.refused.subject_overflow += 1;
        throw BrokerError.overflow();
    }
  }

  /**
   * Publishes in order; each entry succeeds or fails on its own, and one whose subject `mayPublish`
   * refuses answers `forbidden` and is not published. A store that is unavailable fails the whole
   * batch (503), so a client retries it, rather than entries one by one.
   */
  async publishBatch(
    messages: ReadonlyArray<{ subject: string; data: string }>,
    mayPublish: (subject: string) => boolean = () => true,
  ): Promise<PublishResult[]> {
    if (this.store.publishMany) return this.publishAll(messages, mayPublish, this.store.publishMany.bind(this.store));
    const results = new Array<PublishResult>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const { subject, data } = messages[i];
      results[i] = mayPublish(subject) ? await this.attempt(() => this.publish(subject, data)) : FORBIDDEN;
    }
    return results;
  }

  /** The batch in one call of the store, for the entries whose subject is valid and allowed. */
  private async publishAll(
    messages: ReadonlyArray<{ subject: string; data: string }>,
    mayPublish: (subject: string) => boolean,
    publishMany: NonNullable<MessageStore['publishMany']>,
  ): Promise<PublishResult[]> {
    const allowed = messages.map(({ subject }) => mayPublish(subject));
    const valid = messages.filter(({ subject }, i) => allowed[i] && isPublishSubject(subject));
    const outcomes = await publishMany(valid);
    let next = 0;
    const results = new Array<PublishResult>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const { subject } = messages[i];
      if (!allowed[i]) results[i] = FORBIDDEN;
      else if (!isPublishSubject(subject)) results[i] = { message: BrokerError.invalidSubject().message };
      else {
        const outcome = outcomes[next++];
        results[i] = await this.attempt(() => this.published(subject, outcome));
      }
    }
    return results;
  }

  private async attempt(publish: () => unknown): Promise<PublishResult> {
    try {
      await publish();
      return PUBLISHED;
    } catch (error) {
      if (!(error instanceof BrokerError) || error.code === BrokerErrorCode.StoreUnavailable) throw error;
      return { message: error.message };
    }
  }

  async fetch(subject: string, id: string, options: FetchOptions = {}): Promise<FetchedMessages> {
    assertSubscriber(subject, id);
    const max = Math.min(options.max ?? MAX_FETCH_MESSAGES, MAX_FETCH_MESSAGES);
    const waitMs = options.waitMs ?? 0;
    const take: TakeOptions | undefined = options.lean ? LEAN : undefined;
    if (waitMs <= 0 || this.closing) return this.take(subject, id, max, options.budget, take);

    const deadline = Date.now() + waitMs;
    for (let first = true; ; first = false) {
      // Armed before looking, so a publish between the look and the wait still wakes us.
      const waiter = this.waiters.arm(subject, id);
      const taken = await this.takeWithin(options.budget, subject, id, max, Math.max(deadline - Date.now(), 1), take);
      const timeLeft = deadline - Date.now();
      if (!taken || taken.data.length > 0 || timeLeft <= 0 || this.closing) {
        waiter.finish('woken');
        if (taken) return this.delivered(taken, subject, id);
        if (first) throw BrokerError.badId();
        return NOTHING; // unsubscribed or expired while waiting: end with what it has
      }
      const outcome = await waiter.until(timeLeft, options.signal);
      if (outcome === 'aborted') return NOTHING;
      if (options.signal?.aborted) {
        // Gone between its wake and its turn to resume: it takes nothing, and the wake goes on.
        if (outcome === 'woken') this.waiters.wakeOne(subject, id);
        return NOTHING;
      }
    }
  }

  /**
   * One take for a consumer that stays on a subscriber (an event stream, see StandingConsumers):
   * what a fetch that does not wait takes, within `maxBytes`. `waitMs`: how long the consumer will
   * wait for a wake if nothing is taken (a store shared by instances then tells it of publishes).
   * Undefined when no such subscriber. The caller counts what it hands on (countDelivered).
   */
  takeStanding(subject: string, id: string, max: number, maxBytes: number, waitMs: number, options: TakeOptions): Awaitable<FetchedMessages | undefined> {
    return this.store.fetch(subject, id, max, waitMs, maxBytes, options);
  }

  /** Messages pending for a subscriber; 404 `bad id` when there is no such subscriber. */
  async pending(subject: string, id: string): Promise<number> {
    assertSubscriber(subject, id);
    const count = await this.store.pendingCount(subject, id);
    if (count === undefined) throw BrokerError.badId();
    return count;
  }

  /** Messages a standing consumer handed to its client. */
  countDelivered(count: number): void {
    this.counters.delivered += count;
  }

  /** Settles in-flight messages for good; returns how many were in flight. */
  async ack(subject: string, id: string, seqs: readonly number[]): Promise<number> {
    assertSubscriber(subject, id);
    const count = settled(await this.store.ack(subject, id, seqs));
    // Room under maxAckPending: a fetch waiting for it may take messages now.
    if (count > 0) this.waiters.wakeOne(subject, id);
    return count;
  }

  /** Makes in-flight messages available again after `delayMs`; returns how many were in flight. */
  async nack(subject: string, id: string, seqs: readonly number[], delayMs = 0): Promise<number> {
    assertSubscriber(subject, id);
    const count = settled(await this.store.nack(subject, id, seqs, delayMs));
    if (count > 0 && delayMs === 0) this.waiters.wakeOne(subject, id);
    return count;
  }

  /** Restarts the ack deadline of in-flight messages; returns how many were in flight. */
  async extend(subject: string, id: string, seqs: readonly number[]): Promise<number> {
    assertSubscriber(subject, id);
    return settled(await this.store.extend(subject, id, seqs));
  }

  async unsubscribe(subject: string, id: string): Promise<void> {
    assertSubscriber(subject, id);
    if (!(await this.store.unsubscribe(subject, id))) throw BrokerError.badId();
    this.waiters.wakeAll(subject, id);
  }

  /**
   * Removes up to `limit` subscribers that have not fetched since `idleSinceMs`; returns how many.
   * Fewer than `limit` means none is left. A subscriber with a waiting fetch is active, not idle.
   * Only subscribers without a name; `named`: only those with one.
   */
  async expireIdle(idleSinceMs: number, limit: number, named = false): Promise<number> {
    const expired = await this.store.expireIdle(idleSinceMs, limit, this.isWaiting, named);
    for (const { subject, id } of expired) this.waiters.wakeAll(subject, id);
    this.counters.expiredSubscribers += expired.length;
    return expired.length;
  }

  /** Shutdown: parked fetches answer now with what they have, so the HTTP server can close. Idempotent. */
  beginShutdown(): void {
    this.closing = true;
    this.waiters.wakeAll();
  }

  beforeApplicationShutdown(): void {
    this.beginShutdown();
  }

  /** The store's own timers (ack deadlines) stop with the application. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }

  private readonly isWaiting = (subject: string, id: string): boolean => this.waiters.isWaiting(subject, id);

  private async take(subject: string, id: string, max: number, budget: AnswerBudget | undefined, options: TakeOptions | undefined): Promise<FetchedMessages> {
    const taken = await this.takeWithin(budget, subject, id, max, undefined, options);
    if (!taken) throw BrokerError.badId();
    return this.delivered(taken, subject, id);
  }

  /**
   * One take from the store, within the budget's room; the budget is told what it took, even when it
   * fails. Not async: the memory store answers at once, and this is on every fetch's path.
   */
  private takeWithin(budget: AnswerBudget | undefined, subject: string, id: string, max: number, waitMs?: number, options?: TakeOptions): Awaitable<FetchedMessages | undefined> {
    if (budget === undefined) return this.store.fetch(subject, id, max, waitMs, undefined, options);
    const maxBytes = budget.reserve();
    let taken: Awaitable<FetchedMessages | undefined>;
    try {
      taken = this.store.fetch(subject, id, max, waitMs, maxBytes, options);
    } catch (error) {
      budget.settle(undefined);
      throw error;
    }
    if (!(taken instanceof Promise)) {
      budget.settle(taken);
      return taken;
    }
    return taken.then(
      (answer) => {
        budget.settle(answer);
        return answer;
      },
      (error: unknown) => {
        budget.settle(undefined);
        throw error;
      },
    );
  }

  /**
   * Counts what a fetch took. Messages it left behind are for another fetch of the subscriber
   * parked here: one is woken. A wake across instances stands for a burst of publishes (the Redis
   * store sends one until a fetch has looked), so a fetch it woke passes it on instead of leaving
   * the subscriber's other parked fetches to their `waitMs`.
   */
  private delivered(taken: FetchedMessages, subject: string, id: string): FetchedMessages {
    this.counters.delivered += taken.data.length;
    if (taken.data.length > 0 && taken.remaining > 0) this.waiters.wakeOne(subject, id);
    return taken;
  }
}

/** A request naming a subscriber: a valid subject, and an id of the form subscribe gives (else it is unknown: 404). */
function assertSubscriber(subject: string, id: string): void {
  if (!isValidSubject(subject)) throw BrokerError.invalidSubject();
  if (!isSubscriberId(id)) throw BrokerError.badId();
}

/** A subject a message may be published to: valid, and without wildcard tokens (it names one subject). */
export function isPublishSubject(subject: unknown): subject is string {
  return isValidSubject(subject) && !isPattern(subject);
}

function settled(outcome: SettleOutcome): number {
  if (outcome === 'bad-id') throw BrokerError.badId();
  if (outcome === 'at-most-once') throw BrokerError.notAcknowledged();
  return outcome;
}
