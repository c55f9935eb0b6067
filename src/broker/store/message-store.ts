import type { StoreInspection } from './store-inspection.js';

/** A value now, or later from a store that talks to a server. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Acknowledged delivery (at least once), chosen per subscriber at subscribe. Without it a subscriber
 * is at most once: a fetched message is gone.
 */
export interface AckSettings {
  /** A delivered message not acked within this long is delivered again. */
  ackWaitMs: number;
  /** After this many deliveries without an ack, a message is not delivered again; absent: no limit. */
  maxDeliveries?: number;
  /** Where such a message is published (as an ordinary message); absent: it is dropped. */
  deadLetterSubject?: string;
  /**
   * Most of its messages in flight at once: a fetch takes no more than leaves it at this many
   * (as JetStream's MaxAckPending); absent: DEFAULT_MAX_ACK_PENDING.
   */
  maxAckPending?: number;
}

/** maxAckPending of a subscriber that did not choose one. */
export const DEFAULT_MAX_ACK_PENDING = 1000;

/** One subscriber as the store reports it. */
export interface SubscriberInfo {
  id: string;
  subject: string;
  /** Present for an acknowledged subscriber. */
  ack?: AckSettings;
  /** Present for a named (durable) subscriber. */
  name?: string;
}

/**
 * Where a new subscriber starts on a retained subject: `new` (what is published after the
 * subscribe; the only start on a subject without retention), `all` (its oldest retained message),
 * `last` (its newest), the first retained message with seq >= fromSeq, or the first published at or
 * after fromTimeMs (Date.now() scale).
 */
export type DeliverPolicy = 'new' | 'all' | 'last' | { fromSeq: number } | { fromTimeMs: number };

/** Whether two starts are the same setting (a named subscriber's are compared at each subscribe). */
export function sameDeliver(a: DeliverPolicy = 'new', b: DeliverPolicy = 'new'): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if ('fromSeq' in a) return 'fromSeq' in b && a.fromSeq === b.fromSeq;
  return 'fromTimeMs' in b && a.fromTimeMs === b.fromTimeMs;
}

/** A retention rule (config.yaml `retention`): a subject it matches keeps messages until it drops them. */
export interface RetentionRule {
  /** The NATS subject pattern the rule applies to; the first rule that matches is a subject's rule. */
  subjects: string;
  /** Seconds a message is kept after its publish; 0: no age limit. */
  maxAge: number;
  /** Most messages kept for one subject; 0: no count limit. */
  maxMessages: number;
  /** Most bytes of message data (UTF-8) kept for one subject; 0: no byte limit. */
  maxBytes: number;
  /** When full: `old` drops the oldest; `new` refuses the publish ('overflow'). */
  discard: 'old' | 'new';
}

/** Why retention dropped a message, as counted in gophermq_retention_dropped_total. */
export type RetentionDropReason = 'age' | 'messages' | 'bytes';

/** What a subscribe may ask besides its subject and acknowledgement settings. */
export interface SubscribeOptions {
  /**
   * A durable name, unique per subject: the first subscribe with it creates the subscriber, every
   * later one (any instance, any restart of a shared store) answers that same subscriber.
   */
  name?: string;
  /** Who the name belongs to (the token's name with auth on); a subscribe by another owner is refused. */
  owner?: string;
  /** Where it starts (absent: `new`); anything else on a subject without retention is refused. */
  deliver?: DeliverPolicy;
}

/**
 * Why a subscribe with a name was refused: the name exists with other effective settings, or
 * belongs to another owner (checked first, so another owner learns nothing of its settings).
 */
export type SubscribeRefusal = 'settings-differ' | 'name-taken' | 'not-retained';

/** A message handed to an acknowledged subscriber: in flight until acked, nacked or its deadline. */
export interface DeliveredMessage {
  /** For a pattern's subscriber (a wildcard subscription): the subject it was published to. */
  subject?: string;
  /** Positive, strictly increasing per subject in publish order, the same for every subscriber. */
  seq: number;
  data: string;
  /** 1 on the first delivery to this subscriber; absent for an at-most-once subscriber of a retained subject. */
  deliveries?: number;
  /** On a retained subject: its publish time, RFC 3339 with milliseconds (UTC). */
  time?: string;
}

/**
 * What a consumer that stays (an event stream) asks of a take besides a fetch's bounds. Absent: a
 * fetch's take.
 */
export interface TakeOptions {
  /**
   * For an acknowledged subscriber: take no more than leaves this many of its messages in flight
   * (the smaller of this and its maxAckPending), counted by the store, so acks on any instance make room.
   */
  maxInFlight?: number;
  /** Answer `messages`, with each message's seq, for every subscriber (an at-most-once one too). */
  withSeqs?: boolean;
  /**
   * The lean answer (a fetch's `lean`): where `messages` would be, `seqs` and the other arrays of
   * FetchedMessages instead, parallel to `data`, each message's data once; the byte budget counts
   * the messages as that answer carries them (LEAN_ENTRY_OVERHEAD).
   */
  lean?: boolean;
}

/**
 * What a message adds to a lean answer besides its data, at most: its seq and delivery count with
 * their commas (the 17 digits the object form's 48 allows them, and two commas).
 */
export const LEAN_ENTRY_OVERHEAD = 20;
/** The same on a retained subject, with its publish time `"2026-12-03T14:29:07.123Z",` (27 characters more). */
export const LEAN_RETAINED_ENTRY_OVERHEAD = LEAN_ENTRY_OVERHEAD + 27;

/** What a fetch took from a subscriber's pending messages. */
export interface FetchedMessages {
  data: string[];
  /**
   * Messages still pending for this subscriber after the fetch; for an acknowledged subscriber,
   * those available now (new or due again), not those in flight.
   */
  remaining: number;
  /**
   * For an acknowledged subscriber, any subscriber of a retained subject or of a pattern, or a take
   * asking TakeOptions.withSeqs: `data` again, with each message's seq, and its delivery count
   * (acknowledged), publish time (retained) or subject (pattern).
   */
  messages?: DeliveredMessage[];
  /**
   * A lean take (TakeOptions.lean), where `messages` would be: each message's seq, parallel to
   * `data`; with `deliveries` (acknowledged), `times` (retained) and `subjects` (pattern) as they apply.
   */
  seqs?: number[];
  deliveries?: number[];
  times?: string[];
  subjects?: string[];
}

/**
 * What ack, nack and extend answer: how many of the given seqs were in flight for this subscriber
 * (and are now settled, available again, or given a new deadline); `bad-id` for no such subscriber;
 * `at-most-once` for a subscriber without acknowledgements.
 */
export type SettleOutcome = number | 'bad-id' | 'at-most-once';

/** Told by the store when something happens outside a request, so waiting fetches can be woken. */
export interface StoreEvents {
  /** Messages became available again for this subscriber (deadline passed, nack delay over). */
  available(subject: string, id: string): void;
  /** A message was published to `subject` by the store itself (a dead letter). */
  published(subject: string): void;
  /** A subscriber was removed elsewhere (another instance sharing the store): its waiting fetches end. */
  removed?(subject: string, id: string): void;
  /** A message of `subject` delivered maxDeliveries times was dropped: no dead-letter subject, or it refused it. */
  dropped?(subject: string, deadLetterSubject: string | undefined): void;
}

/**
 * Outcome of a publish the store accepted or refused; refusals are not exceptions on the hot path.
 * `overflow`: a broker-wide limit is reached; `subject-overflow`: this subject's own limit is.
 */
export type PublishOutcome = 'ok' | 'no-subscriber' | 'overflow' | 'subject-overflow';

export interface StoreLimits {
  /** Most messages held at once, over all subjects; a message counts once however many hold it. */
  maxPending: number;
  /** Most bytes of message data (UTF-8) held at once, over all subjects. */
  maxPendingBytes: number;
  /** Most messages held at once for one subject, so one backed-up subject cannot fill the broker. */
  maxPendingPerSubject: number;
  /** Most bytes of message data held at once for one subject. */
  maxPendingBytesPerSubject: number;
  /** Most subscribers at once, over all subjects. */
  maxSubscribers: number;
  /** Most messages in flight (delivered to acknowledged subscribers, not yet settled) at once, over all subscribers. */
  maxInFlight: number;
  /**
   * Budget of one fetch answer: the bytes its `data` takes in the JSON answer (escapes included).
   * A fetch stops before the message that would pass it, but always takes at least one.
   */
  maxFetchBytes: number;
}

/** Told of every call a store backed by a server makes, for the store metrics. */
export interface StoreObserver {
  call(operation: string, seconds: number, failed: boolean): void;
  /** A background sweep (`redelivery`, `expiry`) skipped a subject whose call failed; it is tried again later. */
  sweepFailed?(sweep: string): void;
}

/** Gauges read at scrape time. */
export interface StoreStats {
  messagesHeld: number;
  bytesHeld: number;
  subscribers: number;
  subjects: number;
  /** Age of the oldest message still pending for anyone, 0 when none. */
  oldestPendingAgeMs: number;
  /** Messages delivered to acknowledged subscribers and not yet acked, nacked or past their deadline. */
  inFlight: number;
  /** Totals since start: deliveries after the first; messages dead-lettered; messages dropped after maxDeliveries (no dead-letter subject, or it refused them). */
  redelivered: number;
  deadLettered: number;
  deadLetterDropped: number;
  /** Messages and bytes held by retained subjects (counted in messagesHeld and bytesHeld too). */
  retained: number;
  retainedBytes: number;
  /** Totals since start: messages a retention rule dropped, by why. */
  retentionDropped: Record<RetentionDropReason, number>;
  /** Wildcard logs: patterns with a subscriber without deliver (their shared log), and each replaying pattern subscriber's own. */
  patterns: number;
}

/**
 * Where messages and subscribers live. Each operation is atomic, so a store backed by a server
 * (Redis, a database) can implement it as one script or transaction. The in-memory store answers
 * synchronously; callers must not assume it. No operation's cost grows with the number of messages
 * a subscriber holds, except fetch, with the number it takes.
 */
export interface MessageStore extends StoreInspection {
  /**
   * Adds a subscriber, acknowledged when `ack` is given; undefined when the store already holds
   * `maxSubscribers`. With a name already on that subject: that subscriber, its activity refreshed
   * (as by a fetch), nothing created and no room needed; or a refusal. One atomic step.
   */
  subscribe(subject: string, ack?: AckSettings, options?: SubscribeOptions): Awaitable<SubscriberInfo | SubscribeRefusal | undefined>;
  /** Removes a subscriber and releases what it still held; false when the id is unknown. */
  unsubscribe(subject: string, id: string): Awaitable<boolean>;
  publish(subject: string, data: string): Awaitable<PublishOutcome>;
  /** Publishes in order, each on its own; a store backed by a server does it in few round trips. */
  publishMany?(messages: ReadonlyArray<{ subject: string; data: string }>): Awaitable<PublishOutcome[]>;
  /**
   * Takes up to `max` pending messages, oldest first, within `maxBytes` of answer (default
   * `maxFetchBytes`); undefined when no such subscriber. The messages taken are gone for this
   * subscriber. An acknowledged subscriber gets no more than leaves `maxAckPending` of its messages
   * in flight, nor `maxInFlight` over all (fewer, or none, taken; `remaining` still counts them).
   * `waitMs`: how long the caller will wait for a publish if nothing is taken (a store shared by
   * instances tells them). `options`: what a stream asks besides (TakeOptions).
   */
  fetch(subject: string, id: string, max: number, waitMs?: number, maxBytes?: number, options?: TakeOptions): Awaitable<FetchedMessages | undefined>;
  /** Settles in-flight messages for good. Acks are idempotent: unknown or settled seqs do not count. */
  ack(subject: string, id: string, seqs: readonly number[]): Awaitable<SettleOutcome>;
  /** Makes in-flight messages available again after `delayMs` (0: at once), before newer ones. */
  nack(subject: string, id: string, seqs: readonly number[], delayMs: number): Awaitable<SettleOutcome>;
  /** Restarts the deadline of in-flight messages: `ackWaitMs` from now. */
  extend(subject: string, id: string, seqs: readonly number[]): Awaitable<SettleOutcome>;
  /** Pending messages of one subscriber; undefined when no such subscriber. */
  pendingCount(subject: string, id: string): Awaitable<number | undefined>;
  /**
   * Removes up to `limit` of the subscribers idle since before `idleSinceMs` (Date.now() scale),
   * longest idle first, and returns them; fewer than `limit` means none is left to remove. An idle
   * subscriber for which `isActive` answers true (a fetch of it is waiting) is kept and counts as
   * active from now, as if it had fetched. Only subscribers without a name; `named`: only those
   * with one (each kind has its own timeout, so each is kept in its own activity order).
   */
  expireIdle(
    idleSinceMs: number,
    limit: number,
    isActive?: (subject: string, id: string) => boolean,
    named?: boolean,
  ): Awaitable<SubscriberInfo[]>;
  /** Messages and bytes held now, for the shutdown log and the gauges. */
  stats(): Awaitable<StoreStats>;
  /** Where the store reports what happens outside requests (set once, by the broker). */
  events?: StoreEvents;
  /** Where a store backed by a server reports its calls (set once, by the metrics). */
  observer?: StoreObserver;
  /** Whether the store can serve requests now (a server store: Redis answers); absent: always. */
  isAvailable?(): Awaitable<boolean>;
  /** Brokers sharing the store, where the store can know it (null: it cannot); absent: one. */
  instances?(): Awaitable<number | null>;
  /** Connects to the server, if any, before the broker takes requests. */
  connect?(): Promise<void>;
  /** Stops the store's own timers. */
  close?(): Awaitable<void>;
}

export const MESSAGE_STORE = Symbol('MessageStore');
