import type { AckSettings } from '../message-store.js';
import { PairHeap } from './pair-heap.js';
import { PairQueue } from './pair-queue.js';

/** Where a delivered message stands for its subscriber. */
export const enum Delivery {
  Settled = 0,
  InFlight = 1,
  /** Deadline passed or nacked: delivered again before newer messages. */
  Available = 2,
  /** Nacked with a delay: available once it is over. */
  Delayed = 3,
}

/**
 * An acknowledged subscriber's messages from `floor` (the lowest not settled) to `nextSeq` (the
 * next never delivered), one slot each in typed arrays: a state, a delivery count and a time (the
 * ack deadline in flight, the end of a nack's delay when delayed). No object, timer or closure per
 * message. Deadlines queue in delivery order, which is deadline order since `ackWaitMs` is the
 * subscriber's own: a restarted deadline is queued again and its old entry skipped as stale.
 */
export class AckState {
  /** Lowest seq not settled: where this subscriber holds its subject's log. */
  floor: number;
  /** Next seq never delivered to this subscriber. */
  nextSeq: number;
  inFlight = 0;
  /** Messages due again, lowest seq first (an entry's key and value are its seq). */
  readonly available = new PairHeap();
  /** (deadline, seq) in the order they were set. */
  readonly deadlines = new PairQueue();
  /** (end of delay, seq) of nacked messages waiting. */
  readonly delayed = new PairHeap();

  private states = new Uint8Array(16);
  private deliveryCounts = new Uint32Array(16);
  private times = new Float64Array(16);
  /** Slot of `floor` in the arrays (a ring). */
  private head = 0;

  constructor(
    readonly settings: AckSettings,
    startSeq: number,
  ) {
    this.floor = startSeq;
    this.nextSeq = startSeq;
  }

  state(seq: number): Delivery {
    return seq >= this.floor && seq < this.nextSeq ? this.states[this.slot(seq)] : Delivery.Settled;
  }

  deliveries(seq: number): number {
    return this.deliveryCounts[this.slot(seq)];
  }

  time(seq: number): number {
    return this.times[this.slot(seq)];
  }

  /** Hands `seq` out (again): in flight until `deadline`; returns its delivery count. */
  deliver(seq: number, deadline: number): number {
    if (seq === this.nextSeq) {
      if (this.nextSeq - this.floor === this.states.length) this.grow();
      this.nextSeq += 1;
      this.deliveryCounts[this.slot(seq)] = 0;
    }
    const slot = this.slot(seq);
    this.states[slot] = Delivery.InFlight;
    this.times[slot] = deadline;
    this.inFlight += 1;
    this.queueDeadline(deadline, seq);
    return ++this.deliveryCounts[slot];
  }

  /** A new deadline for a message in flight. */
  restart(seq: number, deadline: number): void {
    this.times[this.slot(seq)] = deadline;
    this.queueDeadline(deadline, seq);
  }

  /** A message leaves flight: available again now, or after a delay. */
  release(seq: number, availableAt?: number): void {
    const slot = this.slot(seq);
    this.inFlight -= 1;
    if (availableAt === undefined) {
      this.states[slot] = Delivery.Available;
      this.available.push(seq, seq);
    } else {
      this.states[slot] = Delivery.Delayed;
      this.times[slot] = availableAt;
      this.delayed.push(availableAt, seq);
    }
  }

  /** A delayed message's delay is over. */
  undelay(seq: number): void {
    this.states[this.slot(seq)] = Delivery.Available;
    this.available.push(seq, seq);
  }

  /** Done for good (acked, dead-lettered, dropped); returns true when the floor moved. */
  settle(seq: number): boolean {
    if (this.states[this.slot(seq)] === Delivery.InFlight) this.inFlight -= 1;
    this.states[this.slot(seq)] = Delivery.Settled;
    if (seq !== this.floor) return false;
    while (this.floor < this.nextSeq && this.states[this.head] === Delivery.Settled) {
      this.floor += 1;
      this.head = (this.head + 1) & (this.states.length - 1);
    }
    return true;
  }

  /**
   * Its subject's retention dropped every message below `seq`: those it had not settled are
   * forgotten (not in flight, never delivered again) and it never gets those it had not received.
   * Returns how many were in flight. Costs the seqs it forgets, each once.
   */
  forgetBelow(seq: number): number {
    if (seq <= this.floor) return 0;
    const inFlightBefore = this.inFlight;
    const to = Math.min(seq, this.nextSeq);
    for (let forgotten = this.floor; forgotten < to; forgotten++) {
      const slot = this.slot(forgotten);
      if (this.states[slot] === Delivery.InFlight) this.inFlight -= 1;
      this.states[slot] = Delivery.Settled;
    }
    if (seq >= this.nextSeq) {
      this.floor = this.nextSeq = seq;
      this.head = 0;
    } else {
      this.head = this.slot(seq);
      this.floor = seq;
      while (this.floor < this.nextSeq && this.states[this.head] === Delivery.Settled) {
        this.floor += 1;
        this.head = (this.head + 1) & (this.states.length - 1);
      }
    }
    // Entries of forgotten seqs are the lowest in `available`; those in the deadline and delay
    // queues are skipped when they come up, as their state no longer matches.
    while (this.available.size > 0 && this.available.minValue! < this.floor) this.available.pop();
    return inFlightBefore - this.inFlight;
  }

  /**
   * A purge: every message due again, and every one never delivered below `seq`, is settled
   * without a delivery; those in flight or delayed stay as they are. Returns how many it settled.
   * Costs the seqs it skips (a slot each when something below them is still unsettled).
   */
  dropPending(seq: number): number {
    let dropped = 0;
    while (this.available.size > 0) {
      const due = this.available.minValue!;
      this.available.pop();
      if (this.state(due) !== Delivery.Available) continue;
      this.settle(due);
      dropped += 1;
    }
    if (seq <= this.nextSeq) return dropped;
    dropped += seq - this.nextSeq;
    if (this.floor === this.nextSeq) {
      this.floor = this.nextSeq = seq;
      this.head = 0;
      return dropped;
    }
    while (seq - this.floor > this.states.length) this.grow();
    for (; this.nextSeq < seq; this.nextSeq++) {
      const slot = this.slot(this.nextSeq);
      this.states[slot] = Delivery.Settled;
      this.deliveryCounts[slot] = 0;
    }
    return dropped;
  }

  /**
   * Drops the deadlines at the front of the queue that no longer apply (settled, nacked or extended
   * since): acks come mostly in delivery order, so this costs O(1) per ack and keeps the queue near
   * the messages in flight, where the compaction of queueDeadline would otherwise scan it again and
   * again (an acked message's entry would stay until its deadline). The deadline timer skips such
   * entries all the same.
   */
  dropStaleDeadlines(): void {
    const { deadlines } = this;
    while (deadlines.size > 0) {
      const seq = deadlines.frontValue;
      if (this.state(seq) === Delivery.InFlight && this.time(seq) === deadlines.frontKey) return;
      deadlines.shift();
    }
  }

  /** When something is next due: a deadline or the end of a delay (Infinity: nothing). */
  get nextDue(): number {
    return Math.min(this.deadlines.frontKey, this.delayed.minKey);
  }

  /**
   * Queues a deadline. Each extend, and each nack followed by a new delivery, leaves a stale entry
   * that would otherwise stay until its deadline, up to 12 hours: a client extending in a loop would
   * grow the queue without bound. When stale entries outnumber live ones, they are dropped (in
   * order, so the queue stays sorted), which costs O(1) per entry queued, amortised.
   */
  private queueDeadline(deadline: number, seq: number): void {
    this.deadlines.push(deadline, seq);
    if (this.deadlines.size > 2 * this.inFlight + 64) {
      this.deadlines.retain((time, queued) => this.state(queued) === Delivery.InFlight && this.time(queued) === time);
    }
  }

  private slot(seq: number): number {
    return (this.head + seq - this.floor) & (this.states.length - 1);
  }

  private grow(): void {
    const size = this.states.length;
    const states = new Uint8Array(size * 2);
    const counts = new Uint32Array(size * 2);
    const times = new Float64Array(size * 2);
    for (let i = 0; i < size; i++) {
      const from = (this.head + i) & (size - 1);
      states[i] = this.states[from];
      counts[i] = this.deliveryCounts[from];
      times[i] = this.times[from];
    }
    this.states = states;
    this.deliveryCounts = counts;
    this.times = times;
    this.head = 0;
  }
}
