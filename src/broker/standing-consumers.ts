import { FanOutRounds } from './fan-out-rounds.js';

/** Why a standing consumer is ended by the broker. */
export type EndReason = 'unsubscribed' | 'shutdown';

/**
 * A consumer that stays on a subscriber (an event stream) instead of asking once: told of the
 * same wakes as parked fetches, for as long as it is registered.
 */
export interface StandingConsumer {
  readonly subject: string;
  readonly subscriberId: string;
  /**
   * Messages may be there to take. Answers whether it will look (it is idle, or taking and will take
   * again); false when it cannot take now (its client is not reading), so the wake goes to another.
   * Called in the waker's turn: it must only schedule.
   */
  wake(): boolean;
  /** Its subscriber is gone (unsubscribe, idle expiry, another instance) or the broker shuts down. */
  end(reason: EndReason): void;
}

/**
 * The standing consumers of each subscriber. A message for a subscriber goes to one of them (the
 * first that will look, which then moves to the back of its list), so several streams of one
 * subscriber share its messages and are woken in turn. No state per message.
 */
export class StandingConsumers {
  private readonly bySubject = new Map<string, Map<string, StandingConsumer[]>>();
  private count = 0;
  private readonly wakes = new FanOutRounds();

  get size(): number {
    return this.count;
  }

  add(consumer: StandingConsumer): void {
    let subscribers = this.bySubject.get(consumer.subject);
    if (!subscribers) this.bySubject.set(consumer.subject, (subscribers = new Map()));
    const list = subscribers.get(consumer.subscriberId);
    if (list) list.push(consumer);
    else subscribers.set(consumer.subscriberId, [consumer]);
    this.count += 1;
  }

  /** Unregisters it; nothing happens if it is not registered. */
  delete(consumer: StandingConsumer): void {
    const subscribers = this.bySubject.get(consumer.subject);
    const list = subscribers?.get(consumer.subscriberId);
    const at = list?.indexOf(consumer) ?? -1;
    if (at < 0) return;
    this.count -= 1;
    if (list!.length > 1) {
      list!.splice(at, 1);
      return;
    }
    subscribers!.delete(consumer.subscriberId);
    if (subscribers!.size === 0) this.bySubject.delete(consumer.subject);
  }

  has(subject: string, subscriberId: string): boolean {
    return this.bySubject.get(subject)?.has(subscriberId) ?? false;
  }

  /** A message went to every subscriber of `subject`: one consumer of each is woken (in slices: FanOutRounds). */
  notify(subject: string): void {
    this.wakes.wake(subject, this.bySubject, wakeOneOf);
  }

  wakeOne(subject: string, subscriberId: string): void {
    const list = this.bySubject.get(subject)?.get(subscriberId);
    if (list) wakeOneOf(list);
  }

  /** Ends the consumers of one subscriber (removed) or, without arguments, all of them (shutdown). */
  endAll(subject?: string, subscriberId?: string): void {
    if (subject === undefined) {
      const all = [...this.bySubject.values()].flatMap((subscribers) => [...subscribers.values()].flat());
      this.bySubject.clear();
      this.count = 0;
      for (const consumer of all) consumer.end('shutdown');
      return;
    }
    const subscribers = this.bySubject.get(subject);
    const list = subscribers?.get(subscriberId!);
    if (!list) return;
    subscribers!.delete(subscriberId!);
    if (subscribers!.size === 0) this.bySubject.delete(subject);
    this.count -= list.length;
    for (const consumer of list) consumer.end('unsubscribed');
  }
}

function wakeOneOf(list: StandingConsumer[]): void {
  for (let i = 0; i < list.length; i++) {
    const consumer = list[i];
    if (!consumer.wake()) continue;
    // The next wake goes to another first: streams of one subscriber take turns.
    if (list.length > 1 && i < list.length - 1) list.push(list.splice(i, 1)[0]);
    return;
  }
}
