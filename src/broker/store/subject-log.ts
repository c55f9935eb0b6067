import Denque from 'denque';
import type { AckState } from './ack/ack-state.js';
import type { DeliverPolicy, RetentionRule } from './message-store.js';

/** Whole seconds since 2020: a small integer (a V8 Smi), where Date.now() would be a boxed double. */
export const EPOCH_S = Date.UTC(2020, 0, 1) / 1000;
export const nowS = () => Math.floor(Date.now() / 1000) - EPOCH_S;

/**
 * A message, stored once in its subject's log. `readersHere` counts the subscribers whose next
 * message this is (for an acknowledged subscriber: its lowest unsettled one): moving a subscriber
 * costs two counter updates, however much it holds.
 */
export class StoredMessage {
  constructor(
    readonly data: string,
    /** UTF-8 bytes of `data`, what the byte limits count. */
    readonly bytes: number,
    /** Bytes `data` takes in a fetch answer: JSON-escaped, quoted, plus its comma. */
    readonly answerBytes: number,
    readonly publishedAtS: number,
    public readersHere: number,
    /** Milliseconds past publishedAtS (0..999), a Smi: with it the publish time to the millisecond. */
    readonly publishedMsPart: number,
  ) {}

  /** Publish time, Date.now() scale. */
  get publishedMs(): number {
    return (this.publishedAtS + EPOCH_S) * 1000 + this.publishedMsPart;
  }
}

/**
 * A message in a pattern's log (a wildcard subscription): a copy of the entry stored in its own
 * subject's log (the data string is shared, not copied), with the subject it was published to.
 */
export class RoutedMessage extends StoredMessage {
  constructor(
    data: string,
    bytes: number,
    answerBytes: number,
    publishedAtS: number,
    readersHere: number,
    publishedMsPart: number,
    /** The subject it was published to. */
    readonly subject: string,
    /** Bytes `"subject":"…",` adds to its entry in a fetch answer's `messages`. */
    readonly subjectAnswerBytes: number,
  ) {
    super(data, bytes, answerBytes, publishedAtS, readersHere, publishedMsPart);
  }
}

/**
 * One subject: its messages in publish order, each stored once whatever the number of subscribers,
 * and the subscribers, each reading the log at its own position. A publish costs the same with one
 * subscriber or ten thousand. Every message in the log is held by someone: the log starts at the
 * position of its slowest subscriber, so freeing messages is trimming the front, each message once.
 * A message's seq is its position; a subject's new log starts after every seq handed out before,
 * so seqs only grow.
 */
export class SubjectLog {
  readonly messages = new Denque<StoredMessage>();
  /** UTF-8 bytes of the messages in the log. */
  bytes = 0;
  subscriberCount = 0;
  /** Messages in flight to its acknowledged subscribers. */
  inFlight = 0;
  /** Subscribers that have read everything: the next message published is their next one. */
  caughtUp = 0;
  /** Its named subscribers by name; made for the first one (most subjects have none). */
  names?: Map<string, MemorySubscriber>;

  constructor(
    /** Seq of the message at the front of `messages`. */
    public firstSeq: number,
    /**
     * A retained subject's rule: then the log keeps its messages until the rule drops them (from the
     * front), held or not, and outlives its subscribers. A reader positioned before the front (at
     * messages dropped since) is counted at the front: `at(position)` is never asked for them.
     */
    readonly rule?: RetentionRule,
    /**
     * A pattern's log (subject-tree.ts), the pattern itself: its messages are RoutedMessages, copies
     * of those published to the subjects it matches; never retained.
     */
    readonly pattern?: string,
  ) {}

  get endSeq(): number {
    return this.firstSeq + this.messages.length;
  }

  at(seq: number): StoredMessage {
    return this.messages.peekAt(seq - this.firstSeq)!;
  }

  /** A reader at `seq` (or at the end) arrives or leaves; one before the front is at the front. */
  addReader(seq: number, delta: 1 | -1): void {
    if (seq < this.firstSeq) seq = this.firstSeq;
    if (seq === this.endSeq) this.caughtUp += delta;
    else this.at(seq).readersHere += delta;
  }
}

export class MemorySubscriber {
  lastActiveMs = Date.now();
  /** Next seq to read (at most once); for an acknowledged subscriber, its state says. */
  nextSeq: number;
  /** When its ack state is next due, as scheduled (Infinity: not scheduled). */
  scheduledAt = Infinity;
  removed = false;

  constructor(
    readonly id: string,
    readonly subject: string,
    readonly log: SubjectLog,
    /** Serial number, for the deadline heap. */
    readonly serial: number,
    readonly ack?: AckState,
    /** A durable name, unique on its subject. */
    readonly name?: string,
    /** Whose name it is (the token's name with auth on). */
    readonly owner?: string,
    /** Where it started (a named subscriber's settings include it). */
    readonly deliver?: DeliverPolicy,
    startSeq = log.endSeq,
  ) {
    this.nextSeq = startSeq;
  }

  /** Where it holds the log: its next message, or its lowest unsettled one. */
  get position(): number {
    return this.ack ? this.ack.floor : this.nextSeq;
  }

  /** Messages it can fetch now: new ones, and for an acknowledged one those due again. */
  get pending(): number {
    return this.ack ? this.ack.available.size + this.log.endSeq - this.ack.nextSeq : this.log.endSeq - Math.max(this.nextSeq, this.log.firstSeq);
  }
}
