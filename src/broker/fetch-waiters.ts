import { FanOutRounds } from './fan-out-rounds.js';
import { StandingConsumers } from './standing-consumers.js';

/** Why a parked fetch stopped waiting. */
export type WaitOutcome = 'woken' | 'timeout' | 'aborted';

/**
 * Parked fetches resumed per turn of the event loop. Each resumed fetch takes its messages and its
 * answer is serialized in the same turn (promise continuations), tens of microseconds each, so a
 * chunk stays around a few milliseconds and other requests are served between chunks.
 */
export const WAKE_CHUNK = 128;

/**
 * Resumes parked fetches at most WAKE_CHUNK per turn: a wake of thousands (an unsubscribe, shutdown,
 * a publish to a subject with many long-polling subscribers, or time-outs armed together) would
 * otherwise run all their fetches and answers in one turn.
 */
class Pacer {
  private readonly queue: Array<() => void> = [];
  private head = 0;
  private scheduled = false;

  run(resume: () => void): void {
    this.queue.push(resume);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    const end = Math.min(this.head + WAKE_CHUNK, this.queue.length);
    while (this.head < end) this.queue[this.head++]();
    if (this.head < this.queue.length) {
      setImmediate(this.drain);
      return;
    }
    this.queue.length = 0;
    this.head = 0;
    this.scheduled = false;
  };
}

class Waiter {
  private settle!: (outcome: WaitOutcome) => void;
  private timer?: NodeJS.Timeout;
  private signal?: AbortSignal;
  private parked = false;
  private done = false;
  private promised?: WaitOutcome;
  /** Still in its subscriber's queue; a wake takes it out at once, though it resumes later. */
  listed = true;
  readonly outcome = new Promise<WaitOutcome>((resolve) => (this.settle = resolve));

  constructor(
    private readonly owner: FetchWaiters,
    private readonly pacer: Pacer,
    readonly subject: string,
    readonly subscriberId: string,
  ) {}

  /** Waits at most `timeoutMs` for a wake; an abort ends the wait at once. */
  until(timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.done) return this.outcome;
    this.parked = true;
    if (signal?.aborted) this.finish('aborted');
    else {
      this.timer = setTimeout(() => this.finish('timeout'), timeoutMs);
      this.signal = signal;
      signal?.addEventListener('abort', this.onAbort, { once: true });
    }
    return this.outcome;
  }

  finish(outcome: WaitOutcome): void {
    this.end(outcome, false);
  }

  /** Leaves the queue now and ends in the pacer's turn: a wake of thousands costs little at once. */
  finishLater(outcome: WaitOutcome): void {
    this.promised ??= outcome;
    this.owner.forget(this);
    this.pacer.run(() => this.end(outcome, true));
  }

  private end(outcome: WaitOutcome, inPacerTurn: boolean): void {
    if (this.done) return;
    this.done = true;
    // A wake already given stands, even if a time-out or an abort comes before the pacer's turn.
    outcome = this.promised ?? outcome;
    this.owner.forget(this);
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    // A waiter never parked has no fetch to resume.
    if (this.parked && !inPacerTurn) this.pacer.run(() => this.settle(outcome));
    else this.settle(outcome);
  }

  private readonly onAbort = () => this.finish('aborted');
}

/**
 * Fetches parked until a message arrives for their subscriber (long-poll). A waiter is armed
 * before the fetch that finds nothing, so a publish in between is never missed; each publish wakes
 * the longest-waiting fetch of every subscriber on the subject. A woken waiter leaves its queue at
 * once, so the next publish wakes the next one, but its fetch resumes in a later turn (WAKE_CHUNK).
 */
export class FetchWaiters {
  private readonly bySubject = new Map<string, Map<string, Waiter[]>>();
  private readonly pacer = new Pacer();
  private count = 0;
  private readonly wakes = new FanOutRounds();
  /** Consumers that stay (event streams): every wake below reaches them too, as it reaches parked fetches. */
  readonly standing = new StandingConsumers();

  /** Parked fetches right now. */
  get size(): number {
    return this.count;
  }

  arm(subject: string, subscriberId: string): Waiter {
    const waiter = new Waiter(this, this.pacer, subject, subscriberId);
    let subscribers = this.bySubject.get(subject);
    if (!subscribers) this.bySubject.set(subject, (subscribers = new Map()));
    const queue = subscribers.get(subscriberId);
    if (queue) queue.push(waiter);
    else subscribers.set(subscriberId, [waiter]);
    this.count += 1;
    return waiter;
  }

  /** True while a fetch of this subscriber is parked, or a stream of it is open. */
  isWaiting(subject: string, subscriberId: string): boolean {
    return (this.bySubject.get(subject)?.has(subscriberId) ?? false) || this.standing.has(subject, subscriberId);
  }

  /** A message went to every subscriber of `subject`: wake one waiter of each. */
  notify(subject: string): void {
    this.standing.notify(subject);
    this.wakes.wake(subject, this.bySubject, wakeFirst);
  }

  /** Wakes the longest-waiting fetch of one subscriber (messages became available for it alone). */
  wakeOne(subject: string, subscriberId: string): void {
    this.standing.wakeOne(subject, subscriberId);
    this.bySubject.get(subject)?.get(subscriberId)?.[0].finishLater('woken');
  }

  /** Wakes every waiter of one subscriber (it was removed) or, without arguments, all of them; streams end. */
  wakeAll(subject?: string, subscriberId?: string): void {
    this.standing.endAll(subject, subscriberId);
    if (subject === undefined) {
      for (const name of [...this.bySubject.keys()]) {
        for (const id of [...this.bySubject.get(name)!.keys()]) this.wakeAll(name, id);
      }
      return;
    }
    const subscribers = this.bySubject.get(subject);
    const queue = subscribers?.get(subscriberId!);
    if (!queue) return;
    // Unlisted as a whole: taking them out one by one would shift the array each time.
    this.unlist(subject, subscriberId!);
    for (const waiter of queue) {
      waiter.listed = false;
      this.count -= 1;
    }
    for (const waiter of queue) waiter.finishLater('woken');
  }

  /** Called by a waiter as it finishes. */
  forget(waiter: Waiter): void {
    if (!waiter.listed) return;
    waiter.listed = false;
    this.count -= 1;
    const queue = this.bySubject.get(waiter.subject)!.get(waiter.subscriberId)!;
    if (queue.length === 1) this.unlist(waiter.subject, waiter.subscriberId);
    else queue.splice(queue.indexOf(waiter), 1);
  }

  private unlist(subject: string, subscriberId: string): void {
    const subscribers = this.bySubject.get(subject)!;
    subscribers.delete(subscriberId);
    if (subscribers.size === 0) this.bySubject.delete(subject);
  }
}

export type { Waiter };

/** A publish wakes the longest-waiting fetch of a subscriber (its queue can be gone by a later slice). */
function wakeFirst(queue: Waiter[]): void {
  queue[0]?.finishLater('woken');
}
