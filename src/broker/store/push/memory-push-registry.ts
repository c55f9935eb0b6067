import type { PushPage, PushRegistry, PushSettings, PushSubscription } from './push-registry.js';

/**
 * The push registry of the memory store. Entries are kept in the order they were registered, each
 * with a serial, so a cursor (the last serial returned) resumes after it by binary search, and an
 * entry removed meanwhile does not shift the others out of a listing.
 */
export class MemoryPushRegistry implements PushRegistry {
  private readonly byKey = new Map<string, { serial: number; entry: PushSubscription }>();
  /** Ascending serials (with their entries), as registered; removal splices. */
  private readonly ordered: Array<{ serial: number; entry: PushSubscription }> = [];
  private serials = 0;

  register(subject: string, id: string, push: PushSettings): void {
    this.remove(subject, id);
    const slot = { serial: ++this.serials, entry: { subject, id, push: { ...push } } };
    this.byKey.set(keyOf(subject, id), slot);
    this.ordered.push(slot);
  }

  remove(subject: string, id: string): void {
    const key = keyOf(subject, id);
    const slot = this.byKey.get(key);
    if (!slot) return;
    this.byKey.delete(key);
    this.ordered.splice(this.firstAfter(slot.serial - 1), 1);
  }

  list(cursor: string, limit: number): PushPage {
    const after = cursor === '' ? 0 : Number(cursor);
    const start = this.firstAfter(Number.isSafeInteger(after) ? after : 0);
    const page = this.ordered.slice(start, start + Math.max(1, limit));
    const done = start + page.length >= this.ordered.length;
    return { subscriptions: page.map(({ entry }) => ({ ...entry, push: { ...entry.push } })), cursor: done ? '' : String(page[page.length - 1].serial) };
  }

  /** Index of the first entry with a serial above `serial`. */
  private firstAfter(serial: number): number {
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ordered[middle].serial <= serial) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Subjects hold no space (subject.ts): subject and id joined by one cannot collide. */
function keyOf(subject: string, id: string): string {
  return `${subject} ${id}`;
}
