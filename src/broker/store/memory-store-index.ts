import sortedBtree from 'sorted-btree';
import { compareCodePoints } from './code-point-order.js';
import type { MemorySubscriber, SubjectLog } from './subject-log.js';

// A CommonJS package: its class is its exports' `default`.
const BTree = sortedBtree.default;

/** Between a subject and a subscriber id in a member key: no subject holds a space, so a subject's members are contiguous. */
const SEPARATOR = ' ';

/**
 * The memory store's ordered views, for listings that page by key (StoreInspection): its subjects
 * with a log, and each subject's subscribers by id, both in code-point order. Kept beside the
 * store's hash maps (which serve the requests) at O(log n) per subject made or dropped and per
 * subscriber added or removed.
 */
export class MemoryStoreIndex {
  readonly subjects = new BTree<string, SubjectLog>(undefined, compareCodePoints);
  /** `<subject> <id>` → subscriber. */
  private readonly members = new BTree<string, MemorySubscriber>(undefined, compareCodePoints);

  made(subject: string, log: SubjectLog): void {
    this.subjects.set(subject, log);
  }

  dropped(subject: string): void {
    this.subjects.delete(subject);
  }

  subscribed(subscriber: MemorySubscriber): void {
    this.members.set(memberKey(subscriber.logName, subscriber.id), subscriber);
  }

  unsubscribed(subscriber: MemorySubscriber): void {
    this.members.delete(memberKey(subscriber.logName, subscriber.id));
  }

  /** Up to `limit` subjects starting with `prefix`, after `after`, in order. */
  *subjectsFrom(prefix: string, after: string | undefined): Generator<[string, SubjectLog]> {
    const from = after !== undefined && compareCodePoints(after, prefix) >= 0 ? after : prefix;
    for (const entry of this.subjects.entries(from)) {
      if (entry[0] === after) continue;
      if (!entry[0].startsWith(prefix)) return;
      yield entry;
    }
  }

  /** The subscribers of `subject` in id order, after the id `after`. */
  *membersOf(subject: string, after?: string): Generator<MemorySubscriber> {
    const head = subject + SEPARATOR;
    for (const [key, subscriber] of this.members.entries(head + (after ?? ''))) {
      if (!key.startsWith(head)) return;
      // `<pattern> <id> <id>`: a replaying subscriber of the pattern, listed under its own log.
      if (subscriber.id === after || key.includes(SEPARATOR, head.length)) continue;
      yield subscriber;
    }
  }
}

function memberKey(subject: string, id: string): string {
  return subject + SEPARATOR + id;
}
