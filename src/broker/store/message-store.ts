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
  /**
   * Budget of one fetch answer: the bytes its `data` takes in the JSON answer (escapes included).
   * A fetch stops before the message that would pass it, but always takes at least one.
   */
  maxFetchBytes: number;
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
 * synchronously; callers must not assume it. No operation's cost grows with the number of messages
 * a subscriber holds, except fetch, with the number it takes.
 */
export interface MessageStore {
  /** Adds a subscriber; undefined when the store already holds `maxSubscribers`. */
  subscribe(subject: string): Awaitable<SubscriberInfo | undefined>;
  /** Removes a subscriber and releases what it still held; false when the id is unknown. */
  unsubscribe(subject: string, id: string): Awaitable<boolean>;
  publish(subject: string, data: string): Awaitable<PublishOutcome>;
  /**
   * Takes up to `max` pending messages, oldest first, within `maxFetchBytes`; undefined when no
   * such subscriber. The messages taken are gone for this subscriber.
   */
  fetch(subject: string, id: string, max: number): Awaitable<FetchedMessages | undefined>;
  /** Pending messages of one subscriber; undefined when no such subscriber. */
  pendingCount(subject: string, id: string): Awaitable<number | undefined>;
  /**
   * Removes up to `limit` of the subscribers idle since before `idleSinceMs` (Date.now() scale),
   * longest idle first, and returns them; fewer than `limit` means none is left to remove. An idle
   * subscriber for which `isActive` answers true (a fetch of it is waiting) is kept and counts as
   * active from now, as if it had fetched.
   */
  expireIdle(
    idleSinceMs: number,
    limit: number,
    isActive?: (subject: string, id: string) => boolean,
  ): Awaitable<SubscriberInfo[]>;
  /** Messages and bytes held now, for the shutdown log and the gauges. */
  stats(): Awaitable<StoreStats>;
}

export const MESSAGE_STORE = Symbol('MessageStore');
