import { randomUUID } from 'node:crypto';
import Denque from 'denque';
import type { FetchedMessages, MessageStore, PublishOutcome, StoreLimits, StoreStats, SubscriberInfo } from './message-store.js';

/** Whole seconds since 2020: a small integer (a V8 Smi), where Date.now() would be a boxed double. */
const EPOCH_S = Date.UTC(2020, 0, 1) / 1000;
const nowS = () => Math.floor(Date.now() / 1000) - EPOCH_S;

/**
 * A message, stored once in its subject's log. `holders` counts the subscribers that have not read
 * it yet; at 0 it stops counting against the limits and is dropped from the log's front.
 */
class StoredMessage {
  constructor(
    readonly data: string,
    readonly bytes: number,
    readonly publishedAtS: number,
    public holders: number,
  ) {}
}

/**
 * One subject: its messages in publish order, each stored once whatever the number of subscribers,
 * and the subscribers, each reading the log at its own position. A publish costs the same with one
 * subscriber or ten thousand. Messages no one holds any more always form a prefix of the log
 * (subscribers read in order, and a later subscriber never holds an earlier message), so freeing
 * them is trimming the front.
 */
class SubjectLog {
  readonly messages = new Denque<StoredMessage>();
  /** Sequence number of the message at the front of `messages`. */
  firstSeq = 0;
  readonly subscribers: MemorySubscriber[] = [];

  get endSeq(): number {
    return this.firstSeq + this.messages.length;
  }

  /** Drops the messages nobody holds from the front. */
  trim(): void {
    const { messages } = this;
    while (messages.length > 0 && messages.peekFront()!.holders === 0) {
      messages.shift();
      this.firstSeq += 1;
    }
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
    log.subscribers.push(subscriber);
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
    if (this.messagesHeld + 1 > this.limits.maxPending || this.bytesHeld + bytes > this.limits.maxPendingBytes) {
      return 'overflow';
    }
    log.messages.push(new StoredMessage(data, bytes, nowS(), log.subscribers.length));
    this.messagesHeld += 1;
    this.bytesHeld += bytes;
    return 'ok';
  }

  fetch(subject: string, id: string, max: number): FetchedMessages | undefined {
    const subscriber = this.find(subject, id);
    if (!subscriber) return undefined;
    this.touch(subscriber);
    const { log } = subscriber;
    const count = Math.min(max, subscriber.pending);
    const data = new Array<string>(count);
    const offset = subscriber.nextSeq - log.firstSeq;
    for (let i = 0; i < count; i++) {
      const message = log.messages.peekAt(offset + i)!;
      data[i] = message.data;
      this.release(message);
    }
    subscriber.nextSeq += count;
    log.trim();
    return { data, remaining: subscriber.pending };
  }

  pendingCount(subject: string, id: string): number | undefined {
    return this.find(subject, id)?.pending;
  }

  expireIdle(idleSinceMs: number): SubscriberInfo[] {
    const expired: SubscriberInfo[] = [];
    for (const subscriber of this.subscribers.values()) {
      if (subscriber.lastActiveMs >= idleSinceMs) break;
      this.remove(subscriber);
      expired.push({ id: subscriber.id, subject: subscriber.subject });
    }
    return expired;
  }

  stats(): StoreStats {
    let oldestS = Infinity;
    // After trimming, a log's front message is held by someone: the oldest pending of that subject.
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

  private remove(subscriber: MemorySubscriber): void {
    this.subscribers.delete(subscriber.id);
    const { log } = subscriber;
    for (let seq = subscriber.nextSeq; seq < log.endSeq; seq++) this.release(log.messages.peekAt(seq - log.firstSeq)!);
    subscriber.nextSeq = log.endSeq;
    log.trim();
    const siblings = log.subscribers;
    if (siblings.length === 1) this.subjects.delete(subscriber.subject);
    else siblings.splice(siblings.indexOf(subscriber), 1);
  }

  private release(message: StoredMessage): void {
    message.holders -= 1;
    if (message.holders === 0) {
      this.messagesHeld -= 1;
      this.bytesHeld -= message.bytes;
    }
  }
}
