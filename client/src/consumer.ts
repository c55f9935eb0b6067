import type { GopherMQ } from './client.js';
import { GopherMQConnectionError, GopherMQError } from './errors.js';
import { FetchSource, type ConsumedMessage, type MessageSource } from './message-source.js';
import { backoffMs, sleep } from './retry.js';
import { MAX_SEQS_PER_REQUEST } from './routes.js';
import type { SubscribeOptions, Subscription } from './types.js';

/** A subscriber to consume: one subscribe answered, or a subject and the options to subscribe with. */
export type ConsumeTarget = Subscription | ({ subject: string; id?: undefined } & SubscribeOptions);

/** Handles one message; resolving acks it (acknowledged subscribers), throwing nacks it with a delay. */
export type MessageHandler = (message: ConsumedMessage, context: HandlerContext) => unknown;

export interface HandlerContext {
  /** Aborted when `stop()` stops waiting for this handler (`stopTimeoutMs`); the message is nacked then. */
  signal: AbortSignal;
}

export interface ConsumeOptions {
  /** Handlers running at once; default 1. */
  concurrency?: number;
  /**
   * Messages fetched ahead of the handlers, beyond `concurrency`; kept in flight (and extended) while
   * they wait, nacked at stop. Default 100 for an acknowledged subscriber, 0 for an at-most-once one
   * (whose fetched messages are gone: a prefetched one would be lost at stop).
   */
  prefetch?: number;
  /** How long one poll waits at the broker for a message; default 20,000 (at most 30,000). */
  waitMs?: number;
  /** Handle this many messages, then stop: never fetches more than are left. */
  limit?: number;
  /** The delay of the nack after a handler threw; default 1 s doubling with each delivery, at most 60 s. */
  nackDelayMs?: (message: ConsumedMessage) => number;
  /** How long `stop()` lets running handlers finish before it nacks their messages; default 10,000. */
  stopTimeoutMs?: number;
  /** Stops the consumer when aborted, as `stop()`. */
  signal?: AbortSignal;
  /** Told of every handler that threw and every ack, nack or extend that failed; the consumer goes on. */
  onError?: (error: unknown, message?: ConsumedMessage) => void;
  /** Where messages come from; default long-polled fetches. */
  source?: MessageSource;
}

const DEFAULT_WAIT_MS = 20_000;
/** Time for the broker to hear that an aborted poll's connection closed (see shutDown). */
const AFTER_POLL_CLOSED_MS = 100;

/** 1 s, 2 s, 4 s, … by delivery count, at most 60 s. */
export function defaultNackDelayMs(message: ConsumedMessage): number {
  return Math.min(60_000, 1000 * 2 ** Math.min(16, (message.deliveries ?? 1) - 1));
}

interface Held {
  message: ConsumedMessage;
  /** The subscriber that delivered it; after a re-subscribe the old one's seqs are not settled. */
  subscription: Subscription;
  /** When its deadline last started (fetched or extended), in ms. */
  since: number;
  handler?: AbortController;
}

/**
 * Runs a handler for every message of a subscriber, up to `concurrency` at once (BullMQ's Worker
 * and sqs-consumer are the models): acks on success (batched), nacks with a growing delay on a
 * throw, extends the deadline of what it holds past half of ackWaitMs, re-subscribes a named
 * subscriber after a 404, and stops promptly. `done` settles when it has stopped.
 */
export class Consumer {
  /** Resolves once stopped (by `stop()`, the signal, or `limit`); rejects with the error that ended it. */
  readonly done: Promise<void>;
  private subscription: Subscription | undefined;
  private readonly createdAnonymous: boolean;
  private readonly source: MessageSource;
  private readonly concurrency: number;
  private readonly waitMs: number;
  private readonly stopTimeoutMs: number;
  private readonly buffer: Held[] = [];
  private readonly running = new Set<Held>();
  private readonly poll = new AbortController();
  private taken = 0;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Resolvers of those waiting for a handler to end or the consumer to stop. */
  private waiters: Array<() => void> = [];
  private acks: Array<{ subscription: Subscription; seq: number }> = [];
  private flushing: Promise<void> | undefined;
  private extendTimer: ReturnType<typeof setInterval> | undefined;
  private settleDone!: { resolve: () => void; reject: (error: unknown) => void };

  constructor(
    private readonly client: GopherMQ,
    private readonly target: ConsumeTarget,
    private readonly handler: MessageHandler,
    private readonly options: ConsumeOptions,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.source = options.source ?? new FetchSource(client, this.waitMs);
    this.createdAnonymous = target.id === undefined && target.name === undefined;
    this.done = new Promise<void>((resolve, reject) => (this.settleDone = { resolve, reject }));
    // Whoever never awaits `done` still hears of a failure through onError, not an unhandled rejection.
    this.done.catch(() => {});
    if (options.signal?.aborted) void this.stop();
    else options.signal?.addEventListener('abort', () => void this.stop(), { once: true });
    void this.run();
  }

  /** The subscriber it consumes (after its first subscribe, and the latest after a re-subscribe). */
  get subscriber(): Subscription | undefined {
    return this.subscription;
  }

  /**
   * Aborts the waiting poll at once, nacks the messages fetched but not started, lets running
   * handlers finish for up to `stopTimeoutMs` (then aborts their signal and nacks their messages),
   * sends the last acks, and unsubscribes a subscriber it created without a name.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown().then(
      () => this.settleDone.resolve(),
      (error) => this.settleDone.reject(error),
    );
    return this.stopped.then(() => this.done);
  }

  private get acknowledged(): boolean {
    return this.subscription?.ackWaitMs !== undefined;
  }

  private get capacity(): number {
    return this.concurrency + (this.options.prefetch ?? (this.acknowledged ? 100 : 0));
  }

  private async run(): Promise<void> {
    try {
      await this.subscribe();
      this.startExtending();
      let failures = 0;
      while (!this.stopping) {
        const left = this.options.limit === undefined ? Infinity : this.options.limit - this.taken;
        if (left <= 0) {
          await this.idle(() => this.running.size === 0 && this.buffer.length === 0);
          break;
        }
        const room = this.capacity - this.buffer.length - this.running.size;
        // A few slots free is not worth a request of its own while the rest are busy.
        if (room < Math.ceil(this.capacity / 4) && room < left) {
          await this.idle(() => this.capacity - this.buffer.length - this.running.size >= Math.ceil(this.capacity / 4));
          continue;
        }
        let messages: ConsumedMessage[];
        try {
          messages = await this.source.next(this.subscription!, Math.min(room, left, 10_000), this.poll.signal);
          failures = 0;
        } catch (error) {
          if (this.stopping) break;
          if (error instanceof GopherMQError && error.status === 404 && this.subscription?.name !== undefined) {
            await this.subscribe();
            continue;
          }
          if (!isPassing(error)) throw error;
          this.report(error);
          await sleep(backoffMs(failures++, { minDelayMs: 100, maxDelayMs: 5000 }), this.poll.signal).catch(() => {});
          continue;
        }
        this.taken += messages.length;
        const now = Date.now();
        for (const message of messages) this.buffer.push({ message, subscription: this.subscription!, since: now });
        this.dispatch();
      }
    } catch (error) {
      this.report(error);
      this.stopped ??= this.shutDown().then(
        () => this.settleDone.reject(error),
        () => this.settleDone.reject(error),
      );
      return;
    }
    void this.stop();
  }

  /** Subscribes (again, after a 404), retrying while the broker cannot be reached. */
  private async subscribe(): Promise<void> {
    if (this.target.id !== undefined && this.subscription === undefined) {
      this.subscription = this.target;
      return;
    }
    const { subject, id: _id, ...options } = { ...this.target, ...this.subscription } as Subscription;
    for (let attempt = 0; ; attempt++) {
      try {
        this.subscription = await this.client.subscribe(subject, { ...subscribeOptionsOf(options), signal: this.poll.signal });
        return;
      } catch (error) {
        if (this.stopping || !isPassing(error)) throw error;
        this.report(error);
        await sleep(backoffMs(attempt, { minDelayMs: 100, maxDelayMs: 5000 }), this.poll.signal);
      }
    }
  }

  private dispatch(): void {
    while (this.running.size < this.concurrency && this.buffer.length > 0 && !this.stopping) this.start(this.buffer.shift()!);
  }

  private start(held: Held): void {
    held.handler = new AbortController();
    this.running.add(held);
    const { message } = held;
    // Started in a microtask, so a handler that throws at once is caught like one that rejects.
    Promise.resolve()
      .then(() => this.handler(message, { signal: held.handler!.signal }))
      .then(
        () => {
          if (!this.running.delete(held)) return; // stop gave up on it and nacked it
          if (this.acknowledged && message.seq !== undefined) this.queueAck(held);
        },
        (error) => {
          if (!this.running.delete(held)) return;
          this.report(error, message);
          if (this.acknowledged && message.seq !== undefined) {
            const delayMs = (this.options.nackDelayMs ?? defaultNackDelayMs)(message);
            this.client.nack(held.subscription, [message.seq], { delayMs }).catch((failure) => this.report(failure, message));
          }
        },
      )
      .finally(() => {
        this.dispatch();
        this.notify();
      });
  }

  /** Acks go in one request while another is in flight: one at a time, as many as have gathered. */
  private queueAck(held: Held): void {
    if (held.subscription !== this.subscription) return;
    this.acks.push({ subscription: held.subscription, seq: held.message.seq! });
    this.flushing ??= this.flushAcks();
  }

  private async flushAcks(): Promise<void> {
    while (this.acks.length > 0) {
      const batch = this.acks.splice(0, MAX_SEQS_PER_REQUEST);
      const subscription = batch[0].subscription;
      const seqs = batch.filter((ack) => ack.subscription === subscription).map((ack) => ack.seq);
      try {
        await this.client.ack(subscription, seqs);
      } catch (error) {
        this.report(error);
      }
    }
    this.flushing = undefined;
  }

  /** Every ackWaitMs/4, extends what it holds (waiting or running) whose deadline is past half. */
  private startExtending(): void {
    const ackWaitMs = this.subscription?.ackWaitMs;
    if (ackWaitMs === undefined) return;
    this.extendTimer = setInterval(() => {
      const now = Date.now();
      const due = [...this.buffer, ...this.running].filter((held) => held.subscription === this.subscription && held.message.seq !== undefined && now - held.since >= ackWaitMs / 2);
      if (due.length === 0) return;
      for (const held of due) held.since = now;
      this.client.extend(this.subscription!, due.map((held) => held.message.seq!)).catch((error) => this.report(error));
    }, Math.max(250, ackWaitMs / 4));
    // The timer alone does not keep a process alive.
    (this.extendTimer as { unref?: () => void }).unref?.();
  }

  /** Waits until `ready()` holds, re-checked whenever a handler ends or the consumer stops. */
  private async idle(ready: () => boolean): Promise<void> {
    while (!ready() && !this.stopping) await this.changed();
  }

  private changed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** onError, whose own failure must not break the consumer. */
  private report(error: unknown, message?: ConsumedMessage): void {
    try {
      this.options.onError?.(error, message);
    } catch {
      // the caller's handler of errors failed; nothing more to tell
    }
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    this.poll.abort();
    this.notify();
    const problems: unknown[] = [];
    const attempt = (step: Promise<unknown>) => step.catch((error) => problems.push(error));
    // Messages not started go back for other consumers of the subscriber, just after the broker has
    // seen the aborted poll's connection close: a nack wakes a waiting fetch, and that poll, not yet
    // known to be gone, would take them again, in flight until their deadline.
    const waiting = this.buffer.splice(0);
    await attempt(this.nackHeld(waiting, AFTER_POLL_CLOSED_MS));
    if (this.running.size > 0) {
      let gaveUp = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.stopTimeoutMs)));
      const finished = (async () => {
        while (this.running.size > 0 && !gaveUp) await this.changed();
      })();
      await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      gaveUp = true;
      this.notify();
      const abandoned = [...this.running];
      this.running.clear();
      for (const held of abandoned) held.handler!.abort(new Error('consumer stopped'));
      await attempt(this.nackHeld(abandoned));
    }
    if (this.extendTimer !== undefined) clearInterval(this.extendTimer);
    await attempt(this.flushing ?? Promise.resolve());
    if (this.createdAnonymous && this.subscription !== undefined) await attempt(this.client.unsubscribe(this.subscription));
    for (const problem of problems) this.report(problem);
  }

  private async nackHeld(held: Held[], delayMs = 0): Promise<void> {
    if (!this.acknowledged) return;
    const current = held.filter((h) => h.subscription === this.subscription && h.message.seq !== undefined);
    if (current.length > 0) await this.client.nack(this.subscription!, current.map((h) => h.message.seq!), { delayMs });
  }
}

/** Failures that pass: the broker busy (429), unavailable (503) or out of reach. */
function isPassing(error: unknown): boolean {
  return error instanceof GopherMQConnectionError || (error instanceof GopherMQError && (error.status === 429 || error.status === 503));
}

/** The settings a subscribe answer echoes, as the options to subscribe with again. */
function subscribeOptionsOf(settings: Omit<Subscription, 'subject' | 'id'> & SubscribeOptions): SubscribeOptions {
  const { name, deliver, ackWaitMs, maxDeliveries, deadLetterSubject, maxAckPending } = settings;
  return { name, deliver, ackWaitMs, maxDeliveries, deadLetterSubject, maxAckPending };
}
