import type { AckSettings, Awaitable } from './message-store.js';

/**
 * What an operator sees of one subject (the management API). Figures are read as they are at that
 * moment; reading them changes nothing.
 */
export interface SubjectFigures {
  subject: string;
  /** Its subscribers, named or not. */
  subscribers: number;
  /**
   * Messages its log holds, and their bytes (UTF-8 of the data): the figures its limits count
   * (broker.max-pending-per-subject and -bytes-per-subject, or its retention rule) and that count
   * against the broker-wide ones. A message fanned out to several subscribers counts once; a
   * message in flight, and the messages after it, are held (from the ack floor on) until settled.
   */
  pending: number;
  pendingBytes: number;
  /** Messages delivered to its acknowledged subscribers and not yet acked, nacked or past their deadline. */
  inFlight: number;
  /** On a retained subject the messages its rule holds (its whole log: equal to pending); 0 on others. */
  retained: number;
}

/** What an operator sees of one subscriber. */
export interface SubscriberFigures {
  /** The store's id (with auth on, a client holds it tagged: src/auth/subscriber-ids.ts). */
  id: string;
  name?: string;
  /** Present for an acknowledged subscriber. */
  ack?: AckSettings;
  /** What pendingCount answers: messages it can fetch now (new ones, and those due again). */
  pending: number;
  /** Its messages delivered and not yet acked, nacked or past their deadline. */
  inFlight: number;
  /** Its last subscribe (with its name), fetch, ack, nack or extend: Date.now() scale (Redis's clock on Redis). */
  lastActiveMs: number;
}

/** A page of a listing ordered by key (subject, or subscriber id): `next` is the last key looked at when more may follow. */
export interface Page<T> {
  items: T[];
  /** Where the next page starts (after this key); undefined at the end. */
  next?: string;
}

/** A message as peek shows it: where it is, never taken nor delivered by looking. */
export interface PeekedMessage {
  seq: number;
  data: string;
  /** Publish time (Date.now() scale) on a retained subject, where it is kept to the millisecond; absent elsewhere. */
  publishedMs?: number;
}

/**
 * Inspection and operator actions on the store, for the management API. Listing orders by the
 * key's code points (UTF-8 byte order, as Redis's lexicographic ranges), pages resume after the
 * last key seen, so subjects or subscribers that come and go meanwhile never shift a page: each key
 * present for the whole listing is seen exactly once. Reads change no state (no activity refresh,
 * no delivery count, no expiry or retention drop).
 */
export interface StoreInspection {
  /** Subjects whose log exists (they have subscribers, or are retained), starting with `prefix`, after `after`, at most `limit`. */
  listSubjects(prefix: string, after: string | undefined, limit: number): Awaitable<Page<SubjectFigures>>;
  /** One subject's figures, undefined when it has no log. */
  subjectFigures(subject: string): Awaitable<SubjectFigures | undefined>;
  /** Its subscribers ordered by id, after `after`, at most `limit`; undefined when the subject has no log. */
  listSubscribers(subject: string, after: string | undefined, limit: number): Awaitable<Page<SubscriberFigures> | undefined>;
  /**
   * Up to `max` messages: with `id`, the next ones that subscriber would fetch (due again first,
   * lowest seq first, then new ones); without, the oldest its subject's log holds. Undefined when no
   * such subscriber or subject.
   */
  peek(subject: string, id: string | undefined, max: number): Awaitable<PeekedMessage[] | undefined>;
  /**
   * Drops the messages pending for one subscriber (`id`), or for every subscriber of the subject:
   * what each could fetch now (new ones, and those due again) is gone for it; messages in flight,
   * and those nacked with a delay not yet over, stay as they are until settled. Without `id` on a
   * retained subject, its rule's messages go too (and with them its subscribers' messages in flight,
   * forgotten as when the rule drops them). Counts and limits reflect it when it answers. Returns how
   * many it dropped: for one subscriber, its pending messages; for a subject, the sum of its
   * subscribers' (a message pending for two counts twice), or on a retained subject the messages its
   * log held. Undefined when no such subscriber or subject.
   */
  purge(subject: string, id: string | undefined): Awaitable<number | undefined>;
}
