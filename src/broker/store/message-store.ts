/** A value now, or later from a store that talks to a server. */
export type Awaitable<T> = T | Promise<T>;

/** One subscriber as the store reports it. */
export interface SubscriberInfo {
  id: string;
  subject: string;
}

/** What a fetch took from a subscriber's pending messages. */
export interface FetchedMessages {
  data: string[];
  /** Messages still pending for this subscriber after the fetch. */
  remaining: number;
}

/** Outcome of a publish the store accepted or refused; refusals are not exceptions on the hot path. */
export type PublishOutcome = 'ok' | 'no-subscriber' | 'overflow';

export interface StoreLimits {
  maxPending: number;
  maxPendingBytes: number;
  /** Most subscribers at once, over all subjects. */
  maxSubscribers: number;
}

/** Gauges read at scrape time. */
export interface StoreStats {
  messagesHeld: number;
  bytesHeld: number;
  subscribers: number;
  subjects: number;
  /** Age of the oldest message still pending for anyone, 0 when none. */
  oldestPendingAgeMs: number;
}

/**
 * Where messages and subscribers live. Each operation is atomic, so a store backed by a server
 * (Redis, a database) can implement it as one script or transaction. The in-memory store answers
 * synchronously; callers must not assume it.
 */
export interface MessageStore {
  /** Adds a subscriber; undefined when the store already holds `maxSubscribers`. */
  subscribe(subject: string): Awaitable<SubscriberInfo | undefined>;
  /** Removes a subscriber and releases what it still held; false when the id is unknown. */
  unsubscribe(subject: string, id: string): Awaitable<boolean>;
  publish(subject: string, data: string): Awaitable<PublishOutcome>;
  /** Takes up to `max` pending messages, oldest first; undefined when no such subscriber. */
  fetch(subject: string, id: string, max: number): Awaitable<FetchedMessages | undefined>;
  /** Pending messages of one subscriber; undefined when no such subscriber. */
  pendingCount(subject: string, id: string): Awaitable<number | undefined>;
  /** Removes the subscribers idle since before `idleSinceMs` (Date.now() scale); returns them. */
  expireIdle(idleSinceMs: number): Awaitable<SubscriberInfo[]>;
  stats(): Awaitable<StoreStats>;
}

export const MESSAGE_STORE = Symbol('MessageStore');
