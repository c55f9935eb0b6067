import { PairHeap } from './pair-heap.js';

/** Something with deadlines of its own: the timer keeps one entry per owner, not per message. */
export interface DeadlineOwner {
  readonly serial: number;
  /** When it is scheduled (Infinity: not). */
  scheduledAt: number;
}

/**
 * One timer for every acknowledged subscriber: a heap of (when, owner) holds each owner's next due
 * time once, and the timer is armed for the earliest. An owner scheduled earlier again leaves a
 * stale entry behind, skipped when it comes up. A turn of the timer handles at most BATCH deadlines,
 * over as many owners as that takes; what is left is due at once, on a later turn.
 */
export class DeadlineTimer<Owner extends DeadlineOwner> {
  /** Deadlines handled per turn of the timer, so that no turn of the event loop runs long. */
  static readonly BATCH = 5000;

  private readonly heap = new PairHeap();
  private readonly owners = new Map<number, Owner>();
  private timer?: NodeJS.Timeout;
  private armedAt = Infinity;

  /** `due(owner, now, budget)` handles at most `budget` of the owner's deadlines and returns how many it handled. */
  constructor(private readonly due: (owner: Owner, now: number, budget: number) => number) {}

  /** `owner` has something due at `at` (Infinity: nothing); earlier than its current schedule moves it. */
  schedule(owner: Owner, at: number): void {
    if (at >= owner.scheduledAt) return;
    owner.scheduledAt = at;
    this.owners.set(owner.serial, owner);
    this.heap.push(at, owner.serial);
    this.arm(at);
  }

  forget(owner: Owner): void {
    this.owners.delete(owner.serial);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.armedAt = -Infinity; // never armed again
  }

  private arm(at: number): void {
    if (at >= this.armedAt) return;
    clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, at - Date.now())).unref();
  }

  private readonly fire = (): void => {
    this.armedAt = Infinity;
    const now = Date.now();
    let budget = DeadlineTimer.BATCH;
    while (budget > 0 && this.heap.minKey <= now) {
      const [at, serial] = [this.heap.minKey, this.heap.minValue!];
      this.heap.pop();
      const owner = this.owners.get(serial);
      if (!owner || owner.scheduledAt !== at) continue; // forgotten, or scheduled earlier since
      this.owners.delete(serial);
      owner.scheduledAt = Infinity;
      budget -= 1 + this.due(owner, now, budget); // schedules the owner again if it has more
    }
    if (this.heap.size > 0) this.arm(this.heap.minKey);
  };
}
