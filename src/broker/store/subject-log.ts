import type { AckState } from './ack/ack-state.js';
import type { DeliverPolicy, RetentionRule } from './message-store.js';
import { PackedMessages } from './packed-messages.js';

/** Whole seconds since 2020: a small integer (a V8 Smi), where Date.now() would be a boxed double. */
export const EPOCH_S = Date.UTC(2020, 0, 1) / 1000;
export const nowS = () => Math.floor(Date.now() / 1000) - EPOCH_S;

/**
 * One subject: its messages in publish order, each stored once whatever the number of subscribers,
 * and the subscribers, each reading the log at its own position. A publish costs the same with one
 * subscriber or ten thousand. Every message in the log is held by someone: the log starts at the
 * position of its slowest subscriber, so freeing messages is trimming the front, each message once.
 * A message's seq is its position; a subject's new log starts after every seq handed out before,
 * so seqs only grow.
 */
export class SubjectLog {
  /** Indexed from the front: the message of seq s is at s - firstSeq. */
  readonly messages = new PackedMessages();
  /** UTF-8 bytes of the messages in the log. */
  bytes = 0;
  subscriberCount = 0;
  /** Messages in flight to its acknowledged subscribers. */
  inFlight = 0;
  /** Subscribers that have read everything: the next message published is their next one. */
  caughtUp = 0;
  /** Its named subscribers by name; made for the first one (most subjects have none). */
  names?: Map<string, MemorySubscriber>;
  /**
   * A replaying pattern subscriber's own log (pattern-replay.ts): its name, `<pattern> <id>`, and the
   * retained subjects it still copies from, by subject (a subject caught up leaves the map: its
   * publishes are then routed here as to any pattern's log).
   */
  ownName?: string;
  replay?: Map<string, ReplayCursor>;

  constructor(
    /** Seq of the message at the front of `messages`. */
    public firstSeq: number,
    /**
     * A retained subject's rule: then the log keeps its messages until the rule drops them (from the
     * front), held or not, and outlives its subscribers. A reader positioned before the front (at
     * messages dropped since) is counted at the front: no message is read for them.
     */
    readonly rule?: RetentionRule,
    /**
     * A pattern's log (subject-tree.ts), the pattern itself: its messages are copies of those
     * published to the subjects it matches (the data string shared), each with its subject; never retained.
     */
    readonly pattern?: string,
  ) {}

  get endSeq(): number {
    return this.firstSeq + this.messages.length;
  }

  /** Data of the message `seq`. */
  dataAt(seq: number): string {
    return this.messages.data(seq - this.firstSeq);
  }

  /** The same, as a string of its own: for data stored again elsewhere (packed-messages.ts). */
  dataCopyAt(seq: number): string {
    return this.messages.dataCopy(seq - this.firstSeq);
  }

  /** A reader at `seq` (or at the end) arrives or leaves; one before the front is at the front. */
  addReader(seq: number, delta: 1 | -1): void {
    if (seq < this.firstSeq) seq = this.firstSeq;
    if (seq === this.endSeq) this.caughtUp += delta;
    else this.messages.addReaders(seq - this.firstSeq, delta);
  }

  /**
   * Appends a message, the caught-up readers' next one. `publishedS` is whole seconds since 2020,
   * `publishedMsPart` the milliseconds past it; in a pattern's log, `subject` is where it was published.
   */
  append(data: string, bytes: number, answerBytes: number, publishedS: number, publishedMsPart: number, subject?: string, subjectBytes?: number): void {
    this.messages.push(data, bytes, answerBytes, publishedS, publishedMsPart, this.caughtUp, subject, subjectBytes);
    this.caughtUp = 0;
    this.bytes += bytes;
  }

  /** Drops the front `count` messages; their readers are counted at the new front. Returns the bytes dropped. */
  dropFront(count: number): number {
    const { messages } = this;
    let readers = 0;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      readers += messages.readers(i);
      bytes += messages.bytes(i);
    }
    messages.shift(count);
    this.firstSeq += count;
    this.bytes -= bytes;
    if (readers > 0) {
      if (messages.length > 0) messages.addReaders(0, readers);
      else this.caughtUp += readers;
    }
    return bytes;
  }

  /** Drops the front messages no reader is at (every later one is held by someone). Returns how many. */
  dropUnread(): number {
    const { messages } = this;
    let count = 0;
    let bytes = 0;
    while (count < messages.length && messages.readers(count) === 0) bytes += messages.bytes(count++);
    if (count === 0) return 0;
    messages.shift(count);
    this.firstSeq += count;
    this.bytes -= bytes;
    return count;
  }
}

/** Where a replaying pattern subscriber's log is in copying one retained subject's log. */
export class ReplayCursor {
  constructor(
    /** The retained subject's log (if the subject gets a new log, this one is done with). */
    readonly source: SubjectLog,
    /** The next seq of it to copy. */
    public nextSeq: number,
  ) {}
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

  /** The name of the log it reads: its subject's, or for a replaying pattern subscriber its own. */
  get logName(): string {
    return this.log.ownName ?? this.subject;
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
