import { Delivery } from './ack/ack-state.js';
import type { MemoryStoreIndex } from './memory-store-index.js';
import type { Page, PeekedMessage, StoreInspection, SubjectFigures, SubscriberFigures } from './store-inspection.js';
import type { MemorySubscriber, SubjectLog } from './subject-log.js';

/** What a purge needs of the memory store: the changes that keep its counts, each as the store makes them. */
export interface MemoryPurgeOps {
  /** Drops the front `count` messages of a retained log (not counted as a retention drop). */
  dropFront(log: SubjectLog, count: number): void;
  /** Forgets what a retained subject's rule dropped under a subscriber. */
  catchUp(subscriber: MemorySubscriber): void;
  /** Moves an at-most-once subscriber to `seq`, trimming what nobody holds. */
  move(subscriber: MemorySubscriber, seq: number): void;
  /** An acknowledged subscriber's floor was `from`: moves its hold, trims, reschedules. */
  reposition(subscriber: MemorySubscriber, from: number): void;
}

/** StoreInspection on the memory store: reads of its logs and subscribers, and purges through its own operations. */
export class MemoryInspection implements StoreInspection {
  constructor(
    private readonly index: MemoryStoreIndex,
    private readonly find: (subject: string, id: string) => MemorySubscriber | undefined,
    private readonly ops: MemoryPurgeOps,
  ) {}

  listSubjects(prefix: string, after: string | undefined, limit: number): Page<SubjectFigures> {
    const items: SubjectFigures[] = [];
    for (const [subject, log] of this.index.subjectsFrom(prefix, after)) {
      if (items.length === limit) return { items, next: items[items.length - 1].subject };
      items.push(figuresOf(subject, log));
    }
    return { items };
  }

  subjectFigures(subject: string): SubjectFigures | undefined {
    const log = this.index.subjects.get(subject);
    return log && figuresOf(subject, log);
  }

  listSubscribers(subject: string, after: string | undefined, limit: number): Page<SubscriberFigures> | undefined {
    if (!this.index.subjects.has(subject)) return undefined;
    const items: SubscriberFigures[] = [];
    for (const subscriber of this.index.membersOf(subject, after)) {
      if (items.length === limit) return { items, next: items[items.length - 1].id };
      items.push(subscriberFigures(subscriber));
    }
    return { items };
  }

  peek(subject: string, id: string | undefined, max: number): PeekedMessage[] | undefined {
    if (id === undefined) {
      const log = this.index.subjects.get(subject);
      return log && messagesOf(log, [], log.firstSeq, max);
    }
    const subscriber = this.find(subject, id);
    if (!subscriber) return undefined;
    const { log, ack } = subscriber;
    if (!ack) return messagesOf(log, [], Math.max(subscriber.nextSeq, log.firstSeq), max);
    // Due again first, lowest seq first, as a fetch takes them; then new ones.
    const due = ack.available
      .valuesCopy()
      .filter((seq) => seq >= log.firstSeq && ack.state(seq) === Delivery.Available)
      .sort((a, b) => a - b)
      .slice(0, max);
    return messagesOf(log, due, Math.max(ack.nextSeq, log.firstSeq), max);
  }

  purge(subject: string, id: string | undefined): number | undefined {
    if (id !== undefined) {
      const subscriber = this.find(subject, id);
      return subscriber && this.purgeSubscriber(subscriber);
    }
    const log = this.index.subjects.get(subject);
    if (!log) return undefined;
    if (log.rule) {
      const before = log.messages.length;
      this.ops.dropFront(log, log.messages.length);
      // At once, not when each is next touched: their in-flight messages stop counting now.
      for (const subscriber of this.index.membersOf(subject)) this.ops.catchUp(subscriber);
      return before;
    }
    // Every subscriber at once; what none of them holds any more is trimmed as they move.
    let purged = 0;
    for (const subscriber of [...this.index.membersOf(subject)]) purged += this.purgeSubscriber(subscriber);
    return purged;
  }

  /** Drops what one subscriber could fetch now; returns how many. */
  private purgeSubscriber(subscriber: MemorySubscriber): number {
    const { log, ack } = subscriber;
    if (log.rule) this.ops.catchUp(subscriber);
    if (!ack) {
      const pending = subscriber.pending;
      if (pending > 0) this.ops.move(subscriber, log.endSeq);
      return pending;
    }
    const floor = ack.floor;
    const dropped = ack.dropPending(log.endSeq);
    this.ops.reposition(subscriber, floor);
    return dropped;
  }
}

function figuresOf(subject: string, log: SubjectLog): SubjectFigures {
  const pending = log.messages.length;
  return { subject, subscribers: log.subscriberCount, pending, pendingBytes: log.bytes, inFlight: log.inFlight, retained: log.rule ? pending : 0 };
}

function subscriberFigures(subscriber: MemorySubscriber): SubscriberFigures {
  const { id, name, ack, lastActiveMs, log } = subscriber;
  const figures: SubscriberFigures = { id, pending: pendingOf(subscriber), inFlight: ack?.inFlight ?? 0, lastActiveMs };
  if (name !== undefined) figures.name = name;
  if (ack) figures.ack = ack.settings;
  void log;
  return figures;
}

/**
 * Its pending messages as pendingCount counts them, without catching it up first: what a retained
 * subject's rule dropped under it is not counted.
 */
function pendingOf({ log, ack, nextSeq }: MemorySubscriber): number {
  if (!ack) return log.endSeq - Math.max(nextSeq, log.firstSeq);
  let due = ack.available.size;
  if (ack.floor < log.firstSeq) due = ack.available.valuesCopy().filter((seq) => seq >= log.firstSeq && ack.state(seq) === Delivery.Available).length;
  return due + log.endSeq - Math.max(ack.nextSeq, log.firstSeq);
}

/** The messages at `seqs`, then from `from` on, `max` at most; publish times on a retained subject. */
function messagesOf(log: SubjectLog, seqs: number[], from: number, max: number): PeekedMessage[] {
  const all = [...seqs];
  for (let seq = from; all.length < max && seq < log.endSeq; seq++) all.push(seq);
  return all.map((seq) => {
    const data = log.dataAt(seq);
    return log.rule ? { seq, data, publishedMs: log.messages.publishedMs(seq - log.firstSeq) } : { seq, data };
  });
}
