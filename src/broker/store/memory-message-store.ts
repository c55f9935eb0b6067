import { randomUUID } from 'node:crypto';
import Denque from 'denque';
import { jsonStringBytes } from './json-string-bytes.js';
import type { FetchedMessages, MessageStore, PublishOutcome, StoreLimits, StoreStats, SubscriberInfo } from './message-store.js';

/** Whole seconds since 2020: a small integer (a V8 Smi), where Date.now() would be a boxed double. */
const EPOCH_S = Date.UTC(2020, 0, 1) / 1000;
const nowS = () => Math.floor(Date.now() / 1000) - EPOCH_S;

/**
 * A message, stored once in its subject's log. `readersHere` counts the subscribers whose next
 * message this is: moving a subscriber costs two counter updates, however much it holds.
 */
class StoredMessage {
  constructor(
    readonly data: string,
    /** UTF-8 bytes of `data`, what the byte limits count. */
    readonly bytes: number,
    /** Bytes `data` takes in a fetch answer: JSON-escaped, quoted, plus its comma. */
    readonly answerBytes: number,
    readonly publishedAtS: number,
    public readersHere: number,
  ) {}
}

/**
 * One subject: its messages in publish order, each stored once whatever the number of subscribers,
 * and the subscribers, each reading the log at its own position. A publish costs the same with one
 * subscriber or ten thousand. Every message in the log is held by someone: the log starts at the
 * position of its slowest subscriber, so freeing messages is trimming the front, each message once.
 */
class SubjectLog {
  readonly messages = new Denque<StoredMessage>();
  /** Sequence number of the message at the front of `messages`. */
  firstSeq = 0;
  /** UTF-8 bytes of the messages in the log. */
  bytes = 0;
  subscriberCount = 0;
  /** Subscribers that have read everything: the next message published is their next one. */
  caughtUp = 0;

  get endSeq(): number {
    return this.firstSeq + this.messages.length;
  }

  at(seq: number): StoredMessage {
    return this.messages.peekAt(seq - this.firstSeq)!;
  }

  /** A reader at `seq` (or at the end) arrives or leaves. */
  addReader(seq: number, delta: 1 | -1): void {
    if (seq === this.endSeq) this.caughtUp += delta;
    else this.at(seq).readersHere += delta;
  }
}

class MemorySubscriber implements SubscriberInfo {
  lastActiveMs = Date.now();
  /** Sequence number of the next message this subscriber reads. */
  nextSeq: number;

  constructor(
    readonly id: string,
    readonly subject: string,
    readonly log: SubjectLog,
  ) {
    this.nextSeq = log.endSeq;
  }

  get pending(): number {
    return this.log.endSeq - this.nextSeq;
  }
}

/** The default store: everything in this process, nothing survives a restart. */
export class MemoryMessageStore implements MessageStore {
  /** Insertion order is activity order: touching a subscriber moves it to the end, so expiry reads from the front. */
  private readonly subscribers = new Map<string, MemorySubscriber>();
  private readonly subjects = new Map<string, SubjectLog>();
  private messagesHeld = 0;
  private bytesHeld = 0;

  constructor(private readonly limits: StoreLimits) {}

  subscribe(subject: string): SubscriberInfo | undefined {
    if (this.subscribers.size >= this.limits.maxSubscribers) return undefined;
    let log = this.subjects.get(subject);
    if (!log) this.subjects.set(subject, (log = new SubjectLog()));
    const subscriber = new MemorySubscriber(randomUUID(), subject, log);
    this.subscribers.set(subscriber.id, subscriber);
    log.subscriberCount += 1;
    log.caughtUp += 1;
    return { id: subscriber.id, subject };
  }

  unsubscribe(subject: string, id: string): boolean {
    const subscriber = this.find(subject, id);
    if (!subscriber) return false;
    this.remove(subscriber);
    return true;
  }

  publish(subject: string, data: string): PublishOutcome {
    const log = this.subjects.get(subject);
    if (!log) return 'no-subscriber';
    const bytes = Buffer.byteLength(data, 'utf8');
    const { limits } = this;
    if (log.messages.length + 1 > limits.maxPendingPerSubject || log.bytes + bytes > limits.maxPendingBytesPerSubject) {
      return 'subject-overflow';
    }
    if (this.messagesHeld + 1 > limits.maxPending || this.bytesHeld + bytes > limits.maxPendingBytes) return 'overflow';
    log.messages.push(new StoredMessage(data, bytes, jsonStringBytes(data, bytes) + 1, nowS(), log.caughtUp));
    log.caughtUp = 0;
    log.bytes += bytes;
    this.messagesHeld += 1;
    this.bytesHeld += bytes;
    return 'ok';
  }

  fetch(subject: string, id: string, max: number): FetchedMessages | undefined {
    const subscriber = this.find(subject, id);
    if (!subscriber) return undefined;
    this.touch(subscriber);
    const { log, nextSeq } = subscriber;
    const count = this.fitting(log, nextSeq, Math.min(max, subscriber.pending));
    const data = new Array<string>(count);
    for (let i = 0; i < count; i++) data[i] = log.at(nextSeq + i).data;
    if (count > 0) this.move(subscriber, nextSeq + count);
    return { data, remaining: subscriber.pending };
  }

  pendingCount(subject: string, id: string): number | undefined {
    return this.find(subject, id)?.pending;
  }

  expireIdle(idleSinceMs: number, limit: number, isActive?: (subject: string, id: string) => boolean): SubscriberInfo[] {
    const expired: SubscriberInfo[] = [];
    // A touched subscriber moves to the end, where this loop would meet it again: look at each once.
    let unseen = this.subscribers.size;
    for (const subscriber of this.subscribers.values()) {
      if (unseen-- === 0 || subscriber.lastActiveMs >= idleSinceMs || expired.length >= limit) break;
      if (isActive?.(subscriber.subject, subscriber.id)) {
        this.touch(subscriber);
        continue;
      }
      this.remove(subscriber);
      expired.push({ id: subscriber.id, subject: subscriber.subject });
    }
    return expired;
  }

  stats(): StoreStats {
    let oldestS = Infinity;
    // A log's front message is held by someone: the oldest pending of that subject.
    for (const log of this.subjects.values()) {
      const head = log.messages.peekFront();
      if (head && head.publishedAtS < oldestS) oldestS = head.publishedAtS;
    }
    return {
      messagesHeld: this.messagesHeld,
      bytesHeld: this.bytesHeld,
      subscribers: this.subscribers.size,
      subjects: this.subjects.size,
      oldestPendingAgeMs: oldestS === Infinity ? 0 : Math.max(0, Date.now() - (oldestS + EPOCH_S) * 1000),
    };
  }

  private find(subject: string, id: string): MemorySubscriber | undefined {
    const subscriber = this.subscribers.get(id);
    return subscriber?.subject === subject ? subscriber : undefined;
  }

  private touch(subscriber: MemorySubscriber): void {
    subscriber.lastActiveMs = Date.now();
    this.subscribers.delete(subscriber.id);
    this.subscribers.set(subscriber.id, subscriber);
  }

  /** How many of the `available` messages from `seq` on fit in one answer's budget: at least one. */
  private fitting(log: SubjectLog, seq: number, available: number): number {
    let count = 0;
    for (let answerBytes = 0; count < available; count++) {
      answerBytes += log.at(seq + count).answerBytes;
      if (answerBytes > this.limits.maxFetchBytes && count > 0) break;
    }
    return count;
  }

  /** Moves a subscriber's read position forward, then frees what nobody holds any more. */
  private move(subscriber: MemorySubscriber, nextSeq: number): void {
    const { log } = subscriber;
    log.addReader(subscriber.nextSeq, -1);
    subscriber.nextSeq = nextSeq;
    log.addReader(nextSeq, 1);
    this.trim(log);
  }

  /** Costs the same whatever the subscriber held: its position is one counter. */
  private remove(subscriber: MemorySubscriber): void {
    this.subscribers.delete(subscriber.id);
    const { log } = subscriber;
    log.subscriberCount -= 1;
    if (log.subscriberCount === 0) {
      // The last one: the whole log goes at once, without a walk over its messages.
      this.subjects.delete(subscriber.subject);
      this.messagesHeld -= log.messages.length;
      this.bytesHeld -= log.bytes;
      return;
    }
    log.addReader(subscriber.nextSeq, -1);
    this.trim(log);
  }

  /** Drops the front messages no subscriber is positioned at or before: each message is dropped once. */
  private trim(log: SubjectLog): void {
    const { messages } = log;
    while (messages.length > 0 && messages.peekFront()!.readersHere === 0) {
      const { bytes } = messages.shift()!;
      log.firstSeq += 1;
      log.bytes -= bytes;
      this.messagesHeld -= 1;
      this.bytesHeld -= bytes;
    }
  }
}
