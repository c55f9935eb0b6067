/** Why a parked fetch stopped waiting. */
export type WaitOutcome = 'woken' | 'timeout' | 'aborted';

class Waiter {
  private settle!: (outcome: WaitOutcome) => void;
  private timer?: NodeJS.Timeout;
  private signal?: AbortSignal;
  private done = false;
  readonly outcome = new Promise<WaitOutcome>((resolve) => (this.settle = resolve));

  constructor(
    private readonly owner: FetchWaiters,
    readonly subject: string,
    readonly subscriberId: string,
  ) {}

  /** Waits at most `timeoutMs` for a wake; an abort ends the wait at once. */
  until(timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.done) return this.outcome;
    if (signal?.aborted) this.finish('aborted');
    else {
      this.timer = setTimeout(() => this.finish('timeout'), timeoutMs);
      this.signal = signal;
      signal?.addEventListener('abort', this.onAbort, { once: true });
    }
    return this.outcome;
  }

  finish(outcome: WaitOutcome): void {
    if (this.done) return;
    this.done = true;
    this.owner.forget(this);
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.settle(outcome);
  }

  private readonly onAbort = () => this.finish('aborted');
}

/**
 * Fetches parked until a message arrives for their subscriber (long-poll). A waiter is armed
 * before the fetch that finds nothing, so a publish in between is never missed; each publish wakes
 * the longest-waiting fetch of every subscriber on the subject.
 */
export class FetchWaiters {
  private readonly bySubject = new Map<string, Map<string, Waiter[]>>();
  private count = 0;

  /** Parked fetches right now. */
  get size(): number {
    return this.count;
  }

  arm(subject: string, subscriberId: string): Waiter {
    const waiter = new Waiter(this, subject, subscriberId);
    let subscribers = this.bySubject.get(subject);
    if (!subscribers) this.bySubject.set(subject, (subscribers = new Map()));
    const queue = subscribers.get(subscriberId);
    if (queue) queue.push(waiter);
    else subscribers.set(subscriberId, [waiter]);
    this.count += 1;
    return waiter;
  }

  /** A message went to every subscriber of `subject`: wake one waiter of each. */
  notify(subject: string): void {
    const subscribers = this.bySubject.get(subject);
    if (!subscribers) return;
    for (const queue of subscribers.values()) queue[0]?.finish('woken');
  }

  /** Messages became available for one subscriber: wake its longest-waiting fetch. */
  notifyOne(subject: string, subscriberId: string): void {
    this.bySubject.get(subject)?.get(subscriberId)?.[0]?.finish('woken');
  }

  /** Wakes every waiter of one subscriber (it was removed) or, without arguments, all of them. */
  wakeAll(subject?: string, subscriberId?: string): void {
    const queues =
      subject === undefined
        ? [...this.bySubject.values()].flatMap((subscribers) => [...subscribers.values()])
        : [this.bySubject.get(subject)?.get(subscriberId!) ?? []];
    for (const queue of queues) for (const waiter of [...queue]) waiter.finish('woken');
  }

  /** Called by a waiter as it finishes. */
  forget(waiter: Waiter): void {
    const subscribers = this.bySubject.get(waiter.subject);
    const queue = subscribers?.get(waiter.subscriberId);
    const index = queue?.indexOf(waiter) ?? -1;
    if (index < 0) return;
    queue!.splice(index, 1);
    this.count -= 1;
    if (queue!.length === 0) subscribers!.delete(waiter.subscriberId);
    if (subscribers!.size === 0) this.bySubject.delete(waiter.subject);
  }
}

export type { Waiter };
