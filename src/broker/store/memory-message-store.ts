import { randomUUID } from 'node:crypto';
import Denque from 'denque';
import type { FetchedMessages, MessageStore, PublishOutcome, StoreLimits, StoreStats, SubscriberInfo } from './message-store.js';

/**
 * A message is stored once and referenced by every subscriber that still has to fetch it; it is
 * freed, and stops counting against the limits, when the last of them has.
 */
class StoredMessage {
  constructor(
    /** Broker-wide sequence number, also the message's id. */
    readonly seq: number,
    readonly subject: string,
    readonly data: string,
    readonly bytes: number,
    readonly publishedAtMs: number,
    /** Subscribers that have not fetched it yet. */
    public holders: number,
  ) {}
}

class MemorySubscriber implements SubscriberInfo {
  readonly pending = new Denque<StoredMessage>();
  lastActiveMs = Date.now();

  constructor(
    readonly id: string,
    readonly subject: string,
  ) {}
}

/** The default store: everything in this process, nothing survives a restart. */
export class MemoryMessageStore implements MessageStore {
  /** Insertion order is activity order: touching a subscriber moves it to the end, so expiry reads from the front. */
  private readonly subscribers = new Map<string, MemorySubscriber>();
  private readonly subjects = new Map<string, MemorySubscriber[]>();
  private nextSeq = 1;
  private messagesHeld = 0;
  private bytesHeld = 0;

  constructor(private readonly limits: StoreLimits) {}

  subscribe(subject: string): SubscriberInfo {
    const subscriber = new MemorySubscriber(randomUUID(), subject);
    this.subscribers.set(subscriber.id, subscriber);
    const existing = this.subjects.get(subject);
    if (existing) existing.push(subscriber);
    else this.subjects.set(subject, [subscriber]);
    return { id: subscriber.id, subject };
  }

  unsubscribe(subject: string, id: string): boolean {
    const subscriber = this.find(subject, id);
    if (!subscriber) return false;
    this.remove(subscriber);
    return true;
  }

  publish(subject: string, data: string): PublishOutcome {
    const receivers = this.subjects.get(subject);
    if (!receivers) return 'no-subscriber';
    const bytes = Buffer.byteLength(data, 'utf8');
    if (this.messagesHeld + 1 > this.limits.maxPending || this.bytesHeld + bytes > this.limits.maxPendingBytes) {
      return 'overflow';
    }
    const message = new StoredMessage(this.nextSeq++, subject, data, bytes, Date.now(), receivers.length);
    for (const subscriber of receivers) subscriber.pending.push(message);
    this.messagesHeld += 1;
    this.bytesHeld += bytes;
    return 'ok';
  }

  fetch(subject: string, id: string, max: number): FetchedMessages | undefined {
    const subscriber = this.find(subject, id);
    if (!subscriber) return undefined;
    this.touch(subscriber);
    const count = Math.min(max, subscriber.pending.length);
    const data = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const message = subscriber.pending.shift()!;
      data[i] = message.data;
      this.release(message);
    }
    return { data, remaining: subscriber.pending.length };
  }

  pendingCount(subject: string, id: string): number | undefined {
    return this.find(subject, id)?.pending.length;
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
    let oldest = Infinity;
    for (const subscriber of this.subscribers.values()) {
      const head = subscriber.pending.peekFront();
      if (head && head.publishedAtMs < oldest) oldest = head.publishedAtMs;
    }
    return {
      messagesHeld: this.messagesHeld,
      bytesHeld: this.bytesHeld,
      subscribers: this.subscribers.size,
      subjects: this.subjects.size,
      oldestPendingAgeMs: oldest === Infinity ? 0 : Math.max(0, Date.now() - oldest),
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
    const siblings = this.subjects.get(subscriber.subject)!;
    if (siblings.length === 1) this.subjects.delete(subscriber.subject);
    else siblings.splice(siblings.indexOf(subscriber), 1);
    while (!subscriber.pending.isEmpty()) this.release(subscriber.pending.shift()!);
  }

  private release(message: StoredMessage): void {
    message.holders -= 1;
    if (message.holders === 0) {
      this.messagesHeld -= 1;
      this.bytesHeld -= message.bytes;
    }
  }
}
